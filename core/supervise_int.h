/* supervise_int.h - spawn a launch plan and wait for it (DESIGN.md 3.1).
 *
 * srt_supervise_block_signals must run before any plugin starts a thread, so
 * that every thread inherits the blocked mask and the forwarded signals reach
 * only the waiting main thread. */
#ifndef SRT_SUPERVISE_INT_H
#define SRT_SUPERVISE_INT_H

#include <sys/types.h>

#include <srt/error.h>
#include <srt/fs.h>

/* Block SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGCHLD in the
 * calling thread, remembering the previous mask for the child. */
void srt_supervise_block_signals(void);

/* Make srt the child subreaper of everything it starts: a process of the run
 * that detaches (double fork, setsid) is re-parented to srt instead of init,
 * so srt_supervise_reap_orphans can end it after the command. */
void srt_supervise_become_subreaper(void);

/* After the command ended: SIGKILL and reap every process still
 * re-parented to srt (a backend without a PID namespace leaves detached
 * background processes of the run here). Returns how many were killed. */
int  srt_supervise_reap_orphans(void);

/* SRT_OK when plan->argv names a program by absolute path, else SRT_EINVAL
 * ("launch plan has no absolute program path"). */
int srt_supervise_check(const struct srt_launch_plan *plan, struct srt_error *err);

/* Fork and exec plan->argv with plan->envp. The child dies with srt
 * (PR_SET_PDEATHSIG), keeps only 0-2 and plan->keep_fds, and gets the default
 * signal dispositions and the original mask. An exec failure is reported
 * here (SRT_EIO, "cannot execute <path>: <error>"), never by the child. */
int srt_supervise_spawn(const struct srt_launch_plan *plan, pid_t *pid, struct srt_error *err);

/* Delivers a forwarded signal; returns 0, or -1 to fall back to kill(2). */
struct srt_supervise_fwd {
    int  (*deliver)(void *ctx, int sig);
    void *ctx;
};

/* Wait for `pid`, forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 through `fwd` (NULL: kill(pid, sig)); 5 s after a forwarded
 * SIGTERM the child is killed. Returns the exit status srt should use: the
 * child's code, or 128+N when it died of signal N. */
int srt_supervise_wait(pid_t pid, const struct srt_supervise_fwd *fwd);

#endif
