/* prestart_int.h - start the plan-independent part of a launch early and
 * hand it the plan later (srt_enforcer_ops.prestart, ABI 1.2).
 *
 * The enforcer's early process starts before prepare() and waits on the plan
 * channel; the plan is built meanwhile. Fail closed: the process only ever
 * runs what srt_prestart_commit sends in full, and srt_prestart_abort closes
 * the channel unwritten and kills it. */
#ifndef SRT_PRESTART_INT_H
#define SRT_PRESTART_INT_H

#include <sys/types.h>

#include <srt/error.h>
#include <srt/fs.h>

struct srt_prestart {
    pid_t pid;    /* the early process, 0 when none */
    int   chan;   /* srt's end of the plan channel, -1 once written or closed */
};

/* Start early->argv as srt_supervise_spawn would, keeping early->keep_fds
 * and the child's end of a new plan channel, whose number is the child's
 * only environment variable (SRT_PLAN_ENV). Fills *ps. */
int  srt_prestart_spawn(const struct srt_launch_plan *early, struct srt_prestart *ps,
                        struct srt_error *err);

/* Send plan->argv and plan->envp on the channel (srt_plan_head, then the
 * strings) and close it. On failure the early process is killed and reaped
 * (ps->pid is 0 afterwards). */
int  srt_prestart_commit(struct srt_prestart *ps, const struct srt_launch_plan *plan,
                         struct srt_error *err);

/* The run failed before commit: close the channel unwritten, kill and reap
 * the early process. Does nothing when there is none. */
void srt_prestart_abort(struct srt_prestart *ps);

#endif
