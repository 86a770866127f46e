/* run.c - one sandboxed run (see run_int.h).
 *
 * The order matters: signals are blocked before any plugin can start a
 * thread; settings are refused before anything else happens; the enforcer's
 * probe must say "usable" before a command is prepared; listeners the launch
 * stages hand back are attached to the proxy serving their protocol, and a
 * listener no proxy can serve is closed, so connections to it are refused. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <srt/fs.h>
#include <srt/monitor.h>
#include <srt/net.h>

#include "deploy_int.h"
#include "errors_int.h"
#include "log_int.h"
#include "prestart_int.h"
#include "proxyenv_int.h"
#include "quote_int.h"
#include "registry_int.h"
#include "run_int.h"
#include "session_int.h"
#include "settings_int.h"
#include "supervise_int.h"

#define RUN_MAX_LISTENERS 8

struct run_state {
    struct srt_settings      *settings;
    struct srt_deploy        *deploy;
    struct srt_registry      *reg;
    struct srt_plugin        *enforcer;
    struct srt_session_owner *session;
    struct srt_launch_plan    plan;
    struct srt_prestart       early;      /* the enforcer's prestarted process, if any */
    int                       prepared;
    char                    **envp;       /* the command's environment, proxy variables set */
};

/* Ports of the proxy listeners inside the sandbox's own network namespace. */
#define RUN_HTTP_PORT  3128
#define RUN_SOCKS_PORT 1080

/* Debug trace of the run's phases with the time since start, so slow steps
 * show up in `srt -d` output. */
static void run_phase(const char *what)
{
    static struct timespec t0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!t0.tv_sec)
        t0 = now;
    srt_log(SRT_LOG_DEBUG, "%.3f ms: %s",
            (double)(now.tv_sec - t0.tv_sec) * 1e3 + (double)(now.tv_nsec - t0.tv_nsec) / 1e6, what);
}

const char *srt_run_home(void)
{
    static char home[PATH_MAX];
    const char *h = getenv("HOME");
    if (h && h[0] == '/')
        return h;
    if (!home[0]) {
        struct passwd *pw = getpwuid(getuid());
        snprintf(home, sizeof home, "%s", pw && pw->pw_dir ? pw->pw_dir : "/");
    }
    return home;
}

static int run_load_plugins(struct run_state *st, struct srt_error *err)
{
    size_t n_dirs, n;
    const char *const *dirs = srt_deploy_plugin_path(st->deploy, &n_dirs);
    const char *name = srt_deploy_enforcer(st->deploy);
    int rc = srt_registry_load(st->reg, name, SRT_KIND_ENFORCER, dirs, n_dirs,
                               srt_deploy_config(st->deploy, name), &st->enforcer, err);
    if (rc != SRT_OK)
        return rc;
    const char *const *names = srt_deploy_proxies(st->deploy, &n);
    for (size_t i = 0; i < n && rc == SRT_OK; i++)
        rc = srt_registry_load(st->reg, names[i], SRT_KIND_PROXY, dirs, n_dirs,
                               srt_deploy_config(st->deploy, names[i]), NULL, err);
    names = srt_deploy_monitors(st->deploy, &n);
    for (size_t i = 0; i < n && rc == SRT_OK; i++)
        rc = srt_registry_load(st->reg, names[i], SRT_KIND_MONITOR, dirs, n_dirs,
                               srt_deploy_config(st->deploy, names[i]), NULL, err);
    return rc;
}

/* The enforcer must be able to sandbox here; its probe says why not. */
static int run_probe(struct run_state *st, struct srt_error *err)
{
    const struct srt_plugin_desc *d = srt_loader_desc(st->enforcer);
    struct srt_probe pr;
    memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    int rc = d->ops.enforcer->probe(srt_loader_inst(st->enforcer), srt_settings_policy(st->settings),
                                    &pr, err);
    if (rc != SRT_OK) {
        srt_error_prefix(err, "%s: probe", d->name);
        return rc;
    }
    if (!pr.usable) {
        const char *why = strstr(pr.detail, "missing: ");
        why = why ? why + 9 : pr.detail;
        return srt_error_set(err, SRT_EBACKEND, "%s: cannot sandbox on this machine: %.*s (see srtctl doctor)",
                             d->name, (int)strcspn(why, "\n"), why);
    }
    if (!d->ops.enforcer->prepare)
        return srt_error_set(err, SRT_ENOTSUP, "%s: prepare is not supported by this plugin version",
                             d->name);
    return SRT_OK;
}

