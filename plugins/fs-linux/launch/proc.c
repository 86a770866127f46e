/* proc.c - the process steps the stages share: parsing descriptor numbers,
 * the tie to srt's lifetime (--outer, --weak), no_new_privs, and the clean
 * state both confining stages (--inner, --weak) leave for the command: no
 * stray descriptors, default signal dispositions, an exit that skips exit
 * handlers. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "launch_int.h"

int launch_parse_int(const char *text, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

int launch_parse_fd(const char *what, const char *text, int *out, struct launch_error *err)
{
    long v;

    if (launch_parse_int(text, 3, INT_MAX, &v) < 0)
        return launch_fail(err, EINVAL, "invalid %s %s", what, text);
    *out = (int)v;
    return 0;
}

int launch_tie_to_parent(pid_t parent, struct launch_error *err)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return launch_fail(err, errno, "cannot set parent-death signal: %s", strerror(errno));
    if (getppid() != parent)
        return launch_fail(err, ESRCH, "parent process %d exited", (int)parent);
    return 0;
}

int launch_no_new_privs(struct launch_error *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return launch_fail(err, errno, "cannot set no_new_privs: %s", strerror(errno));
    return 0;
}

static int launch_cmp_fd(const void *x, const void *y)
{
    return *(const int *)x - *(const int *)y;
}

int launch_close_fds(int *keep, size_t n_keep, struct launch_error *err)
{
    unsigned first = 3;

    qsort(keep, n_keep, sizeof(keep[0]), launch_cmp_fd);
    for (size_t i = 0; i <= n_keep; i++) {
        unsigned last = i < n_keep ? (unsigned)keep[i] - 1 : ~0u;
        if (first <= last && close_range(first, last, 0) < 0)
            return launch_fail(err, errno, "cannot close inherited descriptors: %s", strerror(errno));
        if (i < n_keep)
            first = (unsigned)keep[i] + 1;
    }
    return 0;
}

int launch_reset_signals(struct launch_error *err)
{
    sigset_t none;

    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        /* Numbers the kernel does not know fail harmlessly. */
        signal(sig, SIG_DFL);
    }
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        return launch_fail(err, errno, "cannot reset signal mask: %s", strerror(errno));
    return 0;
}

_Noreturn void launch_exit(int status)
{
    fflush(stderr);
    _exit(status);
}

_Noreturn void launch_exec(char **cmd)
{
    execvp(cmd[0], cmd);
    if (errno == ENOENT) {
        fprintf(stderr, "srt: %s: command not found\n", cmd[0]);
        launch_exit(LAUNCH_EXIT_NOTFOUND);
    }
    fprintf(stderr, "srt: %s: %s\n", cmd[0], strerror(errno));
    launch_exit(LAUNCH_EXIT_NOEXEC);
}

_Noreturn void launch_finish(int rc, int *keep, size_t n_keep, char **cmd,
                             struct launch_error *err)
{
    if (rc == 0)
        rc = launch_close_fds(keep, n_keep, err);
    if (rc == 0)
        rc = launch_reset_signals(err);
    if (rc < 0) {
        fprintf(stderr, "srt-linux-launch: %s\n", err->msg);
        launch_exit(LAUNCH_EXIT_SETUP);
    }
    launch_exec(cmd);
}
