/* plugin.c - glue of the fs-linux enforcer (bubblewrap, DESIGN.md 5).
 *
 * Descriptor, options, probe, and the thin prepare/listeners/cleanup ops.
 * The plan itself is built by plan.c; the launch chain it assembles is
 *   srt-linux-launch --outer --ctl-fd N [--userns] -- bwrap ... --
 *   srt-linux-launch --inner ... -- command
 * and the outer stage hands the proxy listeners back over the control
 * socket described in fsl_proto.h. Where user namespaces are unavailable and
 * the policy asks for it, the weaker nested mode (weak.c, DESIGN.md 5.5)
 * runs `srt-linux-launch --weak ... -- command` instead, with the proxy
 * listeners made here on host loopback. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <srt/fs.h>

#include "fsl_int.h"
#include "fsl_proto.h"
#include "fsl_weak.h"

#define FSL_LISTEN_TIMEOUT_MS 5000
#define FSL_LAUNCHER_REL "../libexec/srt/srt-linux-launch"
#define FSL_WEAK_MIN_ABI 4      /* Landlock TCP port rules (Linux 6.7) */

/* How a run is sandboxed. */
enum fsl_mode {
    FSL_MODE_AUTO = 0,          /* force_mode unset: decided per policy */
    FSL_MODE_BWRAP,
    FSL_MODE_WEAK,              /* weaker nested: Landlock + seccomp, no namespaces */
};

/* Per-run state, from prepare() to cleanup(). */
struct fsl_run {
    char              *id;
    struct fsl_ledger *ledger;
    struct fsl_plan    plan;
    struct fsl_vec     argv, envp;
    int                ctl_parent, ctl_child;
    int                life_srt, life_child;  /* lifeline: srt's end and the inner stage's */
    int                keep[2];
    char              *deny_file;
    /* weaker nested mode only */
    bool               weak;
    struct fsl_weak_plan wplan;
    int                lfd[2];      /* HTTP and SOCKS5 listeners until handed over */
    int                token;       /* plan->listener_fd: a dup of lfd[0] */
    dev_t              token_dev;
    ino_t              token_ino;
    struct fsl_run    *next;
};

struct fsl_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
    char                  *launcher;
    char                  *state_dir;
    int                    disable_userns;  /* -1 until bwrap was asked */
    enum fsl_mode          force;           /* option force_mode */
    struct fsl_run        *runs;
};

/* <dir of the running executable>/../libexec/srt/srt-linux-launch */
static char *fsl_default_launcher(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *dir = fsl_path_parent(exe);
    char *joined = dir ? fsl_path_join(dir, FSL_LAUNCHER_REL) : NULL;
    free(dir);
    char *real = joined ? realpath(joined, NULL) : NULL;
    if (real) {
        free(joined);
        return real;
    }
    return joined;
}

static int fsl_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    struct fsl_inst *m = calloc(1, sizeof *m);
    if (!m) {
        host->fail(err, SRT_ENOMEM, "allocate fs-linux instance");
        return SRT_ENOMEM;
    }
    m->host = host;
    m->self = self;
    m->disable_userns = -1;
    const char *opt;
    if (host->cfg_str(cfg, "launcher", &opt) == SRT_OK)
        m->launcher = strdup(opt);
    else
        m->launcher = fsl_default_launcher();
    if (host->cfg_str(cfg, "force_mode", &opt) == SRT_OK) {
        if (strcmp(opt, "bwrap") == 0)
            m->force = FSL_MODE_BWRAP;
        else if (strcmp(opt, "weaker-nested") == 0)
            m->force = FSL_MODE_WEAK;
        else {
            host->fail(err, SRT_EINVAL, "fs-linux option force_mode: expected \"bwrap\" or "
                       "\"weaker-nested\", got \"%s\"", opt);
            free(m->launcher);
            free(m);
            return SRT_EINVAL;
        }
    }
    /* Without the option the ledger lives in the core's per-user runtime base
     * (the parent of each session's runtime dir), never in the sandbox's
     * TMPDIR, which the sandbox may write. */
    int have_state = host->cfg_str(cfg, "state_dir", &opt) == SRT_OK;
    if (have_state)
        m->state_dir = strdup(opt);
    if (!m->launcher || (have_state && !m->state_dir)) {
        free(m->launcher);
        free(m->state_dir);
        free(m);
        host->fail(err, SRT_ENOMEM, "allocate fs-linux options");
        return SRT_ENOMEM;
    }
    *inst = m;
    return SRT_OK;
}

