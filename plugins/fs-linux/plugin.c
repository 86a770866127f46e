/* plugin.c - glue of the fs-linux enforcer (bubblewrap, DESIGN.md 5):
 * descriptor, options, and thin probe/prepare/listeners/signal/cleanup ops
 * that report and log what the host-free files return.
 *
 * probe.c checks the machine and picks the mode, run.c keeps the state of
 * each run, plan.c turns the policy into bwrap options, launch_argv.c builds
 *   srt-linux-launch --outer --ctl-fd N [--userns] -- bwrap ... --
 *   srt-linux-launch --inner ... -- command
 * and ctl_recv.c receives the listeners the outer stage hands back over the
 * control socket (fsl_proto.h). Where user namespaces are unavailable and
 * the policy asks for it, the weaker nested mode (weak.c, DESIGN.md 5.5)
 * runs `srt-linux-launch --weak ... -- command` instead, with the proxy
 * listeners made on host loopback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srt/fs.h>

#include "fsl_int.h"
#include "fsl_run.h"

#define FSL_LISTEN_TIMEOUT_MS 5000
/* Processes a sandbox may have at once (THREATS K11): far above what a
 * build or a language server runs, far below what hurts the host. */
#define FSL_MAX_PROCS_DEFAULT 4096
#define FSL_MAX_PROCS_LIMIT   4194304        /* the kernel's PID_MAX_LIMIT */
#define FSL_MAX_MEM_MIB_LIMIT (1LL << 30)    /* 1 PiB */

struct fsl_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
    char                  *launcher;
    char                  *state_dir;
    struct fsl_bwrap_caps  caps;            /* unknown until bwrap was asked */
    int64_t                max_procs;       /* option max_processes */
    int64_t                max_mem_mib;     /* option max_memory_mib */
    bool                   guard;           /* option create_guard, if the machine can */
    enum fsl_mode          force;           /* option force_mode */
    struct fsl_run        *runs;
};

static void fsl_inst_free(struct fsl_inst *m)
{
    fsl_run_free_all(&m->runs);
    free(m->launcher);
    free(m->state_dir);
    free(m);
}

/* Integer option `key` into *out when set: from 0 (off) to max, else
 * SRT_EINVAL naming the option. */
static int fsl_opt_int(const struct srt_host *host, const struct srt_config *cfg, const char *key,
                       int64_t max, int64_t *out, struct srt_error *err)
{
    int64_t v;
    if (host->cfg_int(cfg, key, &v) != SRT_OK)
        return SRT_OK;
    if (v < 0 || v > max) {
        host->fail(err, SRT_EINVAL, "fs-linux option %s: must be from 0 (off) to %lld, got %lld",
                   key, (long long)max, (long long)v);
        return SRT_EINVAL;
    }
    *out = v;
    return SRT_OK;
}

static int fsl_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    char msg[FSL_ERRMAX];
    struct fsl_inst *m = calloc(1, sizeof *m);
    if (!m) {
        host->fail(err, SRT_ENOMEM, "allocate fs-linux instance");
        return SRT_ENOMEM;
    }
    m->host = host;
    m->self = self;
    m->caps = (struct fsl_bwrap_caps)FSL_BWRAP_CAPS_UNKNOWN;
    m->max_procs = FSL_MAX_PROCS_DEFAULT;
    m->guard = fsl_guard_available();
    int64_t guard = 1;
    int r = fsl_opt_int(host, cfg, "max_processes", FSL_MAX_PROCS_LIMIT, &m->max_procs, err);
    if (r == SRT_OK)
        r = fsl_opt_int(host, cfg, "max_memory_mib", FSL_MAX_MEM_MIB_LIMIT, &m->max_mem_mib, err);
    if (r == SRT_OK)
        r = fsl_opt_int(host, cfg, "create_guard", 1, &guard, err);
    if (r != SRT_OK) {
        fsl_inst_free(m);
        return r;
    }
    m->guard = m->guard && guard;
    const char *opt;
    if (host->cfg_str(cfg, "launcher", &opt) == SRT_OK)
        m->launcher = strdup(opt);
    else
        m->launcher = fsl_launcher_default();
    if (host->cfg_str(cfg, "force_mode", &opt) == SRT_OK &&
        fsl_mode_parse(opt, &m->force, msg, sizeof msg) != SRT_OK) {
        host->fail(err, SRT_EINVAL, "%s", msg);
        fsl_inst_free(m);
        return SRT_EINVAL;
    }
    /* Without the option the ledger lives in the core's per-user runtime base
     * (the parent of each session's runtime dir), never in the sandbox's
     * TMPDIR, which the sandbox may write. */
    int have_state = host->cfg_str(cfg, "state_dir", &opt) == SRT_OK;
    if (have_state)
        m->state_dir = strdup(opt);
    if (!m->launcher || (have_state && !m->state_dir)) {
        fsl_inst_free(m);
        host->fail(err, SRT_ENOMEM, "allocate fs-linux options");
        return SRT_ENOMEM;
    }
    *inst = m;
    return SRT_OK;
}

