/* run.c - per-run state of the fs-linux enforcer (fsl_run.h): prepare a
 * run in either mode, hand over its listeners, forward signals, release
 * everything at cleanup. Host-free; plugin.c reports and logs. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <srt/host.h>

#include "fsl_run.h"

int fsl_run_new(const struct srt_session *s, const char *const *argv, struct fsl_run **out,
                char *err, size_t errlen)
{
    if (!argv || !argv[0] || !s->runtime_dir || !s->policy) {
        snprintf(err, errlen, "missing command, policy or runtime directory");
        return SRT_EINVAL;
    }
    struct fsl_run *run = calloc(1, sizeof *run);
    if (!run || !(run->id = strdup(s->id))) {
        free(run);
        snprintf(err, errlen, "out of memory");
        return SRT_ENOMEM;
    }
    run->ctl_parent = run->ctl_child = -1;
    run->life_srt = run->life_child = -1;
    run->lfd[0] = run->lfd[1] = run->token = -1;
    *out = run;
    return SRT_OK;
}

/* The ledger's directory: the option, else the parent of the session's
 * runtime dir (the core's per-user runtime base), never the sandbox's
 * TMPDIR, which the sandbox may write. */
static void fsl_run_state_dir(const struct fsl_run_cfg *cfg, const struct srt_session *s,
                              char *out, size_t len)
{
    snprintf(out, len, "%s", cfg->state_dir ? cfg->state_dir : s->runtime_dir);
    if (!cfg->state_dir && strrchr(out, '/') > out)
        *strrchr(out, '/') = '\0';
}

/* An empty mode-000 file bound over read-denied files: EACCES inside. */
static int fsl_run_deny_file(struct fsl_run *run, const char *runtime_dir)
{
    if (!(run->deny_file = fsl_path_join(runtime_dir, "fsl-deny")))
        return SRT_ENOMEM;
    int fd = open(run->deny_file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0)
        return SRT_EIO;
    int r = fchmod(fd, 0) == 0 && ftruncate(fd, 0) == 0 ? SRT_OK : SRT_EIO;
    close(fd);
    return r;
}

/* A close-on-exec seqpacket pair: srt's end in *ours, the sandbox's in
 * *theirs. */
/* A socket pair whose second end a launcher stage inherits. */
static int fsl_socket_pair(const char *what, int *ours, int *theirs, char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "create %s socket: %s", what, strerror(errno));
        return SRT_EIO;
    }
    *ours = sv[0];
    *theirs = sv[1];
    if (fcntl(sv[1], F_SETFD, 0) != 0) {
        snprintf(err, errlen, "pass %s socket: %s", what, strerror(errno));
        return SRT_EIO;
    }
    return SRT_OK;
}

/* Weaker nested mode: Landlock allow-lists, listeners on host loopback. */
/* srt's own files, which must stay read-only inside the sandbox if a write
 * root covers them (THREATS.md F13): the directory of the srt program, of
 * this plugin, of the launcher, and bwrap itself. Filled into own[] (at most
 * FSL_OWN_MAX entries, NULL-terminated), with storage in buf. */
#define FSL_OWN_MAX 4
static void fsl_run_own_files(const char *launcher, const char *bwrap,
                              char buf[FSL_OWN_MAX][PATH_MAX], const char *own[FSL_OWN_MAX + 1])
{
    size_t n = 0;
    Dl_info info;
    ssize_t len = readlink("/proc/self/exe", buf[n], PATH_MAX - 1);
    if (len > 0) {
        buf[n][len] = '\0';
        own[n] = dirname(buf[n]);
        n++;
    }
    /* The core loads plugins through /proc/self/fd/N of the file it checked;
     * realpath turns that back into the file's own path. */
    if (dladdr((void *)fsl_run_own_files, &info) && info.dli_fname &&
        info.dli_fname[0] == '/' && realpath(info.dli_fname, buf[n])) {
        own[n] = dirname(buf[n]);
        n++;
    }
    if (launcher && launcher[0] == '/') {
        snprintf(buf[n], PATH_MAX, "%s", launcher);
        own[n] = dirname(buf[n]);
        n++;
    }
    if (bwrap && bwrap[0] == '/') {
        snprintf(buf[n], PATH_MAX, "%s", bwrap);
        own[n] = buf[n];
        n++;
    }
    own[n] = NULL;
}