static void fsl_run_free(struct fsl_run *run);

static void fsl_destroy(void *inst)
{
    struct fsl_inst *m = inst;
    while (m->runs) {
        struct fsl_run *next = m->runs->next;
        fsl_run_free(m->runs);
        m->runs = next;
    }
    free(m->launcher);
    free(m->state_dir);
    free(m);
}

/* bwrapPath, or the first executable bwrap in PATH; NULL when none. */
static char *fsl_find_bwrap(const struct srt_policy *policy)
{
    if (policy && policy->bwrap_path)
        return access(policy->bwrap_path, X_OK) == 0 ? strdup(policy->bwrap_path) : NULL;
    const char *path = getenv("PATH");
    char *dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *found = NULL;
    for (char *save = NULL, *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *cand = d[0] == '/' ? fsl_path_join(d, "bwrap") : NULL;
        if (cand && access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    free(dirs);
    return found;
}

/* Does this bwrap know --disable-userns (bwrap >= 0.8)? Its help text is in
 * the binary, so look for the option's name there instead of running
 * `bwrap --help` on every start (an exec costs more than the search). */
static bool fsl_bwrap_has_disable_userns(const char *bwrap)
{
    static const char opt[] = "--disable-userns";
    int fd = open(bwrap, O_RDONLY | O_CLOEXEC);
    struct stat st;
    bool has = false;
    if (fd < 0)
        return false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        st.st_size < 64 * 1024 * 1024) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            has = memmem(map, (size_t)st.st_size, opt, sizeof opt - 1) != NULL;
            munmap(map, (size_t)st.st_size);
        }
    }
    close(fd);
    return has;
}

/* May user namespaces be created? Read from the sysctls rather than tried in
 * a child, to keep start-up cheap; `srtctl doctor` does the real attempt, and
 * bwrap fails closed if the kernel refuses after all. */
static bool fsl_userns_allowed(void)
{
    char buf[32];
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
    bool ok = f && fgets(buf, sizeof buf, f) && atol(buf) > 0;
    if (f)
        fclose(f);
    if (ok && geteuid() != 0 && (f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re"))) {
        ok = fgets(buf, sizeof buf, f) && atol(buf) > 0;
        fclose(f);
    }
    return ok;
}

__attribute__((format(printf, 2, 3)))
static void fsl_note(struct srt_probe *out, const char *fmt, ...)
{
    size_t len = strlen(out->detail);
    va_list ap;
    va_start(ap, fmt);
    if (len < sizeof out->detail - 1)
        vsnprintf(out->detail + len, sizeof out->detail - len, fmt, ap);
    va_end(ap);
}

/* Namespaces when the machine has them (stronger), even with the flag set;
 * the weaker mode only when they are missing and the policy opts in. */
static enum fsl_mode fsl_mode_for(const struct fsl_inst *m, const struct srt_policy *policy)
{
    if (m->force != FSL_MODE_AUTO)
        return m->force;
    if (fsl_userns_allowed())
        return FSL_MODE_BWRAP;
    return policy && (policy->flags & SRT_POL_WEAKER_NESTED) ? FSL_MODE_WEAK : FSL_MODE_BWRAP;
}

static void fsl_probe_common(struct fsl_inst *m, struct srt_probe *out)
{
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0) {
        fsl_note(out, "ok: seccomp\n");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: seccomp (fix: a kernel with CONFIG_SECCOMP_FILTER)\n");
    }

    if (access(m->launcher, X_OK) == 0) {
        fsl_note(out, "ok: launcher %s\n", m->launcher);
    } else {
        out->usable = 0;
        fsl_note(out, "missing: launcher %s (fix: install srt-linux-launch or set the fs-linux "
                      "option launcher)\n", m->launcher);
    }
    size_t len = strlen(out->detail);
    if (len && out->detail[len - 1] == '\n')
        out->detail[len - 1] = '\0';
}

