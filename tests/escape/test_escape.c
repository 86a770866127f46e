/* test_escape.c - THREATS.md 3.1 (T1-T4), 3.3 (K1-K10), 3.6 (R1-R6) and
 * F8-F10 of 3.2 against the real launch chain, once as root and once as the
 * unprivileged user srt-test. Each test tries the attack inside the sandbox
 * and asserts its effect did not happen: the errno, and where the attack
 * aims at the host, the host state (file absent, value unchanged, no
 * connection, no byte typed). Controls run the same probe unsandboxed where
 * that shows the attack would otherwise work.
 *
 * The rows whose defence is srt's plan rather than the chain run through
 * the real srt, as root and as srt-test, in tests/integration/e2e: F2-F6,
 * F11 and F13 in fs_write.sh (F5 also in cleanup.sh), F7 in fs_read.sh, K11
 * in proc.sh (processes, memory) and e2e-net (a connection flood). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cu_main.h"
#include "escape_run.h"

#define ESC_USER "srt-test"

static struct {
    uid_t uid;
    gid_t gid;
    char  dir[64];       /* host scratch directory */
    char  w[96];         /* writable and on the Landlock list */
    char  w2[96];        /* writable by bwrap, not on the Landlock list */
    char  hidden[96];    /* masked with a tmpfs inside */
    char  secret[128];   /* hidden/secret on the host */
    char  sock[96];      /* a host unix socket, listening */
    int   sock_fd;
} esc;

static const char *esc_bwrap_extra[9];
static const char *esc_inner_extra[] = { "--ll-write", esc.w, NULL };

/* Run the probe with `attack` and `arg` in the sandbox; returns its line. */
static const char *esc_probe_with(const char *const *inner, int pty, const char *attack, const char *arg)
{
    static struct esc_result r;
    struct esc_opts o = { .uid = esc.uid, .gid = esc.gid, .sandbox = true, .pty_slave = pty,
                          .bwrap_extra = esc_bwrap_extra, .inner_extra = inner };
    const char *argv[] = { SRT_ESCAPE_PROBE, attack, arg, NULL };

    esc_run(&o, argv, &r);
    CU_ASSERT(r.listeners);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
        fprintf(stderr, "\n%s %s: chain status %#x, out '%s'\n", attack, arg ? arg : "", r.status, r.out);
    return r.out;
}

static const char *esc_probe(const char *attack, const char *arg)
{
    return esc_probe_with(esc_inner_extra, -1, attack, arg);
}

#define ESC_EXPECT(attack, arg, line) CU_ASSERT_STRING_EQUAL(esc_probe(attack, arg), line "\n")

static bool esc_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int esc_read(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n < 0 ? -1 : 0;
}

/* ---- setup ----------------------------------------------------------- */

static int esc_mkdir_owned(const char *path)
{
    return mkdir(path, 0755) < 0 || chown(path, esc.uid, esc.gid) < 0 ? -1 : 0;
}

static int esc_setup(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    snprintf(esc.dir, sizeof(esc.dir), "/tmp/srt-esc-XXXXXX");
    if (!mkdtemp(esc.dir) || chmod(esc.dir, 0755) < 0)
        return -1;
    snprintf(esc.w, sizeof(esc.w), "%s/w", esc.dir);
    snprintf(esc.w2, sizeof(esc.w2), "%s/w2", esc.dir);
    snprintf(esc.hidden, sizeof(esc.hidden), "%s/hidden", esc.dir);
    snprintf(esc.secret, sizeof(esc.secret), "%s/secret", esc.hidden);
    snprintf(esc.sock, sizeof(esc.sock), "%s/sock", esc.dir);
    if (esc_mkdir_owned(esc.w) < 0 || esc_mkdir_owned(esc.w2) < 0 || mkdir(esc.hidden, 0755) < 0)
        return -1;
    int fd = open(esc.secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, "secret\n", 7) != 7)
        return -1;
    close(fd);

    esc.sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    strncpy(sa.sun_path, esc.sock, sizeof(sa.sun_path) - 1);
    if (esc.sock_fd < 0 || bind(esc.sock_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        chmod(esc.sock, 0777) < 0 || listen(esc.sock_fd, 4) < 0)
        return -1;

    const char *extra[] = { "--bind", esc.w, esc.w, "--bind", esc.w2, esc.w2,
                            "--tmpfs", esc.hidden, NULL };
    memcpy(esc_bwrap_extra, extra, sizeof(extra));
    return 0;
}

