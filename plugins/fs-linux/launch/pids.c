/* pids.c - the launcher's side of the sandbox's process limit (../pids.c,
 * THREATS K11): the outer stage moves itself into the run's pids cgroup
 * before anything of the sandbox exists, and the inner stage sets
 * RLIMIT_NPROC, which counts per user namespace and binds every caller but
 * root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "launch_int.h"

/* A cgroup v1 hierarchy also takes a single task through its "tasks"
 * file, which the kernel moves without its threadgroup rwsem: writing
 * cgroup.procs takes that rwsem for writing and now and then waits an RCU
 * grace period for it, several ms on the start-up path. The outer stage
 * is single-threaded here, so moving the task moves the process. cgroup
 * v2 has no such file for domain cgroups. */
int launch_cgroup_join(const char *dir, struct launch_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tasks", dir);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        snprintf(path, sizeof path, "%s/cgroup.procs", dir);
        fd = open(path, O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return launch_fail(err, errno, "cannot join cgroup %s: %s", dir, strerror(errno));
    /* "0" is the writer itself */
    ssize_t n = write(fd, "0\n", 2);
    int e = errno;
    close(fd);
    if (n != 2)
        return launch_fail(err, e, "cannot join cgroup %s: %s", dir, strerror(e));
    return 0;
}

int launch_nproc_limit(long max, struct launch_error *err)
{
    struct rlimit rl = { (rlim_t)max, (rlim_t)max };
    if (setrlimit(RLIMIT_NPROC, &rl) != 0)
        return launch_fail(err, errno, "cannot limit processes to %ld: %s", max, strerror(errno));
    return 0;
}