static void fsl_probe_weak(struct fsl_inst *m, struct srt_probe *out)
{
    snprintf(out->mode, sizeof out->mode, "weaker-nested");
    fsl_note(out, "degraded: weaker nested mode (%s): Landlock + seccomp only, no namespaces; "
                  "host processes visible, TCP limited by port not address, denied files "
                  "fail with EACCES instead of being hidden (see the fs-linux README)\n",
             m->force == FSL_MODE_WEAK ? "forced by force_mode"
                                       : "no user namespaces, enableWeakerNestedSandbox set");
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi >= 6) {
        fsl_note(out, "ok: landlock ABI %ld (tcp port rules, signal and abstract-socket scoping)\n",
                 abi);
    } else if (abi >= FSL_WEAK_MIN_ABI) {
        fsl_note(out, "degraded: landlock ABI %ld: signals and abstract unix sockets are not "
                      "scoped to the sandbox (fix: linux >= 6.12)\n", abi);
    } else {
        out->usable = 0;
        fsl_note(out, "missing: landlock ABI >= %d for the weaker nested mode, have %ld "
                      "(fix: linux >= 6.7 with landlock in lsm=)\n", FSL_WEAK_MIN_ABI,
                 abi < 0 ? 0 : abi);
    }
    fsl_probe_common(m, out);
}

static int fsl_probe(void *inst, const struct srt_policy *policy, struct srt_probe *out,
                     struct srt_error *err)
{
    (void)err;
    struct fsl_inst *m = inst;
    out->usable = 1;
    out->detail[0] = '\0';
    if (fsl_mode_for(m, policy) == FSL_MODE_WEAK) {
        fsl_probe_weak(m, out);
        return SRT_OK;
    }
    snprintf(out->mode, sizeof out->mode, "bwrap");

    char *bwrap = fsl_find_bwrap(policy);
    if (bwrap) {
        m->disable_userns = fsl_bwrap_has_disable_userns(bwrap);
        fsl_note(out, "ok: bwrap %s%s\n", bwrap,
                 m->disable_userns ? " (--disable-userns)" : " (no --disable-userns: bwrap < 0.8)");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: bwrap%s%s (fix: apt install bubblewrap, or set bwrapPath)\n",
                 policy && policy->bwrap_path ? " at " : " in PATH",
                 policy && policy->bwrap_path ? policy->bwrap_path : "");
    }
    free(bwrap);

    if (fsl_userns_allowed()) {
        fsl_note(out, "ok: user namespaces allowed\n");
    } else {
        out->usable = 0;
        fsl_note(out, "missing: user namespaces (fix: sysctl user.max_user_namespaces>0 and "
                      "kernel.unprivileged_userns_clone=1, or set enableWeakerNestedSandbox: "
                      "true (weaker))\n");
    }

    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi >= 1) {
        fsl_note(out, "ok: landlock ABI %ld\n", abi);
    } else {
        fsl_note(out, "degraded: landlock unavailable, no second write layer "
                      "(fix: boot with lsm=...,landlock)\n");
    }

    fsl_probe_common(m, out);
    return SRT_OK;
}

static void fsl_run_free(struct fsl_run *run)
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
    free(run->id);
    free(run);
}

/* The environment of the command: the caller's, with TMPDIR and
 * SANDBOX_RUNTIME set by srt (REFERENCE.md 6.10). */
static int fsl_build_env(struct fsl_run *run, const struct srt_policy *pol,
                         const char *const *envp)
{
    bool set_tmp = pol->tmpdir && !(pol->flags & SRT_POL_FS_DISABLED);
    for (size_t i = 0; envp && envp[i]; i++) {
        if (strncmp(envp[i], "SANDBOX_RUNTIME=", 16) == 0 ||
            (set_tmp && strncmp(envp[i], "TMPDIR=", 7) == 0))
            continue;
        if (fsl_vec_push(&run->envp, envp[i]) != SRT_OK)
            return SRT_ENOMEM;
    }
    int r = fsl_vec_push(&run->envp, "SANDBOX_RUNTIME=1");
    if (r == SRT_OK && set_tmp)
        r = fsl_vec_pushf(&run->envp, "TMPDIR=%s", pol->tmpdir);
    return r;
}