/* Call fn for every loaded plugin of `kind`. */
static void run_each(struct run_state *st, uint32_t kind,
                     void (*fn)(struct srt_plugin *p, const struct srt_session *s, int status),
                     int status)
{
    for (size_t i = 0; i < srt_registry_count(st->reg); i++) {
        struct srt_plugin *p = srt_registry_get(st->reg, i);
        if (srt_loader_desc(p)->kind == kind)
            fn(p, srt_session_view(st->session), status);
    }
}

static void run_mon_begin(struct srt_plugin *p, const struct srt_session *s, int status)
{
    (void)status;
    const struct srt_monitor_ops *ops = srt_loader_desc(p)->ops.monitor;
    if (ops->on_session_begin)
        ops->on_session_begin(srt_loader_inst(p), s);
}

static void run_mon_end(struct srt_plugin *p, const struct srt_session *s, int status)
{
    const struct srt_monitor_ops *ops = srt_loader_desc(p)->ops.monitor;
    if (ops->on_session_end)
        ops->on_session_end(srt_loader_inst(p), s, status);
    if (ops->flush) {
        struct srt_error ferr;
        memset(&ferr, 0, sizeof ferr);
        if (ops->flush(srt_loader_inst(p), &ferr) != SRT_OK)
            srt_log(SRT_LOG_WARN, "%s: flush: %s", srt_loader_desc(p)->name, ferr.msg);
    }
}

static void run_proxy_detach(struct srt_plugin *p, const struct srt_session *s, int status)
{
    (void)status;
    const struct srt_proxy_ops *ops = srt_loader_desc(p)->ops.proxy;
    if (ops->detach)
        ops->detach(srt_loader_inst(p), s);
}

/* The proxy serving `proto` that can attach, or NULL. */
static struct srt_plugin *run_proxy_for(struct run_state *st, uint32_t proto)
{
    for (size_t i = 0; i < srt_registry_count(st->reg); i++) {
        struct srt_plugin *p = srt_registry_get(st->reg, i);
        const struct srt_plugin_desc *d = srt_loader_desc(p);
        if (d->kind == SRT_KIND_PROXY && d->ops.proxy->proto == proto && d->ops.proxy->attach)
            return p;
    }
    return NULL;
}

static void run_attach_listeners(struct run_state *st)
{
    const struct srt_plugin_desc *d = srt_loader_desc(st->enforcer);
    if (st->plan.listener_fd < 0 || !d->ops.enforcer->listeners)
        return;
    struct srt_listener ls[RUN_MAX_LISTENERS];
    size_t n = 0;
    struct srt_error err;
    memset(&err, 0, sizeof err);
    const struct srt_session *s = srt_session_view(st->session);
    if (d->ops.enforcer->listeners(srt_loader_inst(st->enforcer), s, ls, RUN_MAX_LISTENERS, &n,
                                   &err) != SRT_OK) {
        srt_log(SRT_LOG_WARN, "%s: no proxy listeners: %s; the sandbox has no network", d->name,
                err.msg);
        return;
    }
    int unserved = 0;
    for (size_t i = 0; i < n; i++) {
        struct srt_plugin *p = run_proxy_for(st, ls[i].proto);
        if (!p) {
            close(ls[i].fd);   /* nobody serves it: connections are refused */
            unserved = 1;
            continue;
        }
        memset(&err, 0, sizeof err);
        if (srt_loader_desc(p)->ops.proxy->attach(srt_loader_inst(p), ls[i].fd, s, &err) != SRT_OK)
            srt_log(SRT_LOG_WARN, "%s: attach: %s", srt_loader_desc(p)->name, err.msg);
    }
    if (unserved && srt_settings_policy(st->settings)->allowed_domains.n > 0)
        srt_log(SRT_LOG_WARN, "network.allowedDomains is set but no loaded proxy can serve the "
                "sandbox: connections from inside are refused");
}

/* The command's environment: the enforcer's, with the proxy variables of
 * every protocol a loaded proxy serves (DESIGN.md 3.5), at the ports the plan
 * names, or the sandbox-side defaults where the enforcer hands over
 * listeners inside the sandbox's own network namespace. */
