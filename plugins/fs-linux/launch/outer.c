/* outer.c - `srt-linux-launch --outer --ctl-fd N [--userns] [--cgroup DIR]...
 *             -- BWRAP_ARGV...`, or the same with --prestarted and no argv
 *
 * Runs on the host side between srt and bwrap (DESIGN.md 5.1): ties itself
 * to srt's lifetime, enters a fresh network namespace with only an up
 * loopback, opens the proxy listeners there, sends them to srt over the
 * control socket and execs bwrap, which inherits the namespace (so the plan
 * carries no --unshare-net). Prestarted (srt_enforcer_ops.prestart), it runs
 * while srt still builds the plan, and bwrap's argv and environment come
 * afterwards over the plan channel named by SRT_PLAN_FD; without a complete
 * plan nothing is run. Any failure is reported on stderr and, when the
 * control socket is usable, to srt too; bwrap is then never run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch_int.h"

extern char **environ;

struct launch_outer_args {
    int    ctl_fd;
    bool   userns;
    bool   prestarted;
    const char *cgroup[2];  /* the run's cgroups to join first (pids, memory) */
    size_t n_cgroup;
    char **bwrap_argv;   /* NULL when prestarted, until the plan came */
    char **bwrap_envp;
};

static int launch_outer_parse(int argc, char **argv, struct launch_outer_args *a,
                              struct launch_error *err)
{
    int i;

    a->ctl_fd = -1;
    a->userns = false;
    a->prestarted = false;
    a->n_cgroup = 0;
    a->bwrap_argv = NULL;
    a->bwrap_envp = environ;
    for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--userns") == 0) {
            a->userns = true;
        } else if (strcmp(argv[i], "--prestarted") == 0) {
            a->prestarted = true;
        } else if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc) {
            if (a->n_cgroup == sizeof a->cgroup / sizeof a->cgroup[0])
                return launch_fail(err, E2BIG, "too many --cgroup options");
            a->cgroup[a->n_cgroup++] = argv[++i];
        } else if (strcmp(argv[i], "--ctl-fd") == 0 && i + 1 < argc) {
            int rc = launch_parse_fd("control fd", argv[++i], &a->ctl_fd, err);
            if (rc < 0)
                return rc;
        } else {
            return launch_fail(err, EINVAL, "unknown outer option %s", argv[i]);
        }
    }
    if (a->ctl_fd < 0)
        return launch_fail(err, EINVAL, "missing --ctl-fd");
    if (a->prestarted)
        return i < argc ? launch_fail(err, EINVAL, "a prestarted outer stage takes no command")
                        : 0;
    if (i + 1 >= argc)
        return launch_fail(err, EINVAL, "missing bwrap command after --");
    if (argv[i + 1][0] != '/')
        return launch_fail(err, EINVAL, "bwrap path %s is not absolute", argv[i + 1]);
    a->bwrap_argv = argv + i + 1;
    return 0;
}

static int launch_outer_check_ctl(int fd, struct launch_error *err)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return launch_fail(err, errno, "cannot use control fd %d: %s", fd, strerror(errno));
    if (!S_ISSOCK(st.st_mode))
        return launch_fail(err, ENOTSOCK, "cannot use control fd %d: not a socket", fd);
    return 0;
}

static int launch_outer_run(const struct launch_outer_args *a, struct launch_error *err)
{
    struct launch_listeners ls = { .n = 0 };
    int rc = launch_netns_enter(a->userns, err);

    if (rc == 0)
        rc = launch_netns_setup_lo(err);
    if (rc == 0)
        rc = launch_listeners_open(&ls, err);
    if (rc < 0)
        return rc;
    rc = launch_ctl_send(a->ctl_fd, &ls, NULL, err);
    /* srt holds its own copies now; nothing in the sandbox may accept(). */
    launch_listeners_close(&ls);
    /* srt closed the control socket: it refused the run and says why */
    if (rc == -EPIPE || rc == -ECONNRESET)
        rc = -ECANCELED;
    return rc;
}

int launch_outer_main(int argc, char **argv)
{
    pid_t parent = getppid();
    struct launch_outer_args a;
    struct launch_error err = { 0 };
    int rc = launch_outer_parse(argc, argv, &a, &err);

    /* srt may die at any moment; the sandbox must not outlive it
     * (REFERENCE.md 1.6). The parent-death signal survives the exec of bwrap,
     * but not a change of credentials: it is set again below. */
    if (rc == 0)
        rc = launch_tie_to_parent(parent, &err);
    if (rc == 0)
        rc = launch_outer_check_ctl(a.ctl_fd, &err);
    /* Before anything of the sandbox exists: all of it inherits the cgroups. */
    for (size_t i = 0; rc == 0 && i < a.n_cgroup; i++)
        rc = launch_cgroup_join(a.cgroup[i], &err);
    if (rc == 0) {
        rc = launch_outer_run(&a, &err);
        if (rc < 0 && rc != -ECANCELED) {
            struct launch_error ignored;
            launch_ctl_send(a.ctl_fd, NULL, &err, &ignored);
        }
    }
    /* Again: unshare(CLONE_NEWUSER) changed our credentials, and the kernel
     * clears the parent-death signal on such a change. */
    if (rc == 0)
        rc = launch_tie_to_parent(parent, &err);
    if (rc == 0 && a.prestarted)
        rc = launch_plan_recv(&a.bwrap_argv, &a.bwrap_envp, &err);
    if (rc == 0)
        rc = launch_bindfd_take(a.ctl_fd, a.bwrap_argv, &err);
    if (a.ctl_fd >= 0)
        close(a.ctl_fd);
    if (rc == -ECANCELED)
        return LAUNCH_EXIT_SETUP;   /* srt refused the run and said why */
    if (rc == 0) {
        execve(a.bwrap_argv[0], a.bwrap_argv, a.bwrap_envp);
        launch_fail(&err, errno, "cannot run %s: %s", a.bwrap_argv[0], strerror(errno));
    }
    fprintf(stderr, "srt-linux-launch: %s\n", err.msg);
    return LAUNCH_EXIT_SETUP;
}