static int fsl_build_argv(struct fsl_inst *m, struct fsl_run *run, const struct srt_policy *pol,
                          const char *bwrap, const char *const *argv)
{
    struct fsl_vec *a = &run->argv;
    int r = fsl_vec_push(a, m->launcher);
    if (r == SRT_OK) r = fsl_vec_push(a, "--outer");
    if (r == SRT_OK) r = fsl_vec_push(a, "--ctl-fd");
    if (r == SRT_OK) r = fsl_vec_pushf(a, "%d", run->ctl_child);
    if (r == SRT_OK && geteuid() != 0) r = fsl_vec_push(a, "--userns");
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    if (r == SRT_OK) r = fsl_vec_push(a, bwrap);
    for (size_t i = 0; r == SRT_OK && i < run->plan.bwrap.n; i++)
        r = fsl_vec_push(a, run->plan.bwrap.v[i]);
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    if (r == SRT_OK) r = fsl_vec_push(a, m->launcher);
    if (r == SRT_OK) r = fsl_vec_push(a, "--inner");
    if (r == SRT_OK) r = fsl_vec_push(a, "--lifeline-fd");
    if (r == SRT_OK) r = fsl_vec_pushf(a, "%d", run->life_child);
    if (r == SRT_OK && (pol->flags & SRT_POL_ALLOW_ALL_UNIX)) r = fsl_vec_push(a, "--allow-unix");
    if (r == SRT_OK && (pol->flags & SRT_POL_ALLOW_NESTED_USERNS))
        r = fsl_vec_push(a, "--allow-nested-userns");
    for (size_t i = 0; r == SRT_OK && i < run->plan.ll_write.n; i++) {
        r = fsl_vec_push(a, "--ll-write");
        if (r == SRT_OK)
            r = fsl_vec_push(a, run->plan.ll_write.v[i]);
    }
    if (r == SRT_OK) r = fsl_vec_push(a, "--");
    for (size_t i = 0; r == SRT_OK && argv[i]; i++)
        r = fsl_vec_push(a, argv[i]);
    return r;
}

/* An empty mode-000 file bound over read-denied files: EACCES inside. */
static int fsl_make_deny_file(struct fsl_run *run, const char *runtime_dir)
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

/* The ledger's directory: the option, else the parent of the session's
 * runtime dir (the core's per-user runtime base), never the sandbox's
 * TMPDIR, which the sandbox may write. */
static void fsl_state_dir(const struct fsl_inst *m, const struct srt_session *s, char *out,
                          size_t len)
{
    snprintf(out, len, "%s", m->state_dir ? m->state_dir : s->runtime_dir);
    if (!m->state_dir && strrchr(out, '/') > out)
        *strrchr(out, '/') = '\0';
}

