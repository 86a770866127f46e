/* test_plugin.c - the fs-linux glue through the fake host: probe findings,
 * the launch command prepare() builds, the listener hand-over of
 * fsl_proto.h (the outer stage simulated here) and cleanup(). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <srt/fs.h>

#include "cu_main.h"
#include "fake_host.h"
#include "fsl_proto.h"
#include "fsl_test.h"

const struct srt_plugin_desc *srt_builtin_fs_linux(void);

static long argv_find(const char *const *v, const char *s, long from)
{
    for (long i = from; v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return -1;
}

static void send_listeners(int fd, int status, int n)
{
    struct fsl_ctl_msg msg = { .magic = FSL_CTL_MAGIC, .version = FSL_CTL_VERSION,
                               .n_listeners = (uint16_t)n, .status = status };
    if (status)
        snprintf(msg.error, sizeof msg.error, "bring up lo");
    for (int i = 0; i < n; i++) {
        msg.listener[i].slot = n - 1 - i;   /* slots need not follow order */
        msg.listener[i].proto = (uint32_t)(n - i);
    }
    CU_ASSERT(ft_send_ctl(fd, &msg, sizeof msg, n));
}

/* The outer stage's side of the bind sources (fsl_proto.h): every "@K"
 * after --bind-fd/--ro-bind-fd in argv arrives as descriptor K, and K's
 * inode is that of the path the plan bound there. Returns how many came. */
static size_t drain_bind_fds(int ctl, const char *const *argv)
{
    size_t want = 0, got = 0;
    for (size_t i = 1; argv[i]; i++)
        if (strcmp(argv[i - 1], "--bind-fd") == 0 || strcmp(argv[i - 1], "--ro-bind-fd") == 0) {
            CU_ASSERT(argv[i][0] == '@' && atoi(argv[i] + 1) == (int)want);
            want++;
        }
    while (got < want) {
        struct fsl_ctl_fds msg;
        char cbuf[CMSG_SPACE(sizeof(int) * FSL_CTL_FDS_BATCH)];
        struct iovec iov = { .iov_base = &msg, .iov_len = sizeof msg };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                             .msg_controllen = sizeof cbuf };
        if (recvmsg(ctl, &mh, MSG_DONTWAIT) != (ssize_t)sizeof msg)
            break;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        size_t n = cm ? (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
        CU_ASSERT(msg.magic == FSL_CTL_FDS_MAGIC && msg.first == got && msg.count == n &&
                  msg.total == want);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof fd, sizeof fd);
            /* the destination named after "@K" is the path opened for K */
            struct stat a, b;
            size_t k = got + i, seen = 0;
            for (size_t j = 1; argv[j]; j++) {
                if (argv[j][0] != '@' || seen++ != k)
                    continue;
                CU_ASSERT(fstat(fd, &a) == 0 && stat(argv[j + 1], &b) == 0 &&
                          a.st_ino == b.st_ino && a.st_dev == b.st_dev);
            }
            close(fd);
        }
        got += n;
    }
    return got;
}