static void fsl_destroy(void *inst)
{
    fsl_inst_free(inst);
}

static int fsl_probe(void *inst, const struct srt_policy *policy, struct srt_probe *out,
                     struct srt_error *err)
{
    (void)err;
    struct fsl_inst *m = inst;
    struct fsl_probe_in in = { .policy = policy, .launcher = m->launcher, .force = m->force };
    fsl_probe_check(&in, out, &m->caps);
    return SRT_OK;
}

/* What every run of this instance shares (fsl_run.h). */
static struct fsl_run_cfg fsl_inst_cfg(struct fsl_inst *m)
{
    return (struct fsl_run_cfg){ .launcher = m->launcher, .state_dir = m->state_dir,
                                 .caps = &m->caps, .max_procs = m->max_procs,
                                 .max_mem_mib = m->max_mem_mib,
                                 .guard = m->guard };
}

/* What prepare() left to say: the placeholder sweep and the plan's warnings. */
static void fsl_log_run(const struct fsl_inst *m, const struct fsl_run *run)
{
    const struct srt_host *h = m->host;
    const struct fsl_vec *warnings = run->weak ? &run->wplan.warnings : &run->plan.warnings;
    if (run->unlimited)
        SRT_LOG_WARN(h, m->self, "no process limit for this sandbox: running as root and no pids "
                     "cgroup hierarchy srt can use (RLIMIT_NPROC does not bind root)");
    if (run->sweep_err[0])
        SRT_LOG_WARN(h, m->self, "sweep stale placeholders: %s", run->sweep_err);
    else if (run->swept)
        SRT_LOG_INFO(h, m->self, "removed %zu placeholders left by an earlier run", run->swept);
    for (size_t i = 0; i < warnings->n; i++)
        SRT_LOG_WARN(h, m->self, "%s", warnings->v[i]);
}

/* In bwrap mode the outer stage starts before the plan exists: the network
 * namespace and the listeners are made while prepare() scans and plans. */
static int fsl_prestart(void *inst, const struct srt_session *s, struct srt_launch_plan *early,
                        struct srt_error *err)
{
    struct fsl_inst *m = inst;
    if (!s->policy || fsl_mode_for(m->force, s->policy) != FSL_MODE_BWRAP)
        return SRT_OK;
    struct fsl_run_cfg cfg = fsl_inst_cfg(m);
    char msg[FSL_ERRMAX] = "";
    struct fsl_run *run;
    static const char *const none[] = { "-", NULL };   /* the command comes with prepare */
    int r = fsl_run_new(s, none, &run, msg, sizeof msg);
    if (r == SRT_OK && (r = fsl_run_prestart(run, &cfg, early, msg, sizeof msg)) != SRT_OK)
        fsl_run_free(run);
    if (r != SRT_OK) {
        m->host->fail(err, r, "start the outer stage: %s", msg);
        return r;
    }
    run->next = m->runs;
    m->runs = run;
    return SRT_OK;
}

static int fsl_prepare(void *inst, const struct srt_session *s, const char *const *argv,
                       const char *const *envp, struct srt_launch_plan *plan, struct srt_error *err)
{
    struct fsl_inst *m = inst;
    const struct srt_host *h = m->host;
    struct fsl_run_cfg cfg = fsl_inst_cfg(m);
    char msg[FSL_ERRMAX] = "";
    struct fsl_run *run = fsl_run_find(&m->runs, s->id, true);   /* prestarted */
    int r = run ? SRT_OK : fsl_run_new(s, argv, &run, msg, sizeof msg);
    if (r != SRT_OK) {
        h->fail(err, r, "prepare sandbox: %s", msg);
        return r;
    }
    r = fsl_run_prepare(run, &cfg, fsl_mode_for(m->force, s->policy), s, argv, envp, plan,
                        msg, sizeof msg);
    fsl_log_run(m, run);
    if (r != SRT_OK) {
        fsl_run_free(run);
        h->fail(err, r, "prepare sandbox: %s", msg[0] ? msg : "failed");
        return r;
    }
    run->next = m->runs;
    m->runs = run;
    if (run->weak)
        SRT_LOG_DEBUG(h, m->self, "session %s: weaker nested mode, %zu read and %zu write rules, "
                      "proxies on 127.0.0.1:%u and :%u", s->id, run->wplan.read.n,
                      run->wplan.write.n, (unsigned)run->ports[0], (unsigned)run->ports[1]);
    else
        SRT_LOG_DEBUG(h, m->self, "session %s: %zu bwrap options, %zu placeholders", s->id,
                      run->plan.bwrap.n, fsl_ledger_paths(run->ledger)->n);
    return SRT_OK;
}