static int run_env(struct run_state *st, struct srt_error *err)
{
    int netns = (srt_loader_desc(st->enforcer)->caps & SRT_ENF_CAP_NETNS) != 0;
    int http = st->plan.http_port ? st->plan.http_port : netns ? RUN_HTTP_PORT : 0;
    int socks = st->plan.socks_port ? st->plan.socks_port : netns ? RUN_SOCKS_PORT : 0;
    struct srt_proxyenv pe = {
        .http_port = run_proxy_for(st, SRT_PROTO_HTTP) ? http : 0,
        .socks_port = run_proxy_for(st, SRT_PROTO_SOCKS5) ? socks : 0,
    };
    char tool[PATH_MAX], real[PATH_MAX];
    snprintf(tool, sizeof tool, "%s/%s/srt-connect", srt_deploy_exe_dir(), SRT_REL_LIBEXEC_DIR);
    if (realpath(tool, real) && access(real, X_OK) == 0)
        pe.connect_tool = real;
    int rc = srt_proxyenv_build(&pe, (char *const *)st->plan.envp, &st->envp, err);
    if (rc == SRT_OK)
        st->plan.envp = (const char *const *)st->envp;
    return rc;
}

/* The enforcer's prestart (ABI 1.2): its early process starts now and
 * builds what needs no plan (fs-linux: the network namespace and the proxy
 * listeners) while prepare() builds the plan on this thread. */
static int run_prestart(struct run_state *st, const struct srt_session *s, struct srt_error *err)
{
    const struct srt_plugin_desc *d = srt_loader_desc(st->enforcer);
    const struct srt_enforcer_ops *ops = d->ops.enforcer;
    if (!SRT_HAS(ops, struct srt_enforcer_ops, prestart) || !ops->prestart)
        return SRT_OK;
    struct srt_launch_plan early = { .struct_size = sizeof early, .listener_fd = -1 };
    int rc = ops->prestart(srt_loader_inst(st->enforcer), s, &early, err);
    if (rc != SRT_OK) {
        srt_error_prefix(err, "%s: prestart", d->name);
        return rc;
    }
    if (!early.argv)
        return SRT_OK;
    if ((rc = srt_prestart_spawn(&early, &st->early, err)) != SRT_OK)
        srt_error_prefix(err, "%s: prestart", d->name);
    run_phase("prestarted");
    return rc;
}

/* Undo the enforcer's prepare once; later calls do nothing. */
static void run_cleanup_enforcer(struct run_state *st)
{
    if (!st->prepared)
        return;
    st->prepared = 0;
    const struct srt_enforcer_ops *ops = srt_loader_desc(st->enforcer)->ops.enforcer;
    if (ops->cleanup)
        ops->cleanup(srt_loader_inst(st->enforcer), srt_session_view(st->session));
    run_phase("enforcer cleaned up");
}

/* Forwarded signals go through the enforcer when it has a way to reach the
 * command that survives its outer processes (srt_enforcer_ops.signal). */
static int run_deliver_signal(void *ctx, int sig)
{
    struct run_state *st = ctx;
    const struct srt_enforcer_ops *ops = srt_loader_desc(st->enforcer)->ops.enforcer;
    if (!ops->signal)
        return -1;
    return ops->signal(srt_loader_inst(st->enforcer), srt_session_view(st->session), sig) == SRT_OK
               ? 0 : -1;
}