static int fsl_run_prepare_weak(struct fsl_run *run, const struct fsl_run_cfg *cfg,
                                const struct srt_session *s, const char *const *argv,
                                const char *const *envp, struct srt_launch_plan *plan,
                                char *err, size_t errlen)
{
    const struct srt_policy *pol = s->policy;
    /* Without the 1.1 port members the core would announce 3128/1080,
     * which nothing serves on the host. */
    if (!SRT_HAS(plan, struct srt_launch_plan, socks_port)) {
        snprintf(err, errlen, "the weaker nested mode needs a core with plugin ABI 1.1 "
                 "(launch plan proxy ports)");
        return SRT_EVERSION;
    }
    /* Nothing would carry a memory limit here: refuse rather than run
     * without the one asked for. */
    if (cfg->max_mem_mib > 0) {
        snprintf(err, errlen, "fs-linux option max_memory_mib: the weaker nested mode has no "
                 "memory cgroup to carry it");
        return SRT_EPERM;
    }
    char state_dir[PATH_MAX];
    fsl_run_state_dir(cfg, s, state_dir, sizeof state_dir);
    run->weak = true;
    char own_buf[FSL_OWN_MAX][PATH_MAX];
    const char *own[FSL_OWN_MAX + 1];
    fsl_run_own_files(cfg->launcher, NULL, own_buf, own);
    struct fsl_weak_in in = { .policy = pol, .state_dir = state_dir, .own = own };
    int r = fsl_weak_build(&in, &run->wplan);
    if (r != SRT_OK) {
        snprintf(err, errlen, "%s", run->wplan.err);
        return r;
    }
    if ((r = fsl_weak_listen(run->lfd, run->ports, err, errlen)) != SRT_OK)
        return r;
    struct stat st;
    if ((run->token = fcntl(run->lfd[0], F_DUPFD_CLOEXEC, 3)) < 0 || fstat(run->token, &st) != 0) {
        snprintf(err, errlen, "duplicate the listener: %s", strerror(errno));
        return SRT_EIO;
    }
    run->token_dev = st.st_dev;
    run->token_ino = st.st_ino;
    /* The create guard reports its refusals on a socket like bwrap mode's
     * lifeline; the weak stage's watcher holds the other end. */
    struct fsl_weak_run how = {
        .allow_unix = pol->flags & SRT_POL_ALLOW_ALL_UNIX, .guard = cfg->guard,
        .git_config_ok = pol->flags & SRT_POL_ALLOW_GIT_CONFIG, .report_fd = -1,
    };
    if (cfg->guard) {
        if ((r = fsl_socket_pair("report", &run->life_srt, &run->life_child, err, errlen)) != SRT_OK)
            return r;
        run->keep[0] = how.report_fd = run->life_child;
        run->guard = true;
    }
    if ((r = fsl_weak_argv(cfg->launcher, &run->wplan, run->ports, &how, argv,
                           &run->argv)) != SRT_OK ||
        (r = fsl_launch_env(pol, envp, &run->envp)) != SRT_OK) {
        snprintf(err, errlen, "build launch command: out of memory");
        return r;
    }
    plan->listener_fd = run->token;
    plan->argv = (const char *const *)run->argv.v;
    plan->envp = (const char *const *)run->envp.v;
    plan->keep_fds = run->guard ? run->keep : NULL;
    plan->n_keep_fds = run->guard ? 1 : 0;
    plan->http_port = run->ports[0];
    plan->socks_port = run->ports[1];
    return SRT_OK;
}

/* The control socket brings the outer stage's listeners (fsl_proto.h).
 * The lifeline (launch/watch.c): only srt holds the other end, so the
 * watcher in the sandbox sees EOF whenever srt goes away. The launcher
 * stages inherit their ends under the same numbers. */
