/* inner.c - `srt-linux-launch --inner [--allow-unix] [--allow-nested-userns]
 *            [--expect DEV:INO PATH]... [--ll-write PATH]... [--keep-fd N]...
 *            [--max-procs N] [--nofile N] [--lifeline-fd N]
 *            [--guard [--allow-git-config]] -- CMD ARGV...`
 *
 * Runs inside bwrap, last before the command (DESIGN.md 5.1): first checks
 * that every bind mount landed on the file srt checked (--expect, THREATS
 * F2), then Landlock as a second write layer, no_new_privs, the seccomp
 * filter, then (under the lifeline watcher) the create guard (guard.c),
 * then a clean process state (no stray descriptors, default signals) and
 * exec. If Landlock is
 * missing the command still runs, since bwrap is the primary layer and the
 * plugin's probe reports it; every other failure stops here with exit 125 so
 * the command never runs with less than the full filter. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch_int.h"

#define LAUNCH_MAX_WRITE  256
#define LAUNCH_MAX_KEEP   64

struct launch_inner_args {
    unsigned    sc_flags;
    const char *write[LAUNCH_MAX_WRITE];
    size_t      n_write;
    int         keep[LAUNCH_MAX_KEEP];
    size_t      n_keep;
    int         lifeline;    /* --lifeline-fd, or -1 */
    long        max_procs;   /* --max-procs, 0: no limit */
    long        nofile;      /* --nofile: the caller's soft descriptor limit, 0: keep */
    bool        guard;       /* --guard: refuse dangerous names made during the run */
    bool        git_config_ok;  /* --allow-git-config: the guard lets git config be made */
    char      **expect;      /* --expect DEV:INO PATH: argv entries, in pairs */
    size_t      n_expect;
    char      **cmd;
};

/* bwrap's --dev is a private tmpfs: /dev/null, /dev/tty and ptys must stay
 * writable (and their ioctls usable) whatever the write list says. */
static const char launch_inner_dev[] = "/dev";

static int launch_inner_parse(int argc, char **argv, struct launch_inner_args *a,
                              struct launch_error *err)
{
    int i, rc;

    memset(a, 0, sizeof(*a));
    a->lifeline = -1;
    a->write[a->n_write++] = launch_inner_dev;
    for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--allow-unix") == 0) {
            a->sc_flags |= LAUNCH_SC_ALLOW_UNIX;
        } else if (strcmp(argv[i], "--allow-nested-userns") == 0) {
            a->sc_flags |= LAUNCH_SC_ALLOW_NESTED_USERNS;
        } else if (strcmp(argv[i], "--guard") == 0) {
            a->guard = true;
        } else if (strcmp(argv[i], "--allow-git-config") == 0) {
            a->git_config_ok = true;
        } else if (strcmp(argv[i], "--ll-write") == 0 && i + 1 < argc) {
            if (a->n_write == LAUNCH_MAX_WRITE)
                return launch_fail(err, E2BIG, "too many --ll-write paths");
            a->write[a->n_write++] = argv[++i];
        } else if (strcmp(argv[i], "--expect") == 0 && i + 2 < argc) {
            /* one per bind mount, so as many as the plan has: no fixed cap */
            if (!a->expect && !(a->expect = calloc((size_t)argc, sizeof *a->expect)))
                return launch_fail(err, ENOMEM, "cannot parse --expect: out of memory");
            a->expect[2 * a->n_expect] = argv[++i];
            a->expect[2 * a->n_expect + 1] = argv[++i];
            a->n_expect++;
        } else if (strcmp(argv[i], "--nofile") == 0 && i + 1 < argc) {
            if (launch_parse_int(argv[++i], 1, LONG_MAX, &a->nofile) < 0)
                return launch_fail(err, EINVAL, "invalid --nofile %s", argv[i]);
        } else if (strcmp(argv[i], "--max-procs") == 0 && i + 1 < argc) {
            if (launch_parse_int(argv[++i], 1, LONG_MAX, &a->max_procs) < 0)
                return launch_fail(err, EINVAL, "invalid --max-procs %s", argv[i]);
        } else if (strcmp(argv[i], "--lifeline-fd") == 0 && i + 1 < argc) {
            if ((rc = launch_parse_fd("--lifeline-fd", argv[++i], &a->lifeline, err)) < 0)
                return rc;
        } else if (strcmp(argv[i], "--keep-fd") == 0 && i + 1 < argc) {
            int fd;
            if ((rc = launch_parse_fd("--keep-fd", argv[++i], &fd, err)) < 0)
                return rc;
            if (a->n_keep == LAUNCH_MAX_KEEP)
                return launch_fail(err, E2BIG, "too many --keep-fd descriptors");
            a->keep[a->n_keep++] = fd;
        } else {
            return launch_fail(err, EINVAL, "unknown inner option %s", argv[i]);
        }
    }
    if (i + 1 >= argc)
        return launch_fail(err, EINVAL, "missing command after --");
    /* the watcher answers the guard: there is none without it */
    if (a->guard && a->lifeline < 0)
        return launch_fail(err, EINVAL, "--guard needs --lifeline-fd");
    a->cmd = argv + i + 1;
    return 0;
}