static int esc_teardown(void)
{
    char cmd[128];
    close(esc.sock_fd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", esc.dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int esc_init_root(void)
{
    esc.uid = 0;
    esc.gid = 0;
    return esc_setup();
}

static int esc_init_user(void)
{
    struct passwd *pw = getpwnam(ESC_USER);

    /* another suite may create it at the same time: look again either way */
    if (!pw && system("useradd -M -r -s /usr/sbin/nologin " ESC_USER " >/dev/null 2>&1") >= 0)
        pw = getpwnam(ESC_USER);
    if (!pw)
        return -1;
    esc.uid = pw->pw_uid;
    esc.gid = pw->pw_gid;
    return esc_setup();
}

/* ---- 3.1 terminal / session ------------------------------------------- */

struct esc_pty {
    int master, slave;
};

static int esc_pty_open(struct esc_pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->master < 0 || grantpt(p->master) < 0 || unlockpt(p->master) < 0)
        return -1;
    p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    /* The chain runs as the test user: the tty must be theirs to use. */
    return p->slave < 0 || fchown(p->slave, esc.uid, -1) < 0 ? -1 : 0;
}

/* Bytes waiting in the terminal's input queue: what TIOCSTI would type. */
static int esc_pty_queued(const struct esc_pty *p)
{
    int n = -1;
    ioctl(p->slave, FIONREAD, &n);
    return n;
}

static void esc_pty_close(struct esc_pty *p)
{
    close(p->slave);
    close(p->master);
}

static void esc_tiocsti(const char *attack)
{
    struct esc_pty p;
    struct esc_result r;
    const char *argv[] = { SRT_ESCAPE_PROBE, attack, NULL };
    struct esc_opts bare = { .uid = esc.uid, .gid = esc.gid, .sandbox = false };

    /* Control: unsandboxed on its controlling tty, the injection works. */
    CU_ASSERT_FATAL(esc_pty_open(&p) == 0);
    bare.pty_slave = p.slave;
    esc_run(&bare, argv, &r);
    CU_ASSERT_STRING_EQUAL(r.out, "ok\n");
    CU_ASSERT_EQUAL(esc_pty_queued(&p), 3);
    esc_pty_close(&p);

    CU_ASSERT_FATAL(esc_pty_open(&p) == 0);
    CU_ASSERT_STRING_EQUAL(esc_probe_with(esc_inner_extra, p.slave, attack, NULL), "errno=EPERM\n");
    CU_ASSERT_EQUAL(esc_pty_queued(&p), 0);
    esc_pty_close(&p);
}

static void test_t1_tiocsti(void) { esc_tiocsti("tiocsti"); }
static void test_t2_tiocsti_high_bits(void) { esc_tiocsti("tiocsti-high"); }

static void test_t3_tioclinux(void)
{
    struct esc_pty p;
    CU_ASSERT_FATAL(esc_pty_open(&p) == 0);
    /* A pty answers EINVAL/ENOTTY; only the filter says EPERM. */
    CU_ASSERT_STRING_EQUAL(esc_probe_with(esc_inner_extra, p.slave, "tioclinux", NULL), "errno=EPERM\n");
    esc_pty_close(&p);
}

static void test_t4_signal_outer_pgrp(void)
{
    char pgrp[16];
    snprintf(pgrp, sizeof(pgrp), "%d", (int)getpgrp());
    ESC_EXPECT("kill-pgrp", pgrp, "errno=ESRCH");
}

/* ---- 3.3 IPC, syscalls, kernel surface -------------------------------- */

static void test_k1_host_unix_socket(void)
{
    ESC_EXPECT("unix-connect", esc.sock, "errno=EPERM");
    CU_ASSERT(accept(esc.sock_fd, NULL, NULL) < 0 && errno == EAGAIN);
}

static void test_k2_abstract_socket(void)
{
    char name[64];
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *allow_unix[] = { "--ll-write", esc.w, "--allow-unix", NULL };

    snprintf(name, sizeof(name), "srt-esc-%d", (int)getpid());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    strncpy(sa.sun_path + 1, name, sizeof(sa.sun_path) - 2);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 4) == 0);

    ESC_EXPECT("abstract-connect", name, "errno=EPERM");
    /* Even with unix sockets allowed the host's abstract namespace is out of
     * reach: it belongs to the host's network namespace. */
    const char *out = esc_probe_with(allow_unix, -1, "abstract-connect", name);
    CU_ASSERT(strcmp(out, "errno=ECONNREFUSED\n") == 0 || strcmp(out, "errno=EPERM\n") == 0);
    CU_ASSERT(accept(fd, NULL, NULL) < 0 && errno == EAGAIN);
    close(fd);
}