static int fsl_run_channels(struct fsl_run *run, char *err, size_t errlen)
{
    int r;
    if ((r = fsl_socket_pair("control", &run->ctl_parent, &run->ctl_child, err, errlen)) != SRT_OK ||
        (r = fsl_socket_pair("lifeline", &run->life_srt, &run->life_child, err, errlen)) != SRT_OK)
        return r;
    run->keep[0] = run->ctl_child;
    run->keep[1] = run->life_child;
    return SRT_OK;
}

/* The process and memory limits (pids.c): cgroups for root callers, made
 * before the outer stage starts since it joins them first thing. */
static int fsl_run_limits(struct fsl_run *run, const struct fsl_run_cfg *cfg, char *err,
                          size_t errlen)
{
    int r = fsl_pids_cgroup(run->id, cfg->max_procs, &run->cgroup, err, errlen);
    run->unlimited = r == SRT_OK && !run->cgroup && cfg->max_procs > 0 && geteuid() == 0;
    if (r == SRT_OK)
        r = fsl_mem_cgroup(run->id, cfg->max_mem_mib, &run->cgroup_mem, err, errlen);
    size_t n = 0;
    if (run->cgroup)
        run->cgroups[n++] = run->cgroup;
    if (run->cgroup_mem && !(run->cgroup && strcmp(run->cgroup, run->cgroup_mem) == 0))
        run->cgroups[n++] = run->cgroup_mem;
    run->cgroups[n] = NULL;
    return r;
}

int fsl_run_prestart(struct fsl_run *run, const struct fsl_run_cfg *cfg,
                     struct srt_launch_plan *early, char *err, size_t errlen)
{
    int r = fsl_run_channels(run, err, errlen);
    if (r == SRT_OK)
        r = fsl_run_limits(run, cfg, err, errlen);
    if (r == SRT_OK)
        r = fsl_launch_outer_argv(cfg->launcher, run->ctl_child, geteuid() != 0, true,
                                  run->cgroups, &run->early_argv);
    if (r != SRT_OK) {
        if (!err[0])
            snprintf(err, errlen, "build the outer stage's command: out of memory");
        return r;
    }
    run->prestarted = true;
    early->argv = (const char *const *)run->early_argv.v;
    early->keep_fds = run->keep;
    early->n_keep_fds = 2;
    return SRT_OK;
}