/* Each bind's destination must be the file srt checked: a directory swapped
 * for a symlink between srt's check and bwrap's mount shows up here as a
 * symlink or another inode. A destination a later mount hid (ENOENT) shows
 * nothing to compare. */
static int launch_inner_verify(const struct launch_inner_args *a, struct launch_error *err)
{
    for (size_t i = 0; i < a->n_expect; i++) {
        unsigned long long dev, ino;
        char tail;
        if (sscanf(a->expect[2 * i], "%llu:%llu%c", &dev, &ino, &tail) != 2)
            return launch_fail(err, EINVAL, "bad --expect identity %s", a->expect[2 * i]);
        struct stat st;
        if (lstat(a->expect[2 * i + 1], &st) != 0) {
            if (errno == ENOENT)
                continue;
            return launch_fail(err, errno, "cannot check the mount at %s: %s", a->expect[2 * i + 1],
                               strerror(errno));
        }
        if ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino)
            return launch_fail(err, EXDEV, "the mount at %s is not the file srt checked "
                               "(replaced during setup?)", a->expect[2 * i + 1]);
    }
    return 0;
}

static int launch_inner_confine(const struct launch_inner_args *a, struct launch_error *err)
{
    struct launch_ll_policy ll = {
        .write = a->write, .n_write = a->n_write,
        .scope_unix = !(a->sc_flags & LAUNCH_SC_ALLOW_UNIX),
    };
    int rc = launch_no_new_privs(err);

    if (rc < 0)
        return rc;
    rc = launch_landlock_apply(&ll, err);
    if (rc < 0 && rc != -EOPNOTSUPP)
        return rc;
    return launch_seccomp_apply(a->sc_flags, err);
}

int launch_inner_main(int argc, char **argv)
{
    struct launch_inner_args a;
    struct launch_guard guard = LAUNCH_GUARD_OFF;
    struct launch_error err = { 0 };
    int rc = launch_inner_parse(argc, argv, &a, &err);

    if (rc == 0)
        rc = launch_inner_verify(&a, &err);
    /* Before the watcher forks: it counts as one of them. */
    if (rc == 0 && a.max_procs > 0)
        rc = launch_nproc_limit(a.max_procs, &err);
    /* Its socket pair before the filter refuses new unix sockets. */
    if (rc == 0 && a.guard)
        rc = launch_guard_prepare(&guard, !a.git_config_ok, &err);
    if (rc == 0)
        rc = launch_inner_confine(&a, &err);
    /* The watcher forks the command off after the confinement, so both run
     * under it; the command's copy of the lifeline goes with close_fds. */
    if (rc == 0 && a.lifeline >= 0)
        rc = launch_watch(a.lifeline, &guard, &err);
    /* Only the command's side: the descriptors above 2 are closed next. */
    if (rc == 0 && a.nofile > 0)
        rc = launch_bindfd_nofile(a.nofile, &err);
    launch_finish(rc, a.keep, a.n_keep, a.cmd, &err);
}
