/* watch.c - the lifeline watcher: the PID namespace's init, the command's
 * parent.
 *
 * bubblewrap 0.8 does not set the parent-death signal of the sandbox's
 * first process again after changing credentials, so killing srt (or bwrap)
 * can leave the sandbox running. bwrap runs with --as-pid-1, so the inner
 * stage is the namespace's init (one fork fewer than bwrap's own init); it
 * forks: the child becomes the command, and this process stays as its
 * parent, holding one end of a socket whose other end only srt holds. When
 * srt goes away for any reason, the socket reads EOF and the watcher exits,
 * and with the init goes every process of the namespace. srt also sends
 * forwarded signals over the same socket, one byte per signal, since bwrap
 * does not forward them. As init the watcher reaps whatever the command
 * leaves behind, and no process of the sandbox can signal it (the kernel
 * drops signals to a namespace's init that it has no handler for). It runs
 * under the same Landlock and seccomp confinement as the command, but not
 * under the create guard's filter, whose calls it answers (guard.c); it
 * holds no other descriptor and leaves with the command's status.
 *
 * The weaker nested mode has no PID namespace and no lifeline; there the
 * watcher exists only when the create guard is on: srt's signals reach it
 * directly and it passes them on, and the command dies with it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch_int.h"

static const int launch_watch_forwardable[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static bool launch_watch_may_forward(int sig)
{
    for (size_t i = 0; i < sizeof launch_watch_forwardable / sizeof launch_watch_forwardable[0]; i++)
        if (launch_watch_forwardable[i] == sig)
            return true;
    return false;
}

/* One watcher, two settings: the PID namespace's init in bwrap mode, with
 * the lifeline; or, in the weaker nested mode, the command's plain parent,
 * which exists only to answer the create guard and gets srt's signals
 * directly. */
struct launch_watch {
    int           life;     /* lifeline (bwrap mode), or -1 */
    int           sfd;      /* signalfd: SIGCHLD, and in weak mode the forwardable ones */
    bool          init;     /* the namespace's init: reaps orphans, tears down with kill(-1) */
    pid_t         child;
    struct launch_guard *g;
};

/* srt is gone, or the watcher cannot go on: nothing of the run may outlive
 * it. As init, kill(-1) reaches every process of this PID namespace but us,
 * and the kernel kills whatever is left when we exit; otherwise the command
 * goes (its parent-death signal would take it anyway). */
static _Noreturn void launch_watch_teardown(const struct launch_watch *w)
{
    if (w->init)
        kill(-1, SIGKILL);
    else
        kill(w->child, SIGKILL);
    launch_exit(128 + SIGKILL);
}

static void launch_watch_signals(const struct launch_watch *w)
{
    struct signalfd_siginfo si;
    bool chld = false;
    while (read(w->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if ((int)si.ssi_signo == SIGCHLD)
            chld = true;
        else if (launch_watch_may_forward((int)si.ssi_signo))
            kill(w->child, (int)si.ssi_signo);
    }
    if (!chld)
        return;
    /* As init, every orphan of the namespace is ours to reap. */
    int st;
    pid_t r;
    while ((r = waitpid(w->init ? -1 : w->child, &st, WNOHANG)) > 0)
        if (r == w->child)
            launch_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static _Noreturn void launch_watch_loop(const struct launch_watch *w)
{
    struct launch_guard *g = w->g;
    for (;;) {
        struct pollfd p[3] = {
            { w->life, POLLIN, 0 }, { w->sfd, POLLIN, 0 }, { g->listener, POLLIN, 0 },
        };
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            launch_watch_teardown(w);
        }
        if (p[1].revents & POLLIN)
            launch_watch_signals(w);
        /* Every guarded process has gone: poll the listener no more. */
        if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL))
            g->listener = -1;
        else if (p[2].revents & POLLIN)
            launch_guard_serve(g);
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            unsigned char sig[16];
            ssize_t n = read(w->life, sig, sizeof sig);
            if (n <= 0 && !(n < 0 && errno == EINTR))
                launch_watch_teardown(w);
            for (ssize_t i = 0; i < n; i++)
                if (launch_watch_may_forward(sig[i]))
                    kill(w->child, sig[i]);
        }
    }
}

/* Fork the command off; the parent never returns. `report` is where the
 * guard's refusals go (the lifeline in bwrap mode). */
static int launch_watch_start(struct launch_watch *w, int report, struct launch_error *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    /* Without a lifeline srt signals this process itself: pass them on. */
    for (size_t i = 0; !w->init && i < sizeof launch_watch_forwardable / sizeof launch_watch_forwardable[0]; i++)
        sigaddset(&set, launch_watch_forwardable[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return launch_fail(err, errno, "cannot block SIGCHLD: %s", strerror(errno));
    if ((w->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
        return launch_fail(err, errno, "cannot create signalfd: %s", strerror(errno));
    pid_t watcher = getpid();
    pid_t child = fork();
    if (child < 0) {
        close(w->sfd);
        return launch_fail(err, errno, "cannot fork the command: %s", strerror(errno));
    }
    if (child == 0) {
        close(w->sfd);
        if (w->life >= 0)
            close(w->life);
        if (report >= 0 && report != w->life)
            close(report);
        /* No namespace ends with the watcher in weak mode: die with it. */
        int rc = w->init ? 0 : launch_tie_to_parent(watcher, err);
        /* the caller resets signals and descriptors, then execs */
        return rc == 0 && w->g->on ? launch_guard_arm(w->g, err) : rc;
    }
    w->child = child;
    struct launch_error ignored;
    /* A listener that cannot be taken closes: guarded calls then fail. */
    if (!w->g->on || launch_guard_take(w->g, report, &ignored) < 0)
        w->g->listener = -1;
    /* Keep nothing that could hold a pipe or terminal of the caller open. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2 && null >= 0; fd++)
        dup2(null, fd);
    int keep[4];
    size_t n = 0;
    keep[n++] = w->sfd;
    if (w->life >= 0)
        keep[n++] = w->life;
    if (report >= 0 && report != w->life)
        keep[n++] = report;
    if (w->g->listener >= 0)
        keep[n++] = w->g->listener;
    launch_close_fds(keep, n, &ignored);
    launch_watch_loop(w);
}

int launch_watch(int life, struct launch_guard *guard, struct launch_error *err)
{
    /* Only as the init of a fresh PID namespace: kill(-1) anywhere else
     * would reach processes outside the sandbox. */
    if (getpid() != 1)
        return launch_fail(err, EINVAL, "lifeline watcher outside a fresh pid namespace");
    struct launch_watch w = { .life = life, .sfd = -1, .init = true, .g = guard };
    return launch_watch_start(&w, life, err);
}

int launch_watch_weak(int report, struct launch_guard *guard, struct launch_error *err)
{
    struct launch_watch w = { .life = -1, .sfd = -1, .init = false, .g = guard };
    return launch_watch_start(&w, report, err);
}
