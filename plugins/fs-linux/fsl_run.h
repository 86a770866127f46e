/* fsl_run.h - one sandboxed run of the fs-linux enforcer, from prepare() to
 * cleanup(): its ledger, plan, launch command, sockets and lifeline (bwrap
 * mode) or host-loopback listeners (weaker nested mode). Host-free: failures
 * come back as SRT_E* codes with the message in a caller buffer, warnings as
 * lines in the plan, and plugin.c logs them. */
#ifndef FSL_RUN_H
#define FSL_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <srt/fs.h>

#include "fsl_int.h"
#include "fsl_weak.h"

struct fsl_run {
    char              *id;
    struct fsl_ledger *ledger;
    struct fsl_plan    plan;
    struct fsl_vec     argv, envp;
    int                ctl_parent, ctl_child;
    int                life_srt, life_child;  /* lifeline: srt's end and the inner stage's */
    int                keep[2];
    bool               guard;       /* the inner stage runs the create guard */
    bool               prestarted;  /* the outer stage runs already and takes its
                                       argv (bwrap's) from the core's plan channel */
    struct fsl_vec     early_argv;  /* the prestarted outer stage's own argv */
    char              *cgroup;      /* the run's pids cgroup, or NULL */
    char              *cgroup_mem;  /* its memory cgroup (max_memory_mib), or NULL */
    const char        *cgroups[3];  /* the distinct ones of the two, NULL-terminated */
    bool               unlimited;   /* a root caller and no pids cgroup to be had */
    char              *deny_file;
    char               sweep_err[FSL_ERRMAX]; /* why the stale-placeholder sweep failed */
    size_t             swept;                 /* placeholders of earlier runs removed */
    /* weaker nested mode only */
    bool               weak;
    struct fsl_weak_plan wplan;
    int                lfd[2];      /* HTTP and SOCKS5 listeners until handed over */
    uint16_t           ports[2];    /* their ports */
    int                token;       /* plan->listener_fd: a dup of lfd[0] */
    dev_t              token_dev;
    ino_t              token_ino;
    struct fsl_run    *next;
};

/* What every run of one plugin instance shares. */
struct fsl_run_cfg {
    const char *launcher;
    const char *state_dir;      /* the option, or NULL: the runtime dir's parent */
    struct fsl_bwrap_caps *caps; /* what bwrap knows; read on first need */
    int64_t     max_procs;      /* the sandbox's process limit, 0: none */
    int64_t     max_mem_mib;    /* the sandbox's memory limit in MiB, 0: none */
    bool        guard;          /* refuse dangerous names made during the run */
};

/* A run for session s, or SRT_EINVAL when argv, the policy or the runtime
 * dir is missing, SRT_ENOMEM; message in err. */
int  fsl_run_new(const struct srt_session *s, const char *const *argv, struct fsl_run **out,
                 char *err, size_t errlen);
/* Bwrap mode only: make the control socket and the lifeline, and fill
 * *early with the outer stage, which can make the network namespace and the
 * listeners before the plan exists (srt_enforcer_ops.prestart). */
int  fsl_run_prestart(struct fsl_run *run, const struct fsl_run_cfg *cfg,
                      struct srt_launch_plan *early, char *err, size_t errlen);
/* Build the run's plan for `mode` (FSL_MODE_BWRAP or FSL_MODE_WEAK) and fill
 * *plan with pointers into the run. Warnings are in run->plan.warnings or
 * run->wplan.warnings, the sweep's outcome in run->sweep_err and run->swept,
 * also on failure. The weaker mode needs the 1.1 port members of *plan. */
int  fsl_run_prepare(struct fsl_run *run, const struct fsl_run_cfg *cfg, enum fsl_mode mode,
                     const struct srt_session *s, const char *const *argv,
                     const char *const *envp, struct srt_launch_plan *plan,
                     char *err, size_t errlen);
/* The proxy listeners: those prepare() made (weaker mode) or those the outer
 * stage sends within timeout_ms (bwrap mode). Ownership of each fd passes to
 * the caller. */
int  fsl_run_listeners(struct fsl_run *run, int timeout_ms, struct srt_listener *out,
                       size_t max, size_t *n, char *err, size_t errlen);
/* Forward signal `sig` to the command over the lifeline (bwrap mode):
 * SRT_OK, SRT_ENOTSUP (no run, weaker mode, bad number), SRT_EIO. */
int  fsl_run_signal(struct fsl_run *run, int sig);
/* The create guard's refusals (launch/guard.c) that arrived on the
 * lifeline, each passed to fn(arg, operation, path), in order; how many. */
typedef void (*fsl_refusal_fn)(void *arg, const char *op, const char *path);
size_t fsl_run_refusals(struct fsl_run *run, fsl_refusal_fn fn, void *arg);
/* The run of session `id` in *list (unlinked from it when `unlink_it`), or NULL. */
struct fsl_run *fsl_run_find(struct fsl_run **list, const char *id, bool unlink_it);
/* Close, release and remove everything the run holds; NULL is fine. */
void fsl_run_free(struct fsl_run *run);
void fsl_run_free_all(struct fsl_run **list);

#endif /* FSL_RUN_H */
