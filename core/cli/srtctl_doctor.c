/* srtctl_doctor.c - `srtctl doctor`: can this machine run srt, and if not,
 * what to do about it. Prints one finding per line ("ok", "warn", "missing"
 * with a fix hint) under a few headings, and exits 1 when a sandboxed run
 * would be refused. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <srt/fs.h>

#include "deploy_int.h"
#include "registry_int.h"
#include "run_int.h"
#include "settings_int.h"
#include "srtctl_int.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

static int doctor_read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* Can an unprivileged-style user namespace be created here? */
static int doctor_userns(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int doctor_kernel(void)
{
    int bad = 0;
    char buf[512];
    printf("kernel:\n");
    if (doctor_userns()) {
        printf("  ok: user namespaces can be created\n");
    } else {
        bad = 1;
        printf("  missing: user namespaces (fix: sysctl user.max_user_namespaces=15000; in a "
               "container allow unshare, or set enableWeakerNestedSandbox)\n");
    }
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi > 0)
        printf("  ok: Landlock ABI %ld%s\n", abi,
               abi >= 6 ? " (signal and abstract socket scoping)" : "");
    else
        printf("  warn: Landlock unavailable (%s): bubblewrap stays the only filesystem layer "
               "(fix: boot with lsm=...,landlock)\n", strerror(errno));
    if (doctor_read_line("/proc/sys/kernel/seccomp/actions_avail", buf, sizeof buf) == 0) {
        int notif = strstr(buf, "user_notif") != NULL;
        printf("  ok: seccomp actions: %s\n", buf);
        if (!notif)
            printf("  warn: no seccomp user notification: write-intent observation unavailable\n");
    } else {
        bad = 1;
        printf("  missing: seccomp filters (fix: a kernel with CONFIG_SECCOMP_FILTER)\n");
    }
    return bad;
}

static int doctor_deps(void)
{
    printf("dependencies:\n");
    FILE *p = popen("bwrap --version 2>/dev/null", "r");
    char ver[128] = "";
    if (p) {
        if (!fgets(ver, sizeof ver, p))
            ver[0] = '\0';
        pclose(p);
    }
    ver[strcspn(ver, "\n")] = '\0';
    if (ver[0]) {
        printf("  ok: %s\n", ver);
        return 0;
    }
    printf("  missing: bubblewrap (fix: apt-get install bubblewrap)\n");
    return 1;
}

static void doctor_print_detail(const char *detail)
{
    const char *line = detail;
    while (*line) {
        size_t n = strcspn(line, "\n");
        if (n)
            printf("  %.*s\n", (int)n, line);
        line += n + (line[n] == '\n');
    }
}

static int doctor_backend(const char *deploy_path, const char *settings_path)
{
    printf("deployment:\n");
    struct srt_error err;
    memset(&err, 0, sizeof err);
    struct srt_deploy *d = NULL;
    struct srt_registry *reg = NULL;
    struct srt_settings *s = NULL;
    int bad = 1;
    if (srt_deploy_load(deploy_path, srt_run_home(), &d, &err) != SRT_OK) {
        printf("  missing: a valid srt.conf: %s\n", err.msg);
        return 1;
    }
    printf("  ok: config %s\n", srt_deploy_source(d));
    char cwd[PATH_MAX];
    struct srt_settings_ctx ctx = { .cwd = getcwd(cwd, sizeof cwd) ? cwd : "/",
                                    .home = srt_run_home(), .tmpdir = NULL };
    if (srt_settings_load(settings_path, &ctx, &s, &err) != SRT_OK) {
        printf("  missing: valid settings: %s\n", err.msg);
        goto out;
    }
    printf("  ok: settings valid\n");
    if (srt_registry_new(getuid(), &reg, &err) != SRT_OK) {
        printf("  missing: %s\n", err.msg);
        goto out;
    }
    size_t n_dirs;
    const char *const *dirs = srt_deploy_plugin_path(d, &n_dirs);
    const char *name = srt_deploy_enforcer(d);
    struct srt_plugin *enf;
    if (srt_registry_load(reg, name, SRT_KIND_ENFORCER, dirs, n_dirs, srt_deploy_config(d, name),
                          &enf, &err) != SRT_OK) {
        printf("  missing: enforcer: %s\n", err.msg);
        goto out;
    }
    bad = 0;
    size_t n;
    const char *const *names = srt_deploy_proxies(d, &n);
    for (size_t i = 0; i < n; i++)
        if (srt_registry_load(reg, names[i], SRT_KIND_PROXY, dirs, n_dirs,
                              srt_deploy_config(d, names[i]), NULL, &err) != SRT_OK) {
            printf("  missing: proxy: %s\n", err.msg);
            bad = 1;
        }
    names = srt_deploy_monitors(d, &n);
    for (size_t i = 0; i < n; i++)
        if (srt_registry_load(reg, names[i], SRT_KIND_MONITOR, dirs, n_dirs,
                              srt_deploy_config(d, names[i]), NULL, &err) != SRT_OK) {
            printf("  missing: monitor: %s\n", err.msg);
            bad = 1;
        }
    for (size_t i = 0; i < srt_registry_count(reg); i++) {
        const struct srt_plugin_desc *pd = srt_loader_desc(srt_registry_get(reg, i));
        printf("  ok: plugin %s %s\n", pd->name, pd->version ? pd->version : "?");
    }
    const struct srt_plugin_desc *ed = srt_loader_desc(enf);
    struct srt_probe pr;
    memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    printf("backend %s:\n", ed->name);
    if (ed->ops.enforcer->probe(srt_loader_inst(enf), srt_settings_policy(s), &pr, &err) != SRT_OK) {
        printf("  missing: probe failed: %s\n", err.msg);
        bad = 1;
    } else {
        doctor_print_detail(pr.detail);
        printf("  %s: mode %s\n", pr.usable ? "ok" : "missing", pr.usable ? pr.mode : "none usable");
        if (!pr.usable || !ed->ops.enforcer->prepare) {
            if (pr.usable)
                printf("  missing: %s cannot prepare sandboxes in this version\n", ed->name);
            bad = 1;
        }
    }
out:
    srt_registry_free(reg);
    srt_settings_free(s);
    srt_deploy_free(d);
    return bad;
}

int srtctl_doctor(int argc, char **argv)
{
    const char *deploy_path = NULL, *settings_path = NULL;
    int rc = srtctl_common_opts("doctor", argc, argv, &settings_path, &deploy_path);
    if (rc)
        return rc;
    int bad = doctor_deps();
    bad |= doctor_kernel();
    bad |= doctor_backend(deploy_path, settings_path);
    printf("%s\n", bad ? "result: srt cannot sandbox commands here (see 'missing' above)"
                       : "result: ready");
    return bad ? 1 : 0;
}
