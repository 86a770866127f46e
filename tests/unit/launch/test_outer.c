/* test_outer.c - `srt-linux-launch --outer` run for real, as root and as an
 * unprivileged uid with --userns: the listeners arrive over the control
 * socket, live in a network namespace other than ours, accept connections
 * made inside it, and the command after `--` sees only an up `lo`. A failing
 * outer stage reports over the control socket and never runs the command. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <srt/fs.h>

#include "cu_main.h"
#include "launch_int.h"
#include "launch_tests.h"

#define OUTER_UNPRIV_UID 65534

/* What one run of the outer stage produced. */
struct outer_run {
    struct fsl_ctl_msg msg;
    int     fds[FSL_CTL_MAX_LISTENERS];
    size_t  n_fds;
    bool    got_msg;
    int     status;         /* wait status of the launcher */
    char    out[4096];      /* stdout of the command */
};

/* Links and routes as the command sees them, plus a marker of having run. */
static const char outer_script[] =
    "ip -o link show; ip route show table all; ip -6 route show table all; echo ran";

static void outer_spawn(struct outer_run *r, uid_t uid, bool userns, const char *ctl_arg)
{
    int sv[2], out[2];
    char fdbuf[16];

    memset(r, 0, sizeof(*r));
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    CU_ASSERT_FATAL(pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        int ctl = dup(sv[1]);   /* without close-on-exec */
        snprintf(fdbuf, sizeof(fdbuf), "%d", ctl);
        dup2(out[1], 1);
        if (uid != 0 && (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
                         setresuid(uid, uid, uid) < 0))
            _exit(LT_HARNESS);
        const char *argv[] = { SRT_LAUNCH_BIN, "--outer", "--ctl-fd", ctl_arg ? ctl_arg : fdbuf,
                               userns ? "--userns" : "--", userns ? "--" : "/bin/sh",
                               userns ? "/bin/sh" : "-c", userns ? "-c" : outer_script,
                               userns ? outer_script : NULL, NULL };
        execv(argv[0], (char **)argv);
        _exit(LT_HARNESS);
    }
    close(sv[1]);
    close(out[1]);

    struct pollfd pfd = { .fd = sv[0], .events = POLLIN };
    if (poll(&pfd, 1, 5000) == 1) {
        union {
            char           buf[CMSG_SPACE(sizeof(int) * FSL_CTL_MAX_LISTENERS)];
            struct cmsghdr align;
        } ctrl;
        struct iovec iov = { .iov_base = &r->msg, .iov_len = sizeof(r->msg) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf) };
        ssize_t n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
        r->got_msg = n == (ssize_t)sizeof(r->msg);
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                r->n_fds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                memcpy(r->fds, CMSG_DATA(cm), r->n_fds * sizeof(int));
            }
        }
    }
    close(sv[0]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < sizeof(r->out) && (n = read(out[0], r->out + len, sizeof(r->out) - 1 - len)) > 0)
        len += (size_t)n;
    close(out[0]);
    waitpid(pid, &r->status, 0);
}

static void outer_close(struct outer_run *r)
{
    for (size_t i = 0; i < r->n_fds; i++)
        close(r->fds[i]);
}

static ino_t netns_of_fd(int sock)
{
    struct stat st;
    int ns = ioctl(sock, SIOCGSKNS);
    if (ns < 0)
        return 0;
    ino_t ino = fstat(ns, &st) == 0 ? st.st_ino : 0;
    close(ns);
    return ino;
}

struct connect_arg {
    int      sock;      /* a listener; its namespace is joined */
    int      family;
    uint16_t port;
};