static int fsl_listeners(void *inst, const struct srt_session *s, struct srt_listener *out,
                         size_t max, size_t *n, struct srt_error *err)
{
    struct fsl_inst *m = inst;
    struct fsl_run *run = fsl_run_find(&m->runs, s->id, false);
    char msg[FSL_ERRMAX];
    *n = 0;
    if (!run) {
        m->host->fail(err, SRT_EINVAL, "receive listeners: session %s was not prepared", s->id);
        return SRT_EINVAL;
    }
    int r = fsl_run_listeners(run, FSL_LISTEN_TIMEOUT_MS, out, max, n, msg, sizeof msg);
    if (r != SRT_OK)
        m->host->fail(err, r, "%s", msg);
    return r;
}

static int fsl_signal(void *inst, const struct srt_session *s, int sig)
{
    struct fsl_inst *m = inst;
    return fsl_run_signal(fsl_run_find(&m->runs, s->id, false), sig);
}

/* One fs.write violation of session s: `op` on `path`, for `reason`. */
static void fsl_emit_write(const struct fsl_inst *m, const struct srt_session *s,
                           const char *op, const char *path, const char *reason)
{
    struct srt_event ev = {
        .struct_size = sizeof ev, .kind = SRT_EV_FS_WRITE, .session = s->id,
        .command = s->command, .target = path, .operation = op, .reason = reason,
    };
    m->host->emit(m->self, &ev);
}

struct fsl_refusals {
    struct fsl_inst          *m;
    const struct srt_session *s;
    size_t                    n;
    char                      first[FSL_ERRMAX];
};

static void fsl_refusal_event(void *arg, const char *op, const char *path)
{
    struct fsl_refusals *r = arg;
    fsl_emit_write(r->m, r->s, op, path,
                   "write-protected name: refused when the command tried to make it");
    if (r->n++ == 0)
        snprintf(r->first, sizeof r->first, "%s %s", op, path);
}

/* With the create guard, every dangerous name the command tried to make was
 * refused, and each refusal is reported (launch/guard.c). Without it,
 * dangerous names the command created where no placeholder could stand are
 * reported, one violation each, before the run's state goes (audit.c). */
static void fsl_report_new_names(struct fsl_inst *m, const struct srt_session *s,
                                 struct fsl_run *run)
{
    if (run->guard) {
        struct fsl_refusals r = { .m = m, .s = s };
        fsl_run_refusals(run, fsl_refusal_event, &r);
        if (r.n)
            SRT_LOG_WARN(m->host, m->self, "refused %zu attempt%s to make a write-protected name, "
                         "e.g. %s", r.n, r.n == 1 ? "" : "s", r.first);
        return;
    }
    struct fsl_vec found = {0};
    if (run->weak || fsl_audit_new_names(s->policy, &run->plan, run->ledger, &found) != SRT_OK) {
        fsl_vec_free(&found);
        return;
    }
    for (size_t i = 0; i < found.n; i++)
        fsl_emit_write(m, s, "create", found.v[i],
                       "write-protected name created during the run in a directory made during "
                       "the run; it could not be refused");
    if (found.n)
        SRT_LOG_WARN(m->host, m->self, "the command created %zu write-protected name%s srt could "
                     "not refuse, e.g. %s", found.n, found.n == 1 ? "" : "s", found.v[0]);
    fsl_vec_free(&found);
}

static void fsl_cleanup(void *inst, const struct srt_session *s)
{
    struct fsl_inst *m = inst;
    struct fsl_run *run = fsl_run_find(&m->runs, s->id, true);
    if (run)
        fsl_report_new_names(m, s, run);
    fsl_run_free(run);
}

static const struct srt_enforcer_ops fsl_ops = {
    .struct_size = sizeof(struct srt_enforcer_ops),
    .probe = fsl_probe,
    .prepare = fsl_prepare,
    .listeners = fsl_listeners,
    .cleanup = fsl_cleanup,
    .signal = fsl_signal,
    .prestart = fsl_prestart,
};

static const struct srt_plugin_desc fsl_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_ENFORCER),
    .name = "fs-linux",
    .version = SRT_PLUGIN_VERSION,
    .summary = "Linux backend: bubblewrap, Landlock, seccomp",
    .caps = SRT_ENF_CAP_NETNS | SRT_ENF_CAP_GLOBS | SRT_ENF_CAP_SECCOMP | SRT_ENF_CAP_LANDLOCK,
    .create = fsl_create,
    .destroy = fsl_destroy,
    .ops.enforcer = &fsl_ops,
};

SRT_PLUGIN_ENTRY(fs_linux) { return &fsl_desc; }
