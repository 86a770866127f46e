/* test_weak.c - the weaker nested mode's confinement for real: in a forked
 * child, the complement rules (fsl_weak_complement over a temp tree), the
 * capability drop, Landlock and the weak seccomp filter exactly as
 * `srt-linux-launch --weak` applies them; then the binary itself, whose
 * command must hold no capability at all, also when the test runs as root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cu_main.h"
#include "fsl_weak.h"
#include "launch_int.h"
#include "launch_tests.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

struct wk_case {
    char T[64];
    int  proxy_fd, other_fd;
    uint16_t proxy_port, other_port;
};

/* The step that misbehaved is the child's exit code. */
enum {
    WK_SETUP = 1, WK_CAPS, WK_READ_DENIED, WK_READ_SIBLING, WK_READ_ELSEWHERE,
    WK_WRITE_ROOT, WK_WRITE_DENIED, WK_WRITE_OUTSIDE, WK_CONNECT_OTHER, WK_CONNECT_PROXY,
    WK_BIND, WK_UDP, WK_RAW, WK_NETLINK, WK_PACKET, WK_SCTP, WK_MPTCP, WK_FASTOPEN,
    WK_LISTEN, WK_SIGNAL,
};

static char *wk_path(const struct wk_case *c, const char *rel)
{
    static char buf[4][160];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", c->T, rel);
    return p;
}