static void test_plugin_run(void)
{
    const struct srt_plugin_desc *d = srt_builtin_fs_linux();
    CU_ASSERT_STRING_EQUAL(d->name, "fs-linux");
    CU_ASSERT(d->caps & SRT_ENF_CAP_NETNS);
    char *T = ft_tmpdir();
    char launcher[700], state[700], rt[700], w[700], tmp[700];
    snprintf(launcher, sizeof launcher, "%s/no-such-launcher", T);
    snprintf(state, sizeof state, "%s/state", T);
    snprintf(rt, sizeof rt, "%s/rt", T);
    snprintf(w, sizeof w, "%s/w", T);
    snprintf(tmp, sizeof tmp, "%s/tmp", T);
    ft_make(T, "rt/", NULL);
    ft_make(T, "w/f", "x");
    fake_host_reset();
    fake_config_set("launcher", launcher);
    fake_config_set("state_dir", state);
    void *inst;
    struct srt_error err = {0};
    CU_ASSERT_FATAL(d->create(fake_host_get(), fake_handle(), fake_config(), &inst, &err) == SRT_OK);

    struct srt_probe pr = { .struct_size = sizeof pr };
    CU_ASSERT(d->ops.enforcer->probe(inst, NULL, &pr, &err) == SRT_OK);
    CU_ASSERT_EQUAL(pr.usable, 0);                       /* launcher missing */
    CU_ASSERT(strstr(pr.detail, "missing: launcher") != NULL);
    CU_ASSERT(strstr(pr.detail, "fix:") != NULL);

    struct ft_policy p;
    ft_policy_init(&p, w);
    p.pol.tmpdir = tmp;
    ft_policy_add(&p, 'w', T, "w", 0);
    struct srt_session s = { .struct_size = sizeof s, .id = "0123456789abcdef",
                             .runtime_dir = rt, .policy = &p.pol };
    const char *const argv[] = { "/bin/echo", "hi", NULL };
    const char *const envp[] = { "PATH=/bin", "TMPDIR=/elsewhere", NULL };
    struct srt_launch_plan plan = { .struct_size = sizeof plan };
    int r = d->ops.enforcer->prepare(inst, &s, argv, envp, &plan, &err);
    if (r == SRT_EBACKEND)
        srt_test_skip("bwrap not installed");
    CU_ASSERT_FATAL(r == SRT_OK);
    CU_ASSERT_STRING_EQUAL(plan.argv[0], launcher);
    CU_ASSERT_STRING_EQUAL(plan.argv[1], "--outer");
    CU_ASSERT_STRING_EQUAL(plan.argv[2], "--ctl-fd");
    CU_ASSERT_EQUAL(atoi(plan.argv[3]), plan.keep_fds[0]);
    CU_ASSERT_EQUAL(plan.n_keep_fds, 2);   /* the control socket and the lifeline */
    CU_ASSERT((fcntl(plan.keep_fds[0], F_GETFD) & FD_CLOEXEC) == 0);
    CU_ASSERT((fcntl(plan.keep_fds[1], F_GETFD) & FD_CLOEXEC) == 0);
    long sep = argv_find(plan.argv, "--", 0);
    /* a root caller's run has a pids cgroup where the machine has one */
    long cg = argv_find(plan.argv, "--cgroup", 0);
    char cgroup[PATH_MAX] = "";
    if (cg > 0 && cg < sep) {
        struct stat cst;
        CU_ASSERT(geteuid() == 0);
        CU_ASSERT(stat(plan.argv[cg + 1], &cst) == 0 && S_ISDIR(cst.st_mode));
        snprintf(cgroup, sizeof cgroup, "%s", plan.argv[cg + 1]);
    }
    CU_ASSERT(sep == (geteuid() ? 5 : 4) + (cgroup[0] ? 2 : 0));
    CU_ASSERT(plan.argv[sep + 1][0] == '/');            /* bwrap, absolute */
    long inner = argv_find(plan.argv, "--inner", 0);
    CU_ASSERT(inner > sep && strcmp(plan.argv[inner - 1], launcher) == 0 &&
              strcmp(plan.argv[inner - 2], "--") == 0);
    long procs = argv_find(plan.argv, "--max-procs", inner);
    CU_ASSERT(procs > inner && strcmp(plan.argv[procs + 1], "4096") == 0);   /* the default */
    long life = argv_find(plan.argv, "--lifeline-fd", inner);
    CU_ASSERT(life > inner && atoi(plan.argv[life + 1]) == plan.keep_fds[1]);
    bool w_listed = false;
    for (long ll = inner; (ll = argv_find(plan.argv, "--ll-write", ll)) > 0; ll += 2)
        w_listed |= strcmp(plan.argv[ll + 1], w) == 0;
    CU_ASSERT(w_listed);
    long cmd = argv_find(plan.argv, "--", inner);
    CU_ASSERT(cmd > 0 && strcmp(plan.argv[cmd + 1], "/bin/echo") == 0 &&
              strcmp(plan.argv[cmd + 2], "hi") == 0 && plan.argv[cmd + 3] == NULL);
    char want_tmp[800];
    snprintf(want_tmp, sizeof want_tmp, "TMPDIR=%s", tmp);
    CU_ASSERT(argv_find(plan.envp, want_tmp, 0) >= 0);
    CU_ASSERT(argv_find(plan.envp, "TMPDIR=/elsewhere", 0) < 0);
    CU_ASSERT(argv_find(plan.envp, "SANDBOX_RUNTIME=1", 0) >= 0);
    /* With the create guard the missing name is refused when it is made and
     * needs no placeholder; without it, one stands during the run. */
    bool guard = fsl_guard_available();
    CU_ASSERT(guard == (argv_find(plan.argv, "--guard", inner) > inner));
    CU_ASSERT(guard != ft_exists(T, "w/.bashrc"));

    /* the bind sources, then the outer stage's message as launch/listen.c
     * sends it */
    long bwrap_at = argv_find(plan.argv, "--", 0) + 1;
    size_t bound = drain_bind_fds(plan.keep_fds[0], plan.argv + bwrap_at);
    /* with --bind-fd, at least the write root and the temp dir */
    struct fsl_bwrap_caps caps;
    fsl_bwrap_caps_read(plan.argv[bwrap_at], &caps);
    CU_ASSERT(caps.bind_fd ? bound >= 2 : bound == 0);
    send_listeners(plan.keep_fds[0], 0, 2);
    struct srt_listener ls[4];
    size_t n = 0;
    CU_ASSERT(d->ops.enforcer->listeners(inst, &s, ls, 4, &n, &err) == SRT_OK);
    CU_ASSERT_EQUAL(n, 2);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(fcntl(ls[i].fd, F_GETFD) >= 0);
        CU_ASSERT(ls[i].proto == 2 - i);
        close(ls[i].fd);
    }
    d->ops.enforcer->cleanup(inst, &s);
    CU_ASSERT(!ft_exists(T, "w/.bashrc"));
    CU_ASSERT(!cgroup[0] || access(cgroup, F_OK) != 0);   /* the cgroup went with the run */
    CU_ASSERT(!ft_exists(T, "rt/fsl-deny"));

    /* a failing outer stage is reported with its reason */
    CU_ASSERT_FATAL(d->ops.enforcer->prepare(inst, &s, argv, envp, &plan, &err) == SRT_OK);
    int child = plan.keep_fds[0];
    CU_ASSERT(drain_bind_fds(child, plan.argv + argv_find(plan.argv, "--", 0) + 1) == bound);
    send_listeners(child, 19, 0);
    CU_ASSERT(d->ops.enforcer->listeners(inst, &s, ls, 4, &n, &err) == SRT_EBACKEND);
    CU_ASSERT(strstr(err.msg, "bring up lo") != NULL);
    d->ops.enforcer->cleanup(inst, &s);
    d->destroy(inst);
    ft_rmtree(T);
    free(T);
}