/* bwrap mode: the plan, the control socket and the lifeline. */
static int fsl_run_prepare_bwrap(struct fsl_run *run, const struct fsl_run_cfg *cfg,
                                 const struct srt_session *s, const char *const *argv,
                                 const char *const *envp, struct srt_launch_plan *plan,
                                 char *err, size_t errlen)
{
    const struct srt_policy *pol = s->policy;
    char state_dir[PATH_MAX];
    char *bwrap = NULL;
    int r;
    fsl_run_state_dir(cfg, s, state_dir, sizeof state_dir);
    if ((r = fsl_ledger_open(state_dir, s->id, &run->ledger, err, errlen)) != SRT_OK)
        return r;
    if (fsl_ledger_sweep(run->ledger, &run->swept, run->sweep_err, sizeof run->sweep_err) == SRT_OK)
        run->sweep_err[0] = '\0';
    else if (!run->sweep_err[0])
        snprintf(run->sweep_err, sizeof run->sweep_err, "failed");

    if (!(bwrap = fsl_find_bwrap(pol))) {
        snprintf(err, errlen, "bwrap not found%s%s", pol->bwrap_path ? " at " : " in PATH",
                 pol->bwrap_path ? pol->bwrap_path : "");
        return SRT_EBACKEND;
    }
    if (cfg->caps->disable_userns < 0)
        fsl_bwrap_caps_read(bwrap, cfg->caps);
    if ((r = fsl_run_deny_file(run, s->runtime_dir)) != SRT_OK) {
        snprintf(err, errlen, "create %s: %s", run->deny_file ? run->deny_file : "deny file",
                 strerror(errno));
        goto out_free_bwrap;
    }
    char own_buf[FSL_OWN_MAX][PATH_MAX];
    const char *own[FSL_OWN_MAX + 1];
    fsl_run_own_files(cfg->launcher, bwrap, own_buf, own);
    struct fsl_plan_in in = {
        .policy = pol, .deny_file = run->deny_file, .state_dir = state_dir,
        .disable_userns = cfg->caps->disable_userns > 0, .ledger = run->ledger, .own = own,
        .guarded = cfg->guard,
    };
    if ((r = fsl_plan_build(&in, &run->plan)) != SRT_OK) {
        snprintf(err, errlen, "%s", run->plan.err);
        goto out_free_bwrap;
    }
    if (!run->prestarted && ((r = fsl_run_channels(run, err, errlen)) != SRT_OK ||
                             (r = fsl_run_limits(run, cfg, err, errlen)) != SRT_OK))
        goto out_free_bwrap;
    if (cfg->caps->bind_fd > 0 && (r = fsl_bindfd_send(&run->plan.bwrap, run->ctl_parent, err,
                                                   errlen)) != SRT_OK)
        goto out_free_bwrap;
    struct fsl_launch_in lin = {
        .launcher = cfg->launcher, .bwrap = bwrap, .plan = &run->plan, .policy = pol,
        .ctl_fd = run->ctl_child, .life_fd = run->life_child, .userns = geteuid() != 0,
        .cgroups = run->cgroups, .max_procs = cfg->max_procs, .guard = cfg->guard,
    };
    run->guard = cfg->guard;
    /* The outer stage raises its descriptor limit to receive many bind
     * sources; the command gets the caller's back. */
    struct rlimit nofile;
    if (cfg->caps->bind_fd > 0 && getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
        nofile.rlim_cur != RLIM_INFINITY)
        lin.nofile = (int64_t)nofile.rlim_cur;
    if ((r = fsl_launch_argv(&lin, argv, &run->argv)) != SRT_OK ||
        (r = fsl_launch_env(pol, envp, &run->envp)) != SRT_OK) {
        snprintf(err, errlen, "build launch command: out of memory");
        goto out_free_bwrap;
    }
    plan->listener_fd = run->ctl_parent;
    plan->argv = (const char *const *)run->argv.v;
    /* Prestarted, the outer stage runs already: it execs bwrap's argv, the
     * part after its own "--". */
    for (size_t i = 0; run->prestarted && i < run->argv.n; i++)
        if (strcmp(run->argv.v[i], "--") == 0) {
            plan->argv = (const char *const *)run->argv.v + i + 1;
            break;
        }
    plan->envp = (const char *const *)run->envp.v;
    plan->keep_fds = run->keep;
    plan->n_keep_fds = 2;

out_free_bwrap:
    free(bwrap);
    return r;
}

int fsl_run_prepare(struct fsl_run *run, const struct fsl_run_cfg *cfg, enum fsl_mode mode,
                    const struct srt_session *s, const char *const *argv,
                    const char *const *envp, struct srt_launch_plan *plan,
                    char *err, size_t errlen)
{
    if (mode == FSL_MODE_WEAK)
        return fsl_run_prepare_weak(run, cfg, s, argv, envp, plan, err, errlen);
    return fsl_run_prepare_bwrap(run, cfg, s, argv, envp, plan, err, errlen);
}

/* Hand over the host-loopback listeners prepare() made; the token the core
 * used to ask is not needed any more. */
static int fsl_run_listeners_weak(struct fsl_run *run, struct srt_listener *out, size_t max,
                                  size_t *n, char *err, size_t errlen)
{
    if (run->lfd[0] < 0 || run->lfd[1] < 0 || max < 2) {
        snprintf(err, errlen, "hand over listeners: %s",
                 max < 2 ? "room for fewer than 2" : "already handed over");
        return SRT_EINVAL;
    }
    out[0] = (struct srt_listener){ .fd = run->lfd[0], .proto = SRT_PROTO_HTTP };
    out[1] = (struct srt_listener){ .fd = run->lfd[1], .proto = SRT_PROTO_SOCKS5 };
    run->lfd[0] = run->lfd[1] = -1;
    *n = 2;
    if (run->token >= 0) {
        close(run->token);
        run->token = -1;
    }
    /* the command runs: its watcher holds the report socket's other end */
    if (run->life_child >= 0) {
        close(run->life_child);
        run->life_child = -1;
    }
    return SRT_OK;
}

