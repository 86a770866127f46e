/* proc.c - the clean process state both confining stages (--inner, --weak)
 * leave for the command: parsed descriptor lists, no stray descriptors,
 * default signal dispositions, and an exit that skips exit handlers. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