static void test_k3_socketpair(void) { ESC_EXPECT("socketpair", NULL, "errno=EPERM"); }
static void test_k4_io_uring(void) { ESC_EXPECT("io-uring", NULL, "errno=EPERM"); }
static void test_k5_socket_high_bits(void) { ESC_EXPECT("socket-high", NULL, "errno=EPERM"); }

static void test_k6_foreign_abi(void)
{
#if defined(__x86_64__)
    ESC_EXPECT("int80", NULL, "signal=SYS");
#endif
#ifdef SRT_ESCAPE_PROBE32
    struct esc_result r;
    const char *argv32[] = { SRT_ESCAPE_PROBE32, NULL };
    struct esc_opts bare = { .uid = esc.uid, .gid = esc.gid, .pty_slave = -1 };
    struct esc_opts boxed = { .uid = esc.uid, .gid = esc.gid, .sandbox = true, .pty_slave = -1,
                              .bwrap_extra = esc_bwrap_extra, .inner_extra = esc_inner_extra };

    esc_run(&bare, argv32, &r);          /* control: the 32-bit call works */
    CU_ASSERT_STRING_EQUAL(r.out, "ok\n");
    esc_run(&boxed, argv32, &r);
    CU_ASSERT_STRING_EQUAL(r.out, "");
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 128 + SIGSYS);
#endif
}

static void test_k7_ptrace(void)
{
    ESC_EXPECT("ptrace-traceme", NULL, "errno=EPERM");
    ESC_EXPECT("ptrace-attach", "1", "errno=EPERM");
    ESC_EXPECT("process-vm", "1", "errno=EPERM");
    const char *out = esc_probe("proc-mem", "1");
    CU_ASSERT(strcmp(out, "errno=EACCES\n") == 0 || strcmp(out, "errno=EPERM\n") == 0);
}

static void test_k8_keyrings(void)
{
    ESC_EXPECT("keyctl", NULL, "errno=EPERM");
    ESC_EXPECT("add-key", NULL, "errno=EPERM");
}

static void test_k9_perf_bpf_userfaultfd(void)
{
    ESC_EXPECT("perf", NULL, "errno=EPERM");
    ESC_EXPECT("bpf", NULL, "errno=EPERM");
    ESC_EXPECT("userfaultfd", NULL, "errno=EPERM");
}

static void test_k10_signal_host_pid(void)
{
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    ESC_EXPECT("kill", pid, "errno=ESRCH");
}

/* ---- 3.6 root callers (and the same checks unprivileged) -------------- */

static void test_r1_remount_root(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/etc/srt-esc-%d", (int)getpid());
    ESC_EXPECT("remount-root", NULL, "errno=EPERM");
    ESC_EXPECT("write", path, "errno=EROFS");
    CU_ASSERT_FALSE(esc_exists(path));
}

static void test_r2_umount_mask(void)
{
    ESC_EXPECT("umount", esc.hidden, "errno=EPERM");
    ESC_EXPECT("read", esc.secret, "errno=ENOENT");
}

/* Root meets the read-only bind (EROFS), others the file mode first (EACCES). */
static bool esc_write_refused(const char *line)
{
    return strcmp(line, "errno=EROFS\n") == 0 || strcmp(line, "errno=EACCES\n") == 0;
}

static void test_r3_host_sysctls(void)
{
    char before[256], after[256];

    CU_ASSERT_FATAL(esc_read("/proc/sys/kernel/domainname", before, sizeof(before)) == 0);
    CU_ASSERT(esc_write_refused(esc_probe("write", "/proc/sys/kernel/domainname")));
    CU_ASSERT_FATAL(esc_read("/proc/sys/kernel/domainname", after, sizeof(after)) == 0);
    CU_ASSERT_STRING_EQUAL(after, before);
    if (strcmp(after, before) != 0) {
        int fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, before, strlen(before)) < 0)
            perror("restore domainname");
        if (fd >= 0)
            close(fd);
    }
    /* Only opened, never written. */
    CU_ASSERT(esc_write_refused(esc_probe("open-write", "/proc/sys/kernel/core_pattern")));
}

static void test_r4_hostname(void)
{
    char before[256], after[256];

    CU_ASSERT_FATAL(gethostname(before, sizeof(before)) == 0);
    ESC_EXPECT("sethostname", "srt-escape", "errno=EPERM");
    CU_ASSERT_FATAL(gethostname(after, sizeof(after)) == 0);
    CU_ASSERT_STRING_EQUAL(after, before);
}

static void test_r5_no_capabilities(void) { ESC_EXPECT("capeff", NULL, "capeff=0000000000000000"); }

static void test_r6_mknod(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/sda", esc.w);
    ESC_EXPECT("mknod", path, "errno=EPERM");
    CU_ASSERT_FALSE(esc_exists(path));
}

