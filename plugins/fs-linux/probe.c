/* probe.c - what this machine offers the fs-linux enforcer: bubblewrap and
 * whether it knows --disable-userns, user namespaces, Landlock, seccomp, the
 * create guard's seccomp user notification and the launcher; which mode a run gets (bwrap or the weaker nested mode).
 *
 * The findings are text lines for `srtctl doctor` ("ok: ...",
 * "missing: ... (fix: ...)", "degraded: ..."); plugin.c passes them on.
 * Host-free. */
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fsl_int.h"

#define FSL_WEAK_MIN_ABI 4      /* Landlock TCP port rules (Linux 6.7) */

int fsl_mode_parse(const char *text, enum fsl_mode *out, char *err, size_t errlen)
{
    if (strcmp(text, "bwrap") == 0)
        *out = FSL_MODE_BWRAP;
    else if (strcmp(text, "weaker-nested") == 0)
        *out = FSL_MODE_WEAK;
    else {
        snprintf(err, errlen, "fs-linux option force_mode: expected \"bwrap\" or "
                 "\"weaker-nested\", got \"%s\"", text);
        return SRT_EINVAL;
    }
    return SRT_OK;
}

char *fsl_find_bwrap(const struct srt_policy *policy)
{
    if (policy && policy->bwrap_path)
        return access(policy->bwrap_path, X_OK) == 0 ? strdup(policy->bwrap_path) : NULL;
    const char *path = getenv("PATH");
    char *dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *found = NULL;
    for (char *save = NULL, *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *cand = d[0] == '/' ? fsl_path_join(d, "bwrap") : NULL;
        if (cand && access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    free(dirs);
    return found;
}

/* The help text is in the binary, so look for the options' names there
 * instead of running `bwrap --help` on every start (an exec costs more than
 * the search). */
void fsl_bwrap_caps_read(const char *bwrap, struct fsl_bwrap_caps *caps)
{
    static const char userns[] = "--disable-userns", bindfd[] = "--bind-fd";
    caps->disable_userns = caps->bind_fd = 0;
    int fd = open(bwrap, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        st.st_size < 64 * 1024 * 1024) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            caps->disable_userns = memmem(map, (size_t)st.st_size, userns, sizeof userns - 1) != NULL;
            caps->bind_fd = memmem(map, (size_t)st.st_size, bindfd, sizeof bindfd - 1) != NULL;
            munmap(map, (size_t)st.st_size);
        }
    }
    close(fd);
}

/* Read from the sysctls rather than tried in a child, to keep start-up
 * cheap; `srtctl doctor` does the real attempt, and bwrap fails closed if
 * the kernel refuses after all. */