void fsl_test_plugin(void);
/* Each numeric option is refused out of its range, with its name; in range
 * the instance is made. */
static void test_plugin_options(void)
{
    const struct srt_plugin_desc *d = srt_builtin_fs_linux();
    static const struct { const char *key, *bad, *good; } opts[] = {
        { "max_processes", "-1", "30" }, { "max_processes", "4194305", "0" },
        { "max_memory_mib", "-5", "64" }, { "max_memory_mib", "1073741825", "0" },
        { "create_guard", "2", "0" }, { "create_guard", "-1", "1" },
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        void *inst = NULL;
        struct srt_error err = {0};
        fake_host_reset();
        fake_config_set(opts[i].key, opts[i].bad);
        CU_ASSERT(d->create(fake_host_get(), fake_handle(), fake_config(), &inst, &err) ==
                  SRT_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, opts[i].key));
        fake_config_set(opts[i].key, opts[i].good);
        CU_ASSERT_FATAL(d->create(fake_host_get(), fake_handle(), fake_config(), &inst, &err) ==
                        SRT_OK);
        d->destroy(inst);
    }
    fake_host_reset();
}

void fsl_test_plugin(void)
{
    CU_pSuite s = CU_add_suite("fs-linux plugin", NULL, NULL);
    CU_add_test(s, "probe, prepare, listeners, cleanup", test_plugin_run);
    CU_add_test(s, "numeric options checked", test_plugin_options);
}
