/* launch_argv.c - the command line and environment a run is spawned with:
 *   srt-linux-launch --outer --ctl-fd N [--userns] -- bwrap ... --
 *   srt-linux-launch --inner --lifeline-fd M ... -- command
 * or, prestarted, `srt-linux-launch --outer --ctl-fd N [--userns]
 * --prestarted` first and the part from bwrap on later, over the core's plan
 * channel
 * in bwrap mode (the weaker nested mode's argv is fsl_weak_argv), and the
 * command's environment for both modes. Where the launcher lives by
 * default. Host-free. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsl_int.h"

#define FSL_LAUNCHER_REL "../libexec/srt/srt-linux-launch"

char *fsl_launcher_default(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *dir = fsl_path_parent(exe);
    char *joined = dir ? fsl_path_join(dir, FSL_LAUNCHER_REL) : NULL;
    free(dir);
    char *real = joined ? realpath(joined, NULL) : NULL;
    if (real) {
        free(joined);
        return real;
    }
    return joined;
}

int fsl_launch_outer_argv(const char *launcher, int ctl_fd, bool userns, bool prestarted,
                          const char *const *cgroups, struct fsl_vec *a)
{
    int r = fsl_vec_push(a, launcher);
    if (r == SRT_OK) r = fsl_vec_push(a, "--outer");
    if (r == SRT_OK) r = fsl_vec_push(a, "--ctl-fd");
    if (r == SRT_OK) r = fsl_vec_pushf(a, "%d", ctl_fd);
    if (r == SRT_OK && userns) r = fsl_vec_push(a, "--userns");
    for (size_t i = 0; r == SRT_OK && cgroups && cgroups[i]; i++)
        if ((r = fsl_vec_push(a, "--cgroup")) == SRT_OK)
            r = fsl_vec_push(a, cgroups[i]);
    if (r == SRT_OK && prestarted) r = fsl_vec_push(a, "--prestarted");
    return r;
}

int fsl_launch_argv(const struct fsl_launch_in *in, const char *const *argv, struct fsl_vec *a)
{
    const struct srt_policy *pol = in->policy;
    int r = fsl_launch_outer_argv(in->launcher, in->ctl_fd, in->userns, false, in->cgroups, a);
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    if (r == SRT_OK) r = fsl_vec_push(a, in->bwrap);
    for (size_t i = 0; r == SRT_OK && i < in->plan->bwrap.n; i++)
        r = fsl_vec_push(a, in->plan->bwrap.v[i]);
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    if (r == SRT_OK) r = fsl_vec_push(a, in->launcher);
    if (r == SRT_OK) r = fsl_vec_push(a, "--inner");
    if (r == SRT_OK) r = fsl_vec_push(a, "--lifeline-fd");
    if (r == SRT_OK) r = fsl_vec_pushf(a, "%d", in->life_fd);
    if (r == SRT_OK && in->nofile > 0) r = fsl_vec_push(a, "--nofile");
    if (r == SRT_OK && in->nofile > 0) r = fsl_vec_pushf(a, "%lld", (long long)in->nofile);
    if (r == SRT_OK && in->max_procs > 0) r = fsl_vec_push(a, "--max-procs");
    if (r == SRT_OK && in->max_procs > 0) r = fsl_vec_pushf(a, "%lld", (long long)in->max_procs);
    if (r == SRT_OK && (pol->flags & SRT_POL_ALLOW_ALL_UNIX)) r = fsl_vec_push(a, "--allow-unix");
    if (r == SRT_OK && (pol->flags & SRT_POL_ALLOW_NESTED_USERNS))
        r = fsl_vec_push(a, "--allow-nested-userns");
    if (r == SRT_OK && in->guard) r = fsl_vec_push(a, "--guard");
    if (r == SRT_OK && in->guard && (pol->flags & SRT_POL_ALLOW_GIT_CONFIG))
        r = fsl_vec_push(a, "--allow-git-config");
    for (size_t i = 0; r == SRT_OK && i + 1 < in->plan->expect.n; i += 2) {
        r = fsl_vec_push(a, "--expect");
        if (r == SRT_OK) r = fsl_vec_push(a, in->plan->expect.v[i]);
        if (r == SRT_OK) r = fsl_vec_push(a, in->plan->expect.v[i + 1]);
    }
    for (size_t i = 0; r == SRT_OK && i < in->plan->ll_write.n; i++) {
        r = fsl_vec_push(a, "--ll-write");
        if (r == SRT_OK)
            r = fsl_vec_push(a, in->plan->ll_write.v[i]);
    }
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    for (size_t i = 0; r == SRT_OK && argv[i]; i++)
        r = fsl_vec_push(a, argv[i]);
    return r;
}

int fsl_launch_env(const struct srt_policy *pol, const char *const *envp, struct fsl_vec *out)
{
    bool set_tmp = pol->tmpdir && !(pol->flags & SRT_POL_FS_DISABLED);
    for (size_t i = 0; envp && envp[i]; i++) {
        if (strncmp(envp[i], "SANDBOX_RUNTIME=", 16) == 0 ||
            (set_tmp && strncmp(envp[i], "TMPDIR=", 7) == 0))
            continue;
        if (fsl_vec_push(out, envp[i]) != SRT_OK)
            return SRT_ENOMEM;
    }
    int r = fsl_vec_push(out, "SANDBOX_RUNTIME=1");
    if (r == SRT_OK && set_tmp)
        r = fsl_vec_pushf(out, "TMPDIR=%s", pol->tmpdir);
    return r;
}