static int run_session(struct run_state *st, const struct srt_run_opts *o, int *exit_status,
                       struct srt_error *err)
{
    const struct srt_plugin_desc *d = srt_loader_desc(st->enforcer);
    const struct srt_policy *pol = srt_settings_policy(st->settings);
    int rc;
    if (!(pol->flags & SRT_POL_FS_DISABLED) && pol->tmpdir &&
        (rc = srt_session_private_dir(pol->tmpdir, err)) != SRT_OK)
        return rc;
    rc = srt_session_new(o->display, pol, &st->session, err);
    if (rc != SRT_OK)
        return rc;
    const struct srt_session *s = srt_session_view(st->session);
    if ((rc = run_prestart(st, s, err)) != SRT_OK)
        return rc;
    memset(&st->plan, 0, sizeof st->plan);
    st->plan.struct_size = sizeof st->plan;
    st->plan.listener_fd = -1;
    rc = d->ops.enforcer->prepare(srt_loader_inst(st->enforcer), s, o->argv,
                                  (const char *const *)o->envp, &st->plan, err);
    if (rc != SRT_OK) {
        srt_error_prefix(err, "%s: prepare", d->name);
        return rc;
    }
    st->prepared = 1;
    if ((rc = run_env(st, err)) != SRT_OK)
        return rc;
    run_each(st, SRT_KIND_MONITOR, run_mon_begin, 0);
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_SESSION_BEGIN,
                            .session = s->id, .command = s->command };
    srt_registry_emit(st->reg, "srt", &ev);

    if (srt_log_get_level() >= SRT_LOG_DEBUG) {
        /* What runs, in a form a shell can run again (bench/startup.sh does). */
        char *line = srt_quote_argv(st->plan.argv);
        srt_log_text(SRT_LOG_DEBUG, "launch", line ? line : "(out of memory)");
        free(line);
    }
    run_phase("prepared");
    pid_t pid = st->early.pid;
    rc = pid ? srt_prestart_commit(&st->early, &st->plan, err)
             : srt_supervise_spawn(&st->plan, &pid, err);
    st->early.pid = 0;   /* committed or reaped: the wait below owns it */
    run_phase("spawned");
    if (rc == SRT_OK) {
        run_attach_listeners(st);
        run_phase("listeners attached");
        struct srt_supervise_fwd fwd = { run_deliver_signal, st };
        *exit_status = srt_supervise_wait(pid, &fwd);
        run_phase("command ended");
        int orphans = srt_supervise_reap_orphans();
        if (orphans)
            srt_log(SRT_LOG_DEBUG, "ended %d background process%s the command left behind",
                    orphans, orphans == 1 ? "" : "es");
        run_each(st, SRT_KIND_PROXY, run_proxy_detach, 0);
    }
    /* The enforcer's cleanup may still report violations (names the
     * command created that it could not refuse): before the session ends. */
    run_cleanup_enforcer(st);
    ev.kind = SRT_EV_SESSION_END;
    ev.status = rc == SRT_OK ? *exit_status : 125;
    srt_registry_emit(st->reg, "srt", &ev);
    run_each(st, SRT_KIND_MONITOR, run_mon_end, ev.status);
    return rc;
}

int srt_run(const struct srt_run_opts *o, int *exit_status, struct srt_error *err)
{
    struct run_state st;
    memset(&st, 0, sizeof st);
    st.early.chan = -1;
    srt_supervise_block_signals();
    srt_supervise_become_subreaper();
    run_phase("start");

    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return srt_error_set(err, SRT_EIO, "cannot read the working directory: %s", strerror(errno));
    struct srt_settings_ctx ctx = { .cwd = cwd, .home = srt_run_home(), .tmpdir = NULL };
    int rc = srt_settings_load(o->settings_path, &ctx, &st.settings, err);
    if (rc != SRT_OK)
        return rc;
    for (size_t i = 0; i < srt_settings_warning_count(st.settings); i++)
        srt_log(SRT_LOG_WARN, "%s", srt_settings_warning_get(st.settings, i));

    rc = srt_deploy_load(o->deploy_path, ctx.home, &st.deploy, err);
    if (rc == SRT_OK && o->trace_path)
        rc = srt_deploy_set_str(st.deploy, "monitor", "trace", o->trace_path, err);
    if (rc == SRT_OK)
        rc = srt_registry_new(getuid(), &st.reg, err);
    if (rc == SRT_OK) {
        srt_registry_set_policy(st.reg, srt_settings_policy(st.settings));
        rc = run_load_plugins(&st, err);
    }
    run_phase("settings, deployment and plugins loaded");
    if (rc == SRT_OK)
        rc = run_probe(&st, err);
    run_phase("probed");
    if (rc == SRT_OK)
        rc = run_session(&st, o, exit_status, err);

    srt_prestart_abort(&st.early);   /* a failure between prestart and commit */
    run_cleanup_enforcer(&st);       /* after an early failure of run_session */
    srt_session_free(st.session);
    srt_proxyenv_free(st.envp);
    srt_registry_free(st.reg);
    srt_deploy_free(st.deploy);
    srt_settings_free(st.settings);
    run_phase("done");
    return rc;
}
