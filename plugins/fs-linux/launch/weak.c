/* weak.c - `srt-linux-launch --weak [--allow-unix] [--ll-read PATH]...
 *           [--ll-write PATH]... [--connect-port N]... [--keep-fd N]...
 *           [--guard [--allow-git-config] --report-fd N] -- CMD ARGV...`
 *
 * The weaker nested mode (DESIGN.md 5.5): for containers where bubblewrap
 * cannot create namespaces, the command runs on the host's namespaces and
 * this stage is all that confines it. In order: tie to srt's lifetime, a new
 * session, drop every capability, no_new_privs, Landlock (reads and writes by
 * allow-lists the plugin computed, TCP connect only to the proxy ports, no
 * TCP bind, signals and abstract sockets scoped), the seccomp filter with the
 * weak socket rules, then (with --guard) the create guard under a watcher
 * that stays the command's parent (watch.c), a clean process state, exec.
 * Any failure stops here with exit 125; unlike --inner there is no running
 * without Landlock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch_int.h"

#define LAUNCH_WEAK_MAX_PORTS 8

struct launch_weak_args {
    unsigned     sc_flags;
    const char **read, **write;
    size_t       n_read, n_write;
    uint16_t     ports[LAUNCH_WEAK_MAX_PORTS];
    size_t       n_ports;
    int         *keep;
    size_t       n_keep;
    bool         guard;         /* --guard */
    bool         git_config_ok; /* --allow-git-config */
    int          report;        /* --report-fd: the guard's refusals, or -1 */
    char       **cmd;
};

static int launch_weak_parse(int argc, char **argv, struct launch_weak_args *a,
                             struct launch_error *err)
{
    int i, rc;

    /* One slot per argument is always enough; freed by exec. */
    a->read = calloc((size_t)argc + 1, sizeof(*a->read));
    a->write = calloc((size_t)argc + 1, sizeof(*a->write));
    a->keep = calloc((size_t)argc + 1, sizeof(*a->keep));
    if (!a->read || !a->write || !a->keep)
        return launch_fail(err, ENOMEM, "cannot parse weak options: out of memory");
    for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        long v;
        if (strcmp(argv[i], "--allow-unix") == 0) {
            a->sc_flags |= LAUNCH_SC_ALLOW_UNIX;
        } else if (strcmp(argv[i], "--ll-read") == 0 && i + 1 < argc) {
            a->read[a->n_read++] = argv[++i];
        } else if (strcmp(argv[i], "--ll-write") == 0 && i + 1 < argc) {
            a->write[a->n_write++] = argv[++i];
        } else if (strcmp(argv[i], "--connect-port") == 0 && i + 1 < argc) {
            if (launch_parse_int(argv[++i], 1, 65535, &v) < 0)
                return launch_fail(err, EINVAL, "invalid --connect-port %s", argv[i]);
            if (a->n_ports == LAUNCH_WEAK_MAX_PORTS)
                return launch_fail(err, E2BIG, "too many --connect-port ports");
            a->ports[a->n_ports++] = (uint16_t)v;
        } else if (strcmp(argv[i], "--keep-fd") == 0 && i + 1 < argc) {
            if ((rc = launch_parse_fd("--keep-fd", argv[++i], &a->keep[a->n_keep], err)) < 0)
                return rc;
            a->n_keep++;
        } else if (strcmp(argv[i], "--guard") == 0) {
            a->guard = true;
        } else if (strcmp(argv[i], "--allow-git-config") == 0) {
            a->git_config_ok = true;
        } else if (strcmp(argv[i], "--report-fd") == 0 && i + 1 < argc) {
            if ((rc = launch_parse_fd("--report-fd", argv[++i], &a->report, err)) < 0)
                return rc;
        } else {
            return launch_fail(err, EINVAL, "unknown weak option %s", argv[i]);
        }
    }
    if (i + 1 >= argc)
        return launch_fail(err, EINVAL, "missing command after --");
    a->cmd = argv + i + 1;
    return 0;
}


/* srt may die at any moment; with no pid namespace to take the command
 * down, the parent-death signal is what does (it survives exec). */
static int launch_weak_tie_to_parent(pid_t parent, struct launch_error *err)
{
    int rc = launch_tie_to_parent(parent, err);

    if (rc < 0)
        return rc;
    /* Like bwrap --new-session: no controlling terminal to push input into.
     * EPERM means we already lead a process group, which is as good. */
    if (setsid() < 0 && errno != EPERM)
        return launch_fail(err, errno, "cannot start a new session: %s", strerror(errno));
    return 0;
}

static int launch_weak_confine(const struct launch_weak_args *a, struct launch_error *err)
{
    struct launch_ll_weak ll = {
        .read = a->read, .n_read = a->n_read,
        .write = a->write, .n_write = a->n_write,
        .connect = a->ports, .n_connect = a->n_ports,
        .scope_unix = !(a->sc_flags & LAUNCH_SC_ALLOW_UNIX),
    };
    int rc = launch_caps_drop(err);

    if (rc == 0)
        rc = launch_no_new_privs(err);
    if (rc < 0)
        return rc;
    if ((rc = launch_landlock_apply_weak(&ll, err)) < 0)
        return rc;
    return launch_seccomp_apply(a->sc_flags | LAUNCH_SC_WEAK, err);
}

int launch_weak_main(int argc, char **argv)
{
    pid_t parent = getppid();
    struct launch_weak_args a = { .report = -1 };
    struct launch_guard guard = LAUNCH_GUARD_OFF;
    struct launch_error err = { 0 };
    int rc = launch_weak_parse(argc, argv, &a, &err);

    if (rc == 0)
        rc = launch_weak_tie_to_parent(parent, &err);
    /* Its socket pair before the filter refuses new unix sockets. */
    if (rc == 0 && a.guard)
        rc = launch_guard_prepare(&guard, !a.git_config_ok, &err);
    if (rc == 0)
        rc = launch_weak_confine(&a, &err);
    /* After the confinement: the watcher forks the command off and answers
     * its guarded calls. */
    if (rc == 0 && a.guard)
        rc = launch_watch_weak(a.report, &guard, &err);
    launch_finish(rc, a.keep, a.n_keep, a.cmd, &err);
}