/* ---- 3.2 filesystem: F8-F10, and Landlock as the second layer --------- */

static void test_f8_proc_magic_links(void)
{
    CU_ASSERT_STRING_EQUAL(esc_probe("read", esc.secret), "errno=ENOENT\n");
    CU_ASSERT_STRING_NOT_EQUAL(esc_probe("proc-root", esc.secret), "ok\n");
    /* Only the sandbox's own processes: bwrap's init and the probe. */
    ESC_EXPECT("pids", NULL, "pids=2");
}

static void test_f9_inherited_fds(void) { ESC_EXPECT("fds", NULL, "fds=0,1,2"); }

static void test_f10_namespaces(void)
{
    ESC_EXPECT("unshare-user", NULL, "errno=EPERM");
    ESC_EXPECT("unshare-mnt", NULL, "errno=EPERM");
    ESC_EXPECT("clone3", NULL, "errno=ENOSYS");
    ESC_EXPECT("setns", NULL, "errno=EPERM");
    ESC_EXPECT("mount-tmpfs", esc.w, "errno=EPERM");
    ESC_EXPECT("open-tree", NULL, "errno=EPERM");
    ESC_EXPECT("move-mount", NULL, "errno=EPERM");
    ESC_EXPECT("fsopen", NULL, "errno=EPERM");
    ESC_EXPECT("pivot-root", NULL, "errno=EPERM");
}

static void test_landlock_second_layer(void)
{
    char in[128], out[128];
    snprintf(in, sizeof(in), "%s/f", esc.w);
    snprintf(out, sizeof(out), "%s/f", esc.w2);
    ESC_EXPECT("write", in, "ok");
    CU_ASSERT_TRUE(esc_exists(in));
    unlink(in);
    /* Writable for bwrap, but not on the --ll-write list. */
    ESC_EXPECT("write", out, "errno=EACCES");
    CU_ASSERT_FALSE(esc_exists(out));
}

static void esc_add_tests(CU_pSuite s)
{
    CU_add_test(s, "T1 TIOCSTI injection", test_t1_tiocsti);
    CU_add_test(s, "T2 TIOCSTI with high bits", test_t2_tiocsti_high_bits);
    CU_add_test(s, "T3 TIOCLINUX", test_t3_tioclinux);
    CU_add_test(s, "T4 signal to the outer process group", test_t4_signal_outer_pgrp);
    CU_add_test(s, "K1 host unix socket", test_k1_host_unix_socket);
    CU_add_test(s, "K2 host abstract socket", test_k2_abstract_socket);
    CU_add_test(s, "K3 socketpair", test_k3_socketpair);
    CU_add_test(s, "K4 io_uring", test_k4_io_uring);
    CU_add_test(s, "K5 socket domain with high bits", test_k5_socket_high_bits);
    CU_add_test(s, "K6 foreign syscall ABI", test_k6_foreign_abi);
    CU_add_test(s, "K7 ptrace and process memory", test_k7_ptrace);
    CU_add_test(s, "K8 keyrings", test_k8_keyrings);
    CU_add_test(s, "K9 perf, bpf, userfaultfd", test_k9_perf_bpf_userfaultfd);
    CU_add_test(s, "K10 signal to a host pid", test_k10_signal_host_pid);
    CU_add_test(s, "R1 remount the root", test_r1_remount_root);
    CU_add_test(s, "R2 unmount a deny mask", test_r2_umount_mask);
    CU_add_test(s, "R3 host sysctls", test_r3_host_sysctls);
    CU_add_test(s, "R4 hostname", test_r4_hostname);
    CU_add_test(s, "R5 no capabilities", test_r5_no_capabilities);
    CU_add_test(s, "R6 device nodes", test_r6_mknod);
    CU_add_test(s, "F8 /proc magic links", test_f8_proc_magic_links);
    CU_add_test(s, "F9 inherited descriptors", test_f9_inherited_fds);
    CU_add_test(s, "F10 namespaces and mounts", test_f10_namespaces);
    CU_add_test(s, "Landlock second write layer", test_landlock_second_layer);
}

void srt_test_register(void)
{
    if (access(SRT_BWRAP, X_OK) != 0)
        srt_test_skip("bwrap is not installed");
    if (geteuid() != 0)
        srt_test_skip("escape tests run as root (and switch to " ESC_USER " themselves)");
    esc_add_tests(CU_add_suite("escape as root", esc_init_root, esc_teardown));
    esc_add_tests(CU_add_suite("escape as " ESC_USER, esc_init_user, esc_teardown));
}