bool fsl_userns_allowed(void)
{
    char buf[32];
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
    bool ok = f && fgets(buf, sizeof buf, f) && atol(buf) > 0;
    if (f)
        fclose(f);
    if (ok && geteuid() != 0 && (f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re"))) {
        ok = fgets(buf, sizeof buf, f) && atol(buf) > 0;
        fclose(f);
    }
    return ok;
}

/* Namespaces when the machine has them (stronger), even with the flag set;
 * the weaker mode only when they are missing and the policy opts in. */
enum fsl_mode fsl_mode_for(enum fsl_mode force, const struct srt_policy *policy)
{
    if (force != FSL_MODE_AUTO)
        return force;
    if (fsl_userns_allowed())
        return FSL_MODE_BWRAP;
    return policy && (policy->flags & SRT_POL_WEAKER_NESTED) ? FSL_MODE_WEAK : FSL_MODE_BWRAP;
}

/* Append one finding to out->detail; what does not fit is dropped. */
__attribute__((format(printf, 2, 3)))
static void fsl_note(struct srt_probe *out, const char *fmt, ...)
{
    size_t len = strlen(out->detail);
    va_list ap;
    va_start(ap, fmt);
    if (len < sizeof out->detail - 1)
        vsnprintf(out->detail + len, sizeof out->detail - len, fmt, ap);
    va_end(ap);
}

/* Asked once per process: both the instance and every probe want it. */
bool fsl_guard_available(void)
{
    static int known = -1;
    uint32_t action = SECCOMP_RET_USER_NOTIF;
    struct utsname u;
    unsigned major, minor;

    if (known < 0)
        /* The guard answers opens with SECCOMP_ADDFD_FLAG_SEND (Linux 5.14). */
        known = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0 &&
                uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
                (major > 5 || (major == 5 && minor >= 14));
    return known;
}

static long fsl_landlock_abi(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

/* Seccomp, the create guard and the launcher, for both modes; ends the text. */
static void fsl_probe_common(const struct fsl_probe_in *in, struct srt_probe *out)
{
    if (fsl_guard_available())
        fsl_note(out, "ok: create guard: dangerous names refused when made during the run\n");
    else
        fsl_note(out, "degraded: no create guard: dangerous names made during the run are only "
                      "reported afterwards (fix: linux >= 5.14 with seccomp user notification)\n");
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0) {
        fsl_note(out, "ok: seccomp\n");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: seccomp (fix: a kernel with CONFIG_SECCOMP_FILTER)\n");
    }

    if (access(in->launcher, X_OK) == 0) {
        fsl_note(out, "ok: launcher %s\n", in->launcher);
    } else {
        out->usable = 0;
        fsl_note(out, "missing: launcher %s (fix: install srt-linux-launch or set the fs-linux "
                      "option launcher)\n", in->launcher);
    }
    size_t len = strlen(out->detail);
    if (len && out->detail[len - 1] == '\n')
        out->detail[len - 1] = '\0';
}

static void fsl_probe_weak(const struct fsl_probe_in *in, struct srt_probe *out)
{
    snprintf(out->mode, sizeof out->mode, "weaker-nested");
    fsl_note(out, "degraded: weaker nested mode (%s): Landlock + seccomp only, no namespaces; "
                  "host processes visible, TCP limited by port not address, denied files "
                  "fail with EACCES instead of being hidden (see the fs-linux README)\n",
             in->force == FSL_MODE_WEAK ? "forced by force_mode"
                                        : "no user namespaces, enableWeakerNestedSandbox set");
    long abi = fsl_landlock_abi();
    if (abi >= 6) {
        fsl_note(out, "ok: landlock ABI %ld (tcp port rules, signal and abstract-socket scoping)\n",
                 abi);
    } else if (abi >= FSL_WEAK_MIN_ABI) {
        fsl_note(out, "degraded: landlock ABI %ld: signals and abstract unix sockets are not "
                      "scoped to the sandbox (fix: linux >= 6.12)\n", abi);
    } else {
        out->usable = 0;
        fsl_note(out, "missing: landlock ABI >= %d for the weaker nested mode, have %ld "
                      "(fix: linux >= 6.7 with landlock in lsm=)\n", FSL_WEAK_MIN_ABI,
                 abi < 0 ? 0 : abi);
    }
    fsl_note(out, "ok: no memory limit in this mode (option max_memory_mib would be refused)\n");
    fsl_probe_common(in, out);
}

void fsl_probe_check(const struct fsl_probe_in *in, struct srt_probe *out,
                     struct fsl_bwrap_caps *caps)
{
    const struct srt_policy *policy = in->policy;
    out->usable = 1;
    out->detail[0] = '\0';
    if (fsl_mode_for(in->force, policy) == FSL_MODE_WEAK) {
        fsl_probe_weak(in, out);
        return;
    }
    snprintf(out->mode, sizeof out->mode, "bwrap");

    char *bwrap = fsl_find_bwrap(policy);
    if (bwrap) {
        fsl_bwrap_caps_read(bwrap, caps);
        fsl_note(out, "ok: bwrap %s%s\n", bwrap,
                 caps->disable_userns ? " (--disable-userns)" : " (no --disable-userns: bwrap < 0.8)");
        if (caps->bind_fd)
            fsl_note(out, "ok: bind mounts from descriptors (--bind-fd)\n");
        else
            fsl_note(out, "degraded: bwrap has no --bind-fd: binds by path, checked after "
                          "mounting (fix: bubblewrap >= 0.10)\n");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: bwrap%s%s (fix: apt install bubblewrap, or set bwrapPath)\n",
                 policy && policy->bwrap_path ? " at " : " in PATH",
                 policy && policy->bwrap_path ? policy->bwrap_path : "");
    }
    free(bwrap);

    if (fsl_userns_allowed()) {
        fsl_note(out, "ok: user namespaces allowed\n");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: user namespaces (fix: sysctl user.max_user_namespaces>0 and "
                      "kernel.unprivileged_userns_clone=1, or set enableWeakerNestedSandbox: "
                      "true (weaker))\n");
    }

    const char *pids = geteuid() == 0 ? fsl_pids_hierarchy() : NULL;
    if (geteuid() != 0)
        fsl_note(out, "ok: process limit: RLIMIT_NPROC in the sandbox's user namespace\n");
    else if (pids)
        fsl_note(out, "ok: process limit: a pids cgroup per run under %s\n", pids);
    else
        fsl_note(out, "degraded: no process limit for root callers: no pids cgroup hierarchy "
                      "(fix: enable the pids controller at the cgroup root)\n");

    const char *mem = geteuid() == 0 ? fsl_mem_hierarchy() : NULL;
    if (mem)
        fsl_note(out, "ok: memory limit (option max_memory_mib): a memory cgroup per run under "
                      "%s\n", mem);
    else
        fsl_note(out, "ok: no memory limit for %s (option max_memory_mib would be refused)\n",
                 geteuid() == 0 ? "this machine: no memory cgroup hierarchy" : "non-root callers");

    long abi = fsl_landlock_abi();
    if (abi >= 1) {
        fsl_note(out, "ok: landlock ABI %ld\n", abi);
    } else {
        fsl_note(out, "degraded: landlock unavailable, no second write layer "
                      "(fix: boot with lsm=...,landlock)\n");
    }

    fsl_probe_common(in, out);
}