/* Weaker nested mode: Landlock allow-lists, listeners on host loopback. */
static int fsl_prepare_weak(struct fsl_inst *m, struct fsl_run *run, const struct srt_session *s,
                            const char *const *argv, const char *const *envp,
                            struct srt_launch_plan *plan, char *msg, size_t msglen)
{
    const struct srt_host *h = m->host;
    const struct srt_policy *pol = s->policy;
    /* Without the 1.1 port members the core would announce 3128/1080,
     * which nothing serves on the host. */
    if (!SRT_HAS(plan, struct srt_launch_plan, socks_port)) {
        snprintf(msg, msglen, "the weaker nested mode needs a core with plugin ABI 1.1 "
                 "(launch plan proxy ports)");
        return SRT_EVERSION;
    }
    char state_dir[PATH_MAX];
    fsl_state_dir(m, s, state_dir, sizeof state_dir);
    run->weak = true;
    struct fsl_weak_in in = { .policy = pol, .state_dir = state_dir };
    int r = fsl_weak_build(&in, &run->wplan);
    for (size_t i = 0; i < run->wplan.warnings.n; i++)
        SRT_LOG_WARN(h, m->self, "%s", run->wplan.warnings.v[i]);
    if (r != SRT_OK) {
        snprintf(msg, msglen, "%s", run->wplan.err);
        return r;
    }
    uint16_t ports[2];
    if ((r = fsl_weak_listen(run->lfd, ports, msg, msglen)) != SRT_OK)
        return r;
    struct stat st;
    if ((run->token = fcntl(run->lfd[0], F_DUPFD_CLOEXEC, 3)) < 0 || fstat(run->token, &st) != 0) {
        snprintf(msg, msglen, "duplicate the listener: %s", strerror(errno));
        return SRT_EIO;
    }
    run->token_dev = st.st_dev;
    run->token_ino = st.st_ino;
    if ((r = fsl_weak_argv(m->launcher, &run->wplan, ports, pol->flags & SRT_POL_ALLOW_ALL_UNIX,
                           argv, &run->argv)) != SRT_OK ||
        (r = fsl_build_env(run, pol, envp)) != SRT_OK) {
        snprintf(msg, msglen, "build launch command: out of memory");
        return r;
    }
    plan->listener_fd = run->token;
    plan->argv = (const char *const *)run->argv.v;
    plan->envp = (const char *const *)run->envp.v;
    plan->keep_fds = NULL;
    plan->n_keep_fds = 0;
    plan->http_port = ports[0];
    plan->socks_port = ports[1];
    SRT_LOG_DEBUG(h, m->self, "session %s: weaker nested mode, %zu read and %zu write rules, "
                  "proxies on 127.0.0.1:%u and :%u", s->id, run->wplan.read.n, run->wplan.write.n,
                  (unsigned)ports[0], (unsigned)ports[1]);
    return SRT_OK;
}

/* A close-on-exec seqpacket pair: srt's end in *ours, the sandbox's in
 * *theirs. */
static int fsl_socket_pair(const char *what, int *ours, int *theirs, char *msg, size_t msglen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(msg, msglen, "create %s socket: %s", what, strerror(errno));
        return SRT_EIO;
    }
    *ours = sv[0];
    *theirs = sv[1];
    return SRT_OK;
}

