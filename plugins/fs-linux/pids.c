/* pids.c - a process limit for the sandbox (THREATS K11).
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
 * cgroups of earlier runs (srt killed) are removed on the way. */
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
#define FSL_CG_NAME "srt-"
#define FSL_CG_SWEEP_AGE_S 60

static bool fsl_pids_v2_delegates(void)
{
    char buf[512] = "";
    int fd = open(FSL_CG_V2 "/cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
        if (strcmp(w, "pids") == 0)
            return true;
    return false;
}

const char *fsl_pids_hierarchy(void)
{
    if (access(FSL_CG_V2 "/cgroup.controllers", F_OK) == 0)
        return fsl_pids_v2_delegates() ? FSL_CG_V2 : NULL;
    return access(FSL_CG_V1 "/cgroup.procs", W_OK) == 0 ? FSL_CG_V1 : NULL;
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

int fsl_pids_cgroup(const char *id, int64_t max, char **dir, char *err, size_t errlen)
{
    *dir = NULL;
    const char *base = max > 0 && geteuid() == 0 ? fsl_pids_hierarchy() : NULL;
    if (!base)
        return SRT_OK;
    fsl_pids_sweep(base);
    char path[PATH_MAX], limit[32];
    snprintf(path, sizeof path, "%s/" FSL_CG_NAME "%s", base, id);
    snprintf(limit, sizeof limit, "%lld\n", (long long)max);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "create pids cgroup %s: %s", path, strerror(errno));
        return SRT_EIO;
    }
    if (fsl_pids_write(path, "pids.max", limit) != 0) {
        int e = errno;
        rmdir(path);
        snprintf(err, errlen, "set %s/pids.max: %s", path, strerror(e));
        return SRT_EIO;
    }
    if (!(*dir = strdup(path))) {
        rmdir(path);
        return SRT_ENOMEM;
    }
    return SRT_OK;
}

void fsl_pids_cgroup_remove(const char *dir)
{
    /* The sandbox's processes are reaped by now; a straggler still leaving
     * makes rmdir fail with EBUSY for a moment. */
    for (int i = 0; dir && i < 20 && rmdir(dir) != 0 && errno == EBUSY; i++)
        usleep(1000);
}