static void wk_file(const struct wk_case *c, const char *rel, const char *text)
{
    int fd = open(wk_path(c, rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

static int wk_listener(uint16_t *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

static int wk_errno_of(long rc)
{
    return rc < 0 ? errno : 0;
}

static int wk_connect(uint16_t port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    int e = wk_errno_of(connect(fd, (struct sockaddr *)&sa, sizeof sa));
    close(fd);
    return e;
}

static bool wk_socket_refused(int domain, int type, int proto)
{
    int fd = socket(domain, type | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
        close(fd);
        return false;
    }
    return errno == EPERM;
}

static int wk_confine(const struct wk_case *c)
{
    struct fsl_vec rd = {0}, wr = {0};
    const struct fsl_weak_entry rdeny[] = { { wk_path(c, "r/secret"), false } };
    char root[160], prot[160];
    snprintf(root, sizeof root, "%s", wk_path(c, "w"));
    snprintf(prot, sizeof prot, "%s", wk_path(c, "w/protected"));
    const struct fsl_weak_entry wallow[] = { { root, true }, { prot, false } };
    if (fsl_weak_complement(rdeny, 1, true, fsl_weak_list_dir, NULL, &rd) != SRT_OK ||
        fsl_weak_complement(wallow, 2, false, fsl_weak_list_dir, NULL, &wr) != SRT_OK)
        return -1;
    struct launch_ll_weak ll = {
        .read = (const char *const *)rd.v, .n_read = rd.n,
        .write = (const char *const *)wr.v, .n_write = wr.n,
        .connect = &c->proxy_port, .n_connect = 1, .scope_unix = true,
    };
    struct launch_error err;
    if (launch_caps_drop(&err) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        launch_landlock_apply_weak(&ll, &err) < 0 ||
        launch_seccomp_apply(LAUNCH_SC_WEAK, &err) < 0) {
        fprintf(stderr, "weak confine: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int wk_child(void *arg)
{
    const struct wk_case *c = arg;
    char buf[16];
    if (wk_confine(c) < 0)
        return WK_SETUP;

    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0 || data[0].effective || data[0].permitted ||
        data[1].effective || data[1].permitted || prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) > 0)
        return WK_CAPS;

    if (open(wk_path(c, "r/secret"), O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
        return WK_READ_DENIED;
    int fd = open(wk_path(c, "r/pub"), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
        return WK_READ_SIBLING;
    close(fd);
    if ((fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC)) < 0)
        return WK_READ_ELSEWHERE;
    close(fd);

    if ((fd = open(wk_path(c, "w/sub/new"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
        write(fd, "n", 1) != 1)
        return WK_WRITE_ROOT;
    close(fd);
    if (open(wk_path(c, "w/protected"), O_WRONLY | O_CLOEXEC) >= 0 || errno != EACCES ||
        unlink(wk_path(c, "w/protected")) == 0)
        return WK_WRITE_DENIED;
    if (open(wk_path(c, "out/x"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 || errno != EACCES)
        return WK_WRITE_OUTSIDE;

    if (wk_connect(c->other_port) != EACCES)
        return WK_CONNECT_OTHER;
    if (wk_connect(c->proxy_port) != 0)
        return WK_CONNECT_PROXY;
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof any) == 0 || errno != EACCES)
        return WK_BIND;
    if (listen(fd, 1) == 0 || errno != EPERM)
        return WK_LISTEN;
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(c->other_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&to, sizeof to) >= 0 || errno != EPERM)
        return WK_FASTOPEN;
    close(fd);
    if (!wk_socket_refused(AF_INET, SOCK_DGRAM, 0) || !wk_socket_refused(AF_INET6, SOCK_DGRAM, 0))
        return WK_UDP;
    if (!wk_socket_refused(AF_INET, SOCK_RAW, IPPROTO_ICMP))
        return WK_RAW;
    if (!wk_socket_refused(AF_NETLINK, SOCK_RAW, 0))
        return WK_NETLINK;
    if (!wk_socket_refused(AF_PACKET, SOCK_RAW, 0))
        return WK_PACKET;
    if (!wk_socket_refused(AF_INET, SOCK_STREAM, IPPROTO_SCTP))
        return WK_SCTP;
    if (!wk_socket_refused(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP))
        return WK_MPTCP;
    /* the test runner is outside the domain (Landlock ABI >= 6) */
    if (launch_landlock_abi() >= 6 && (kill(getppid(), 0) == 0 || errno != EPERM))
        return WK_SIGNAL;
    return LT_OK;
}

static void test_weak_confinement(void)
{
    struct wk_case c;
    if (launch_landlock_abi() < LAUNCH_LL_WEAK_MIN_ABI)
        srt_test_skip("landlock ABI 4 (tcp rules) is not available on this kernel");
    snprintf(c.T, sizeof c.T, "/tmp/srt-weak-XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(c.T) != NULL);
    CU_ASSERT_FATAL(mkdir(wk_path(&c, "r"), 0755) == 0 && mkdir(wk_path(&c, "w"), 0755) == 0 &&
                    mkdir(wk_path(&c, "w/sub"), 0755) == 0 && mkdir(wk_path(&c, "out"), 0755) == 0);
    wk_file(&c, "r/secret", "secret\n");
    wk_file(&c, "r/pub", "public\n");
    wk_file(&c, "w/protected", "keep\n");
    c.proxy_fd = wk_listener(&c.proxy_port);
    c.other_fd = wk_listener(&c.other_port);
    CU_ASSERT_FATAL(c.proxy_fd >= 0 && c.other_fd >= 0);

    int status = launch_test_in_child(wk_child, &c);
    CU_ASSERT(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), LT_OK);

    /* effects seen from outside */
    struct stat st;
    CU_ASSERT_EQUAL(stat(wk_path(&c, "w/sub/new"), &st), 0);
    CU_ASSERT_NOT_EQUAL(stat(wk_path(&c, "out/x"), &st), 0);
    CU_ASSERT(stat(wk_path(&c, "w/protected"), &st) == 0 && st.st_size == 5);
    int a = accept(c.proxy_fd, NULL, NULL);
    CU_ASSERT(a >= 0);                               /* the proxy saw the connection */
    if (a >= 0)
        close(a);
    CU_ASSERT(accept(c.other_fd, NULL, NULL) < 0 && errno == EAGAIN);  /* the other nothing */
    close(c.proxy_fd);
    close(c.other_fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c.T);
    CU_ASSERT(system(cmd) == 0);
}

/* Run the binary; stdout+stderr into out, exit status returned. */
static int wk_run_bin(const char *const *args, char *out, size_t len)
{
    const char *argv[16] = { SRT_LAUNCH_BIN, "--weak" };
    size_t n = 2;
    int p[2];
    while (*args && n + 1 < sizeof argv / sizeof argv[0])
        argv[n++] = *args++;
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execv(argv[0], (char **)argv);
        _exit(LT_HARNESS);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < len && (r = read(p[0], out + got, len - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool wk_status_zero(const char *status, const char *field)
{
    const char *at = strstr(status, field);
    return at && strncmp(at + strlen(field), ":\t0000000000000000", 18) == 0;
}

static void test_weak_binary(void)
{
    char out[4096];
    if (launch_landlock_abi() < LAUNCH_LL_WEAK_MIN_ABI)
        srt_test_skip("landlock ABI 4 (tcp rules) is not available on this kernel");
    int rc = wk_run_bin((const char *[]){ "--ll-read", "/", "--", "/bin/cat", "/proc/self/status",
                                          NULL }, out, sizeof out);
    CU_ASSERT_EQUAL(rc, 0);
    static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        CU_ASSERT(wk_status_zero(out, sets[i]));
    CU_ASSERT(strstr(out, "NoNewPrivs:\t1") != NULL);
    CU_ASSERT(strstr(out, "Seccomp:\t2") != NULL);

    /* nothing readable without --ll-read: the command cannot even be loaded */
    rc = wk_run_bin((const char *[]){ "--", "/bin/true", NULL }, out, sizeof out);
    CU_ASSERT(rc == LAUNCH_EXIT_NOEXEC);
    /* setup errors never run the command */
    rc = wk_run_bin((const char *[]){ "--connect-port", "0", "--", "/bin/true", NULL },
                    out, sizeof out);
    CU_ASSERT_EQUAL(rc, LAUNCH_EXIT_SETUP);
    CU_ASSERT(strstr(out, "srt-linux-launch: invalid --connect-port 0") != NULL);
    rc = wk_run_bin((const char *[]){ "--ll-read", "/", NULL }, out, sizeof out);
    CU_ASSERT_EQUAL(rc, LAUNCH_EXIT_SETUP);
}

void launch_test_register_weak(void)
{
    CU_pSuite s = CU_add_suite("weak", NULL, NULL);
    CU_add_test(s, "landlock complement, caps, tcp ports, socket filter", test_weak_confinement);
    CU_add_test(s, "the --weak binary: no capabilities, fail closed", test_weak_binary);
}