int fsl_run_listeners(struct fsl_run *run, int timeout_ms, struct srt_listener *out,
                      size_t max, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    if (run->weak)
        return fsl_run_listeners_weak(run, out, max, n, err, errlen);
    if (run->ctl_parent < 0) {
        snprintf(err, errlen, "receive listeners: session %s was not prepared", run->id);
        return SRT_EINVAL;
    }
    if (run->ctl_child >= 0) {
        /* spawned by now: drop our copy so a dead outer stage reads as EOF */
        close(run->ctl_child);
        run->ctl_child = -1;
    }
    if (run->life_child >= 0) {
        close(run->life_child);
        run->life_child = -1;
    }
    return fsl_ctl_recv(run->ctl_parent, timeout_ms, out, max, n, err, errlen);
}

/* bwrap does not forward signals to the sandbox: send the number over the
 * lifeline, and the watcher delivers it to the command. */
int fsl_run_signal(struct fsl_run *run, int sig)
{
    unsigned char b = (unsigned char)sig;
    if (!run || run->weak || run->life_srt < 0 || sig <= 0 || sig > 64)
        return SRT_ENOTSUP;
    return send(run->life_srt, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1 ? SRT_OK : SRT_EIO;
}

size_t fsl_run_refusals(struct fsl_run *run, fsl_refusal_fn fn, void *arg)
{
    char msg[PATH_MAX + NAME_MAX + 64];    /* "<op>\0<path>" (launch/guard.c) */
    size_t n = 0;
    ssize_t got;

    if (!run || !run->guard || run->life_srt < 0)
        return 0;
    while ((got = recv(run->life_srt, msg, sizeof msg - 1, MSG_DONTWAIT)) > 0) {
        msg[got] = '\0';
        size_t op = strlen(msg);
        if ((size_t)got <= op + 1)
            continue;   /* not "<op>\0<path>" */
        fn(arg, msg, msg + op + 1);
        n++;
    }
    return n;
}

struct fsl_run *fsl_run_find(struct fsl_run **list, const char *id, bool unlink_it)
{
    for (struct fsl_run **pp = list; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->id, id) != 0)
            continue;
        struct fsl_run *run = *pp;
        if (unlink_it)
            *pp = run->next;
        return run;
    }
    return NULL;
}

void fsl_run_free(struct fsl_run *run)
{
    if (!run)
        return;
    if (run->ctl_parent >= 0)
        close(run->ctl_parent);
    if (run->ctl_child >= 0)
        close(run->ctl_child);
    if (run->life_child >= 0)
        close(run->life_child);
    if (run->life_srt >= 0)
        close(run->life_srt);   /* EOF for the watcher: whatever is left dies */
    if (run->ledger) {
        fsl_ledger_release(run->ledger, NULL);
        fsl_ledger_close(run->ledger);
    }
    if (run->deny_file) {
        unlink(run->deny_file);
        free(run->deny_file);
    }
    for (int i = 0; i < 2; i++)
        if (run->lfd[i] >= 0)
            close(run->lfd[i]);
    /* The core closes listener_fd itself when the spawn fails; close the
     * token only if that number still is our socket. */
    struct stat st;
    if (run->token >= 0 && fstat(run->token, &st) == 0 && st.st_dev == run->token_dev &&
        st.st_ino == run->token_ino)
        close(run->token);
    fsl_weak_free(&run->wplan);
    fsl_plan_free(&run->plan);
    fsl_vec_free(&run->argv);
    fsl_vec_free(&run->envp);
    fsl_vec_free(&run->early_argv);
    fsl_pids_cgroup_remove(run->cgroup);
    fsl_pids_cgroup_remove(run->cgroup_mem);
    free(run->cgroup);
    free(run->cgroup_mem);
    free(run->id);
    free(run);
}

void fsl_run_free_all(struct fsl_run **list)
{
    while (*list) {
        struct fsl_run *next = (*list)->next;
        fsl_run_free(*list);
        *list = next;
    }
}