static int connect_in_netns(void *arg)
{
    const struct connect_arg *c = arg;
    int ns = ioctl(c->sock, SIOCGSKNS);
    if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
        return LT_HARNESS;
    int fd = socket(c->family, SOCK_STREAM, 0);
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(c->port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(c->port),
                               .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int rc = c->family == AF_INET ? connect(fd, (struct sockaddr *)&v4, sizeof(v4))
                                  : connect(fd, (struct sockaddr *)&v6, sizeof(v6));
    return launch_test_result(rc);
}

/* Every listener: right protocol for its port, listening, in another netns,
 * and a connection made inside that netns reaches it. */
static void outer_check_listeners(struct outer_run *r)
{
    struct stat self_ns;
    size_t n_http = 0, n_socks = 0;

    CU_ASSERT_FATAL(stat("/proc/self/ns/net", &self_ns) == 0);
    CU_ASSERT_FATAL(r->got_msg);
    CU_ASSERT_EQUAL(r->msg.magic, FSL_CTL_MAGIC);
    CU_ASSERT_EQUAL(r->msg.version, FSL_CTL_VERSION);
    CU_ASSERT_EQUAL(r->msg.status, 0);
    CU_ASSERT(r->msg.n_listeners == 4 || r->msg.n_listeners == 2);
    CU_ASSERT_EQUAL_FATAL(r->n_fds, r->msg.n_listeners);
    ino_t first_ns = netns_of_fd(r->fds[0]);
    CU_ASSERT(first_ns != 0 && first_ns != self_ns.st_ino);

    for (size_t i = 0; i < r->n_fds; i++) {
        int fd = r->fds[r->msg.listener[i].slot];
        uint32_t proto = r->msg.listener[i].proto;
        struct sockaddr_in6 sa;
        socklen_t len = sizeof(sa);
        int on = 0;
        socklen_t olen = sizeof(on);

        CU_ASSERT_EQUAL(netns_of_fd(fd), first_ns);
        CU_ASSERT(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) == 0 && on == 1);
        CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
        uint16_t port = ntohs(sa.sin6_port);   /* same offset in sockaddr_in */
        CU_ASSERT(proto == SRT_PROTO_HTTP ? port == 3128 : port == 1080);
        n_http += proto == SRT_PROTO_HTTP;
        n_socks += proto == SRT_PROTO_SOCKS5;

        struct connect_arg c = { fd, sa.sin6_family, port };
        int status = launch_test_in_child(connect_in_netns, &c);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == LT_OK);
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        CU_ASSERT_EQUAL(poll(&pfd, 1, 2000), 1);
        int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        CU_ASSERT(conn >= 0);
        if (conn >= 0)
            close(conn);
    }
    CU_ASSERT_EQUAL(n_http, r->n_fds / 2);
    CU_ASSERT_EQUAL(n_socks, r->n_fds / 2);
}

/* The command ran, saw exactly one link (lo, UP) and only routes on lo. */
static void outer_check_view(const struct outer_run *r)
{
    CU_ASSERT(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->out, "\nran\n"));
    CU_ASSERT(strncmp(r->out, "1: lo: <LOOPBACK,UP,", 20) == 0);
    CU_ASSERT_PTR_NULL(strstr(r->out, "\n2: "));
    size_t routes = 0;
    for (const char *line = strchr(r->out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        if (strncmp(line + 1, "ran", 3) == 0)
            break;
        routes++;
        CU_ASSERT(strstr(line, " dev lo ") != NULL && strstr(line, " dev lo ") < strchr(line + 1, '\n'));
    }
    CU_ASSERT(routes >= 3);
}

static void test_outer_as_root(void)
{
    struct outer_run r;

    if (geteuid() != 0)
        srt_test_skip("the outer stage test runs as root");
    outer_spawn(&r, 0, false, NULL);
    outer_check_listeners(&r);
    outer_check_view(&r);
    outer_close(&r);
}

static void test_outer_unprivileged_userns(void)
{
    struct outer_run r;

    if (geteuid() != 0)
        srt_test_skip("the outer stage test runs as root");
    outer_spawn(&r, OUTER_UNPRIV_UID, true, NULL);
    outer_check_listeners(&r);
    outer_check_view(&r);
    outer_close(&r);
}

/* Without --userns an unprivileged caller cannot make the netns: the failure
 * goes to srt over the control socket and the command never runs. */
static void test_outer_failure_reported(void)
{
    struct outer_run r;

    if (geteuid() != 0)
        srt_test_skip("the outer stage test runs as root");
    outer_spawn(&r, OUTER_UNPRIV_UID, false, NULL);
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP);
    CU_ASSERT_FATAL(r.got_msg);
    CU_ASSERT_EQUAL(r.msg.status, EPERM);
    CU_ASSERT_EQUAL(r.msg.n_listeners, 0);
    CU_ASSERT_EQUAL(r.n_fds, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg.error, "network namespace"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "ran"));
    outer_close(&r);
}

static void test_outer_bad_ctl_fd(void)
{
    struct outer_run r;

    outer_spawn(&r, 0, false, "0");
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP);
    CU_ASSERT_FALSE(r.got_msg);
    CU_ASSERT_PTR_NULL(strstr(r.out, "ran"));
    outer_spawn(&r, 0, false, "99");   /* not open */
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP);
    CU_ASSERT_PTR_NULL(strstr(r.out, "ran"));
}

void launch_test_register_outer(void)
{
    CU_pSuite s = CU_add_suite("outer", NULL, NULL);
    CU_add_test(s, "listeners in a private netns (root)", test_outer_as_root);
    CU_add_test(s, "listeners in a private netns (unprivileged, --userns)", test_outer_unprivileged_userns);
    CU_add_test(s, "failure reported over the control socket", test_outer_failure_reported);
    CU_add_test(s, "unusable control fd refused", test_outer_bad_ctl_fd);
}