static int fsl_prepare(void *inst, const struct srt_session *s, const char *const *argv,
                       const char *const *envp, struct srt_launch_plan *plan, struct srt_error *err)
{
    struct fsl_inst *m = inst;
    const struct srt_host *h = m->host;
    const struct srt_policy *pol = s->policy;
    char msg[FSL_ERRMAX] = "";
    char *bwrap = NULL;
    int r;
    if (!argv || !argv[0] || !s->runtime_dir || !pol) {
        h->fail(err, SRT_EINVAL, "prepare sandbox: missing command, policy or runtime directory");
        return SRT_EINVAL;
    }
    struct fsl_run *run = calloc(1, sizeof *run);
    if (!run || !(run->id = strdup(s->id))) {
        free(run);
        h->fail(err, SRT_ENOMEM, "prepare sandbox: out of memory");
        return SRT_ENOMEM;
    }
    run->ctl_parent = run->ctl_child = -1;
    run->life_srt = run->life_child = -1;
    run->lfd[0] = run->lfd[1] = run->token = -1;

    if (fsl_mode_for(m, pol) == FSL_MODE_WEAK) {
        if ((r = fsl_prepare_weak(m, run, s, argv, envp, plan, msg, sizeof msg)) != SRT_OK)
            goto out_fail;
        run->next = m->runs;
        m->runs = run;
        return SRT_OK;
    }

    char state_dir[PATH_MAX];
    fsl_state_dir(m, s, state_dir, sizeof state_dir);
    if ((r = fsl_ledger_open(state_dir, s->id, &run->ledger, msg, sizeof msg)) != SRT_OK)
        goto out_fail;
    size_t swept = 0;
    if (fsl_ledger_sweep(run->ledger, &swept, msg, sizeof msg) != SRT_OK)
        SRT_LOG_WARN(h, m->self, "sweep stale placeholders: %s", msg);
    else if (swept)
        SRT_LOG_INFO(h, m->self, "removed %zu placeholders left by an earlier run", swept);
    msg[0] = '\0';

    if (!(bwrap = fsl_find_bwrap(pol))) {
        snprintf(msg, sizeof msg, "bwrap not found%s%s", pol->bwrap_path ? " at " : " in PATH",
                 pol->bwrap_path ? pol->bwrap_path : "");
        r = SRT_EBACKEND;
        goto out_fail;
    }
    if (m->disable_userns < 0)
        m->disable_userns = fsl_bwrap_has_disable_userns(bwrap);
    if ((r = fsl_make_deny_file(run, s->runtime_dir)) != SRT_OK) {
        snprintf(msg, sizeof msg, "create %s: %s", run->deny_file ? run->deny_file : "deny file",
                 strerror(errno));
        goto out_fail;
    }
    struct fsl_plan_in in = {
        .policy = pol, .deny_file = run->deny_file, .state_dir = state_dir,
        .disable_userns = m->disable_userns > 0, .ledger = run->ledger,
    };
    r = fsl_plan_build(&in, &run->plan);
    for (size_t i = 0; i < run->plan.warnings.n; i++)
        SRT_LOG_WARN(h, m->self, "%s", run->plan.warnings.v[i]);
    if (r != SRT_OK) {
        snprintf(msg, sizeof msg, "%s", run->plan.err);
        goto out_fail;
    }
    /* The control socket brings the outer stage's listeners (fsl_proto.h).
     * The lifeline (launch/watch.c): only srt holds the other end, so the
     * watcher in the sandbox sees EOF whenever srt goes away. */
    if ((r = fsl_socket_pair("control", &run->ctl_parent, &run->ctl_child, msg, sizeof msg)) != SRT_OK ||
        (r = fsl_socket_pair("lifeline", &run->life_srt, &run->life_child, msg, sizeof msg)) != SRT_OK)
        goto out_fail;
    /* the launcher stages inherit their ends under the same numbers */
    if (fcntl(run->ctl_child, F_SETFD, 0) != 0 || fcntl(run->life_child, F_SETFD, 0) != 0) {
        snprintf(msg, sizeof msg, "pass control socket: %s", strerror(errno));
        r = SRT_EIO;
        goto out_fail;
    }
    if ((r = fsl_build_argv(m, run, pol, bwrap, argv)) != SRT_OK ||
        (r = fsl_build_env(run, pol, envp)) != SRT_OK) {
        snprintf(msg, sizeof msg, "build launch command: out of memory");
        goto out_fail;
    }
    free(bwrap);
    run->keep[0] = run->ctl_child;
    run->keep[1] = run->life_child;
    plan->listener_fd = run->ctl_parent;
    plan->argv = (const char *const *)run->argv.v;
    plan->envp = (const char *const *)run->envp.v;
    plan->keep_fds = run->keep;
    plan->n_keep_fds = 2;
    run->next = m->runs;
    m->runs = run;
    SRT_LOG_DEBUG(h, m->self, "session %s: %zu bwrap options, %zu placeholders", s->id,
                  run->plan.bwrap.n, fsl_ledger_paths(run->ledger)->n);
    return SRT_OK;

out_fail:
    free(bwrap);
    fsl_run_free(run);
    h->fail(err, r, "prepare sandbox: %s", msg[0] ? msg : "failed");
    return r;
}

static struct fsl_run *fsl_run_find(struct fsl_inst *m, const struct srt_session *s, bool unlink_it)
{
    for (struct fsl_run **pp = &m->runs; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->id, s->id) != 0)
            continue;
        struct fsl_run *run = *pp;
        if (unlink_it)
            *pp = run->next;
        return run;
    }
    return NULL;
}

/* Hand over the host-loopback listeners prepare() made; the token the core
 * used to ask is not needed any more. */
