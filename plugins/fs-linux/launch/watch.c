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
 * holds no other descriptor and leaves with the command's status. */
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

/* srt is gone: nothing of the run may outlive it. kill(-1) reaches every
 * process of this PID namespace but us, and the kernel kills whatever is
 * left when we, its init, exit. */
static _Noreturn void launch_watch_teardown(void)
{
    kill(-1, SIGKILL);
    launch_exit(128 + SIGKILL);
}

static _Noreturn void launch_watch_loop(int life, pid_t child, int sfd, struct launch_guard *g)
{
    for (;;) {
        struct pollfd p[3] = {
            { life, POLLIN, 0 }, { sfd, POLLIN, 0 }, { g->listener, POLLIN, 0 },
        };
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            launch_watch_teardown();
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
                ;
            /* As init, every orphan of the namespace is ours to reap. */
            int st;
            pid_t r;
            while ((r = waitpid(-1, &st, WNOHANG)) > 0)
                if (r == child)
                    launch_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        }
        /* Every guarded process has gone: poll the listener no more. */
        if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL))
            g->listener = -1;
        else if (p[2].revents & POLLIN)
            launch_guard_serve(g);
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            unsigned char sig[16];
            ssize_t n = read(life, sig, sizeof sig);
            if (n <= 0 && !(n < 0 && errno == EINTR))
                launch_watch_teardown();
            for (ssize_t i = 0; i < n; i++)
                if (launch_watch_may_forward(sig[i]))
                    kill(child, sig[i]);
        }
    }
}

int launch_watch(int life, struct launch_guard *guard, struct launch_error *err)
{
    /* Only as the init of a fresh PID namespace: kill(-1) anywhere else
     * would reach processes outside the sandbox. */
    if (getpid() != 1)
        return launch_fail(err, EINVAL, "lifeline watcher outside a fresh pid namespace");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return launch_fail(err, errno, "cannot block SIGCHLD: %s", strerror(errno));
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        return launch_fail(err, errno, "cannot create signalfd: %s", strerror(errno));
    pid_t child = fork();
    if (child < 0) {
        close(sfd);
        return launch_fail(err, errno, "cannot fork the command: %s", strerror(errno));
    }
    if (child == 0) {
        close(sfd);
        close(life);
        /* the caller resets signals and descriptors, then execs */
        return guard->on ? launch_guard_arm(guard, err) : 0;
    }
    struct launch_error ignored;
    /* A listener that cannot be taken closes: guarded calls then fail. */
    if (!guard->on || launch_guard_take(guard, life, &ignored) < 0)
        guard->listener = -1;
    /* Keep nothing that could hold a pipe or terminal of the caller open. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2 && null >= 0; fd++)
        dup2(null, fd);
    int keep[3] = { life, sfd, guard->listener };
    launch_close_fds(keep, guard->listener >= 0 ? 3 : 2, &ignored);
    launch_watch_loop(life, child, sfd, guard);
}
