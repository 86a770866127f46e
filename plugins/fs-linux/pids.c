/* pids.c - a process limit for the sandbox, and an optional memory limit
 * (THREATS K11).
 *
 * Unprivileged callers get RLIMIT_NPROC from the inner stage: counted per
 * user namespace since Linux 5.14, it bounds the sandbox's processes without
 * touching the caller's others. The kernel exempts uid 0 from that limit, so
 * for root callers the run gets a pids cgroup of its own, made here at the
 * root of the pids hierarchy (cgroup v2 when its root delegates the pids
 * controller, else the v1 pids hierarchy), which the outer stage joins
 * before bwrap starts; every process of the sandbox inherits it. Where
 * neither exists the caller is told, and the run goes on: the limit guards
 * the host against a fork bomb, it is not a wall of the sandbox. Empty
 * cgroups of earlier runs (srt killed) are removed on the way.
 *
 * A memory limit (option max_memory_mib) is a memory cgroup the same way:
 * the same cgroup on v2 when its root delegates both controllers, a second
 * one in the v1 memory hierarchy otherwise. It exists only where srt can
 * make one, for root callers; anyone who asked for it elsewhere is refused,
 * since a limit that was asked for and silently missing would be worse than
 * none. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsl_int.h"

#define FSL_CG_V2   "/sys/fs/cgroup"
#define FSL_CG_V1   "/sys/fs/cgroup/pids"
#define FSL_CG_V1_MEM "/sys/fs/cgroup/memory"
#define FSL_CG_NAME "srt-"
#define FSL_CG_SWEEP_AGE_S 60

/* Does the v2 root hand `controller` to its children? */
static bool fsl_cg_v2_delegates(const char *controller)
{
    char buf[512] = "";
    int fd = open(FSL_CG_V2 "/cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
        if (strcmp(w, controller) == 0)
            return true;
    return false;
}

/* The v2 root when it delegates `controller`, else the v1 hierarchy `v1`
 * when srt may make cgroups there, else NULL. */
static const char *fsl_cg_hierarchy(const char *controller, const char *v1)
{
    if (access(FSL_CG_V2 "/cgroup.controllers", F_OK) == 0)
        return fsl_cg_v2_delegates(controller) ? FSL_CG_V2 : NULL;
    char procs[PATH_MAX];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", v1);
    return access(procs, W_OK) == 0 ? v1 : NULL;
}

const char *fsl_pids_hierarchy(void)
{
    return fsl_cg_hierarchy("pids", FSL_CG_V1);
}

const char *fsl_mem_hierarchy(void)
{
    return fsl_cg_hierarchy("memory", FSL_CG_V1_MEM);
}

/* rmdir succeeds only on a cgroup without processes: the ones of runs that
 * are gone, but also one another srt made a moment ago and whose outer
 * stage has not joined it yet. Only those older than a minute are taken. */
static void fsl_pids_sweep(const char *base)
{
    DIR *d = opendir(base);
    if (!d)
        return;
    time_t old = time(NULL) - FSL_CG_SWEEP_AGE_S;
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, FSL_CG_NAME, strlen(FSL_CG_NAME)) == 0 &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
            st.st_mtime < old)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    closedir(d);
}

static int fsl_pids_write(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The run's cgroup srt-<id> under `base` (made, or there already when
 * another controller of the same v2 cgroup came first) with `file` set to
 * `value`; *dir is its path. */
static int fsl_cg_make(const char *base, const char *id, const char *file, const char *value,
                       char **dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" FSL_CG_NAME "%s", base, id);
    if (mkdir(path, 0755) == 0) {
        fsl_pids_sweep(base);   /* once per hierarchy and run; ours is young */
    } else if (errno != EEXIST) {
        snprintf(err, errlen, "create cgroup %s: %s", path, strerror(errno));
        return SRT_EIO;
    }
    if (fsl_pids_write(path, file, value) != 0) {
        int e = errno;
        rmdir(path);
        snprintf(err, errlen, "set %s/%s: %s", path, file, strerror(e));
        return SRT_EIO;
    }
    if (!(*dir = strdup(path))) {
        rmdir(path);
        return SRT_ENOMEM;
    }
    return SRT_OK;
}

int fsl_pids_cgroup(const char *id, int64_t max, char **dir, char *err, size_t errlen)
{
    *dir = NULL;
    const char *base = max > 0 && geteuid() == 0 ? fsl_pids_hierarchy() : NULL;
    if (!base)
        return SRT_OK;
    char limit[32];
    snprintf(limit, sizeof limit, "%lld\n", (long long)max);
    return fsl_cg_make(base, id, "pids.max", limit, dir, err, errlen);
}

int fsl_mem_cgroup(const char *id, int64_t mib, char **dir, char *err, size_t errlen)
{
    *dir = NULL;
    if (mib <= 0)
        return SRT_OK;
    const char *base = geteuid() == 0 ? fsl_mem_hierarchy() : NULL;
    if (!base) {
        snprintf(err, errlen, "fs-linux option max_memory_mib: a memory limit needs a memory "
                 "cgroup, which srt makes only for root callers on a machine with the memory "
                 "controller");
        return SRT_EPERM;
    }
    char limit[32];
    snprintf(limit, sizeof limit, "%lld\n", (long long)mib * 1024 * 1024);
    return fsl_cg_make(base, id, strcmp(base, FSL_CG_V2) == 0 ? "memory.max"
                                                              : "memory.limit_in_bytes",
                       limit, dir, err, errlen);
}

void fsl_pids_cgroup_remove(const char *dir)
{
    /* The sandbox's processes are reaped by now; a straggler still leaving
     * makes rmdir fail with EBUSY for a moment. */
    for (int i = 0; dir && i < 20 && rmdir(dir) != 0 && errno == EBUSY; i++)
        usleep(1000);
}