static int fsl_listeners_weak(struct fsl_inst *m, struct fsl_run *run, struct srt_listener *out,
                              size_t max, size_t *n, struct srt_error *err)
{
    if (run->lfd[0] < 0 || run->lfd[1] < 0 || max < 2) {
        m->host->fail(err, SRT_EINVAL, "hand over listeners: %s",
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
    return SRT_OK;
}

/* Receive the listeners the outer stage made (fsl_proto.h). */
static int fsl_listeners(void *inst, const struct srt_session *s, struct srt_listener *out,
                         size_t max, size_t *n, struct srt_error *err)
{
    struct fsl_inst *m = inst;
    const struct srt_host *h = m->host;
    struct fsl_run *run = fsl_run_find(m, s, false);
    *n = 0;
    if (run && run->weak)
        return fsl_listeners_weak(m, run, out, max, n, err);
    if (!run || run->ctl_parent < 0) {
        h->fail(err, SRT_EINVAL, "receive listeners: session %s was not prepared", s->id);
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
    struct pollfd pfd = { .fd = run->ctl_parent, .events = POLLIN };
    int pr;
    do
        pr = poll(&pfd, 1, FSL_LISTEN_TIMEOUT_MS);
    while (pr < 0 && errno == EINTR);
    if (pr == 0) {
        h->fail(err, SRT_EBACKEND, "receive listeners from srt-linux-launch: timed out after %d s",
                FSL_LISTEN_TIMEOUT_MS / 1000);
        return SRT_EBACKEND;
    }
    struct fsl_ctl_msg msg;
    union {
        char buf[CMSG_SPACE(sizeof(int) * FSL_CTL_MAX_LISTENERS)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { .iov_base = &msg, .iov_len = sizeof msg };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    memset(&msg, 0, sizeof msg);
    ssize_t got = pr < 0 ? -1 : recvmsg(run->ctl_parent, &mh, MSG_CMSG_CLOEXEC);
    int fds[FSL_CTL_MAX_LISTENERS];
    size_t nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); got > 0 && c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
                               nfds < FSL_CTL_MAX_LISTENERS; i++)
                memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    int r = SRT_OK;
    if (got != (ssize_t)sizeof msg || msg.magic != FSL_CTL_MAGIC || msg.version != FSL_CTL_VERSION) {
        h->fail(err, SRT_EBACKEND, "receive listeners from srt-linux-launch: %s",
                got == 0 ? "it exited before sending them" : got < 0 ? strerror(errno)
                                                                     : "malformed message");
        r = SRT_EBACKEND;
    } else if (msg.status != 0) {
        msg.error[FSL_CTL_ERRMAX - 1] = '\0';
        h->fail(err, SRT_EBACKEND, "srt-linux-launch: %s: %s", msg.error, strerror(msg.status));
        r = SRT_EBACKEND;
    } else if (msg.n_listeners != nfds || nfds > max || (mh.msg_flags & MSG_CTRUNC)) {
        h->fail(err, SRT_EBACKEND, "receive listeners: %u announced, %zu received, room for %zu",
                (unsigned)msg.n_listeners, nfds, max);
        r = SRT_EBACKEND;
    }
    for (size_t i = 0; r == SRT_OK && i < nfds; i++) {
        int32_t slot = msg.listener[i].slot;
        if (slot < 0 || (size_t)slot >= nfds) {
            h->fail(err, SRT_EBACKEND, "receive listeners: bad slot %d", (int)slot);
            r = SRT_EBACKEND;
            break;
        }
        out[i].fd = fds[slot];
        out[i].proto = msg.listener[i].proto;
    }
    if (r != SRT_OK) {
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        return r;
    }
    *n = nfds;
    return SRT_OK;
}

/* bwrap does not forward signals to the sandbox: send the number over the
 * lifeline, and the watcher delivers it to the command. */
static int fsl_signal(void *inst, const struct srt_session *s, int sig)
{
    struct fsl_run *run = fsl_run_find(inst, s, false);
    unsigned char b = (unsigned char)sig;
    if (!run || run->weak || run->life_srt < 0 || sig <= 0 || sig > 64)
        return SRT_ENOTSUP;
    return send(run->life_srt, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1 ? SRT_OK : SRT_EIO;
}

static void fsl_cleanup(void *inst, const struct srt_session *s)
{
    struct fsl_inst *m = inst;
    fsl_run_free(fsl_run_find(m, s, true));
}

static const struct srt_enforcer_ops fsl_ops = {
    .struct_size = sizeof(struct srt_enforcer_ops),
    .probe = fsl_probe,
    .prepare = fsl_prepare,
    .listeners = fsl_listeners,
    .cleanup = fsl_cleanup,
    .signal = fsl_signal,
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
