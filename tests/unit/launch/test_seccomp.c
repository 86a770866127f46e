/* test_seccomp.c - the command's seccomp filter: the programs precompiled at
 * build time are exactly what libseccomp makes of seccomp.c's rules today,
 * for every flag combination and for the create guard; and once
 * launch_seccomp_apply() loads one in a child, each refused call really
 * fails with the promised errno, including the high-bit argument variants,
 * while the calls the command needs work. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "launch_tests.h"
#include "seccomp_build.h"

#define HIGH_BIT (1UL << 32)

struct sc_case {
    unsigned flags;
    int (*probe)(void);
};

#define SC_UNFILTERED (~0u)

static int sc_child(void *arg)
{
    const struct sc_case *c = arg;
    struct launch_error err;

    /* Should a mount probe get through, it must land in a private copy. */
    if (geteuid() == 0 && (unshare(CLONE_NEWNS) < 0 ||
                           mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
        return LT_HARNESS;
    if (c->flags == SC_UNFILTERED)
        return c->probe();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return LT_HARNESS;
    if (launch_seccomp_apply(c->flags, &err) < 0)
        return LT_HARNESS;
    return c->probe();
}

/* Exit code of `probe` under the filter built with `flags`: LT_OK or errno. */
static int sc_errno(unsigned flags, int (*probe)(void))
{
    struct sc_case c = { flags, probe };
    int status = launch_test_in_child(sc_child, &c);

    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int probe_socket_unix(void) { return launch_test_result(socket(AF_UNIX, SOCK_STREAM, 0)); }
static int probe_socket_vsock(void) { return launch_test_result(socket(AF_VSOCK, SOCK_STREAM, 0)); }
static int probe_socket_inet(void) { return launch_test_result(socket(AF_INET, SOCK_STREAM, 0)); }
static int probe_socket_unix_high(void)
{
    return launch_test_result(syscall(SYS_socket, (unsigned long)AF_UNIX | HIGH_BIT, SOCK_STREAM, 0));
}
static int probe_socketpair_unix(void)
{
    int sv[2];
    return launch_test_result(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}
static int probe_io_uring(void)
{
    char params[120] = { 0 };   /* struct io_uring_params */
    return launch_test_result(syscall(425 /* io_uring_setup */, 1, params));
}
static int probe_ptrace(void) { return launch_test_result(ptrace(PTRACE_TRACEME, 0, NULL, NULL)); }
static int probe_process_vm(void)
{
    return launch_test_result(syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0));
}

/* The slave of a fresh pty; TIOCSTI on it works for root without a filter. */
static int pty_slave(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        return -1;
    return open(ptsname(master), O_RDWR | O_NOCTTY);
}
static int probe_tiocsti(void)
{
    int fd = pty_slave();
    char c = 'x';
    if (fd < 0)
        return LT_HARNESS;
    return launch_test_result(ioctl(fd, TIOCSTI, &c));
}
static int probe_tiocsti_high(void)
{
    int fd = pty_slave();
    char c = 'x';
    if (fd < 0)
        return LT_HARNESS;
    return launch_test_result(syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI | HIGH_BIT, &c));
}
static int probe_tioclinux(void)
{
    int fd = pty_slave();
    char sub = 2;
    if (fd < 0)
        return LT_HARNESS;
    return launch_test_result(ioctl(fd, TIOCLINUX, &sub));
}
static int probe_unshare_user(void) { return launch_test_result(unshare(CLONE_NEWUSER)); }
static int probe_unshare_mnt(void) { return launch_test_result(unshare(CLONE_NEWNS)); }
static int probe_mount(void) { return launch_test_result(mount("none", "/", NULL, MS_REMOUNT | MS_BIND, NULL)); }
static int probe_umount(void) { return launch_test_result(umount2("/proc", MNT_DETACH)); }
static int probe_setns(void) { return launch_test_result(setns(open("/proc/self/ns/mnt", O_RDONLY), 0)); }
static int probe_open_tree(void) { return launch_test_result(syscall(SYS_open_tree, AT_FDCWD, "/", 0)); }
static int probe_fsopen(void) { return launch_test_result(syscall(SYS_fsopen, "tmpfs", 0)); }
static int probe_keyctl(void)
{
    return launch_test_result(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -4 /* user */, 0));
}
static int probe_add_key(void)
{
    return launch_test_result(syscall(SYS_add_key, "user", "srt", "x", 1, -4));
}
static int probe_bpf(void)
{
    char attr[128] = { 0 };
    return launch_test_result(syscall(SYS_bpf, 0 /* MAP_CREATE */, attr, sizeof(attr)));
}
static int probe_perf(void)
{
    char attr[128] = { 0 };   /* zeroed perf_event_attr: a hardware cycles counter */
    attr[4] = (char)sizeof(attr);
    return launch_test_result(syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
}
static int probe_userfaultfd(void) { return launch_test_result(syscall(SYS_userfaultfd, 0)); }
static int probe_clone3(void)
{
    uint64_t args[11] = { 0 };   /* struct clone_args, flags 0 */
    long rc = syscall(SYS_clone3, args, sizeof(args));
    if (rc == 0)
        _exit(0);   /* the filter let a child through: it must not run on */
    return launch_test_result(rc);
}
static int probe_clone_newuser(void)
{
    long rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
    if (rc == 0)
        _exit(0);
    return launch_test_result(rc);
}
static int probe_fork(void)
{
    pid_t pid = fork();
    int status;
    if (pid == 0)
        _exit(0);
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return launch_test_result(-1);
    return LT_OK;
}

/* A stale seccomp_bpf.c (rules, flags or libseccomp changed since it was
 * generated) or a wrong export fails here, instruction by instruction. */
static void test_precompiled_matches_libseccomp(void)
{
    unsigned n = 0;

    for (unsigned f = 0; f <= LAUNCH_SC_FLAGS_ALL; f++) {
        const struct launch_sc_program *pre;
        struct launch_error err = { 0 };
        struct sock_filter *fresh;
        size_t len;

        if (f & ~LAUNCH_SC_FLAGS_ALL)
            continue;
        n++;
        pre = launch_seccomp_program(f);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pre);
        CU_ASSERT_EQUAL_FATAL(launch_seccomp_export(f, &fresh, &len, &err), 0);
        CU_ASSERT(len > 0);
        CU_ASSERT_EQUAL(pre->len, len);
        if (pre->len == len)
            CU_ASSERT_EQUAL(memcmp(pre->insns, fresh, len * sizeof(*fresh)), 0);
        free(fresh);
    }
    /* Every flag is a bit of its own: 2^3 programs. */
    CU_ASSERT_EQUAL(n, 1u << __builtin_popcount(LAUNCH_SC_FLAGS_ALL));
}

/* Likewise for the create guard's program, which guard.c loads. */
static void test_guard_program_matches_libseccomp(void)
{
    const struct launch_sc_program *pre = launch_seccomp_guard_program();
    struct launch_error err = { 0 };
    struct sock_filter *fresh;
    size_t len;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pre);
    CU_ASSERT_EQUAL_FATAL(launch_seccomp_export_guard(&fresh, &len, &err), 0);
    CU_ASSERT(len > 0);
    CU_ASSERT_EQUAL(pre->len, len);
    if (pre->len == len)
        CU_ASSERT_EQUAL(memcmp(pre->insns, fresh, len * sizeof(*fresh)), 0);
    /* and it is not one of the command's programs under another name */
    const struct launch_sc_program *cmd = launch_seccomp_program(0);
    CU_ASSERT(cmd->len != pre->len ||
              memcmp(cmd->insns, pre->insns, pre->len * sizeof(*pre->insns)) != 0);
    free(fresh);
}

/* The flags change the program: a lookup that ignored them would pass the
 * comparison above only if the builder ignored them too. */
static void test_programs_differ_by_flags(void)
{
    const struct launch_sc_program *base = launch_seccomp_program(0);

    for (unsigned bit = 1; bit & LAUNCH_SC_FLAGS_ALL; bit <<= 1) {
        const struct launch_sc_program *p = launch_seccomp_program(bit);
        CU_ASSERT_FATAL(base && p);
        CU_ASSERT(p->len != base->len ||
                  memcmp(p->insns, base->insns, p->len * sizeof(*p->insns)) != 0);
    }
}

static int probe_nothing(void) { return LT_OK; }

static void test_unknown_flags_refused(void)
{
    struct launch_error err = { 0 };
    unsigned unknown = (LAUNCH_SC_FLAGS_ALL + 1) | LAUNCH_SC_FLAGS_ALL;

    CU_ASSERT_PTR_NULL(launch_seccomp_program(unknown));
    CU_ASSERT_EQUAL(launch_seccomp_apply(unknown, &err), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "seccomp"));
    /* Nothing was loaded: the harness itself reports the failure. */
    CU_ASSERT_EQUAL(sc_errno(unknown, probe_nothing), LT_HARNESS);
}

static void test_unix_sockets_refused(void)
{
    CU_ASSERT_EQUAL(sc_errno(0, probe_socket_unix), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_socket_unix_high), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_socket_vsock), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_socketpair_unix), EPERM);
}

static void test_unix_sockets_allowed_on_request(void)
{
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_UNIX, probe_socket_unix), LT_OK);
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_UNIX, probe_socketpair_unix), LT_OK);
    /* The rest of the filter stays in force. */
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_UNIX, probe_io_uring), EPERM);
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_UNIX, probe_unshare_user), EPERM);
}

static void test_inet_and_fork_still_work(void)
{
    CU_ASSERT_EQUAL(sc_errno(0, probe_socket_inet), LT_OK);
    CU_ASSERT_EQUAL(sc_errno(0, probe_fork), LT_OK);
}

static void test_kernel_surface_refused(void)
{
    CU_ASSERT_EQUAL(sc_errno(0, probe_io_uring), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_ptrace), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_process_vm), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_keyctl), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_add_key), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_bpf), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_perf), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_userfaultfd), EPERM);
}

static void test_terminal_ioctls_refused(void)
{
    /* Without the filter root may inject into any tty: the control shows
     * the probe can tell the difference. */
    if (geteuid() == 0)
        CU_ASSERT_EQUAL(sc_errno(SC_UNFILTERED, probe_tiocsti), LT_OK);
    CU_ASSERT_EQUAL(sc_errno(0, probe_tiocsti), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_tiocsti_high), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_tioclinux), EPERM);
}

static void test_namespaces_refused(void)
{
    CU_ASSERT_EQUAL(sc_errno(0, probe_unshare_user), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_unshare_mnt), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_clone_newuser), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_clone3), ENOSYS);
    CU_ASSERT_EQUAL(sc_errno(0, probe_mount), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_umount), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_setns), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_open_tree), EPERM);
    CU_ASSERT_EQUAL(sc_errno(0, probe_fsopen), EPERM);
}

static void test_nested_userns_omits_namespace_rules(void)
{
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_NESTED_USERNS, probe_unshare_user), LT_OK);
    CU_ASSERT_NOT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_NESTED_USERNS, probe_clone3), ENOSYS);
    CU_ASSERT_EQUAL(sc_errno(LAUNCH_SC_ALLOW_NESTED_USERNS, probe_socket_unix), EPERM);
}

#if defined(__x86_64__)
/* i386 socketcall(SYS_SOCKET, {AF_UNIX, SOCK_STREAM, 0}) through int 0x80. */
static int probe_int80_socketcall(void)
{
    static unsigned int args[3] = { AF_UNIX, SOCK_STREAM, 0 };
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(102), "b"(1), "c"(args) : "memory");
    return ret < 0 ? (int)-ret : LT_OK;
}
static int probe_x32_socket(void)
{
    return launch_test_result(syscall(0x40000000 | 41 /* x32 socket */, AF_UNIX, SOCK_STREAM, 0));
}

static int sc_signal(int (*probe)(void))
{
    struct sc_case c = { 0, probe };
    int status = launch_test_in_child(sc_child, &c);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void test_foreign_arch_killed(void)
{
    CU_ASSERT_EQUAL(sc_signal(probe_int80_socketcall), SIGSYS);
    CU_ASSERT_EQUAL(sc_signal(probe_x32_socket), SIGSYS);
}
#endif

void launch_test_register_seccomp(void)
{
    CU_pSuite s = CU_add_suite("seccomp", NULL, NULL);
    CU_add_test(s, "precompiled programs match libseccomp", test_precompiled_matches_libseccomp);
    CU_add_test(s, "guard program matches libseccomp", test_guard_program_matches_libseccomp);
    CU_add_test(s, "programs differ by flags", test_programs_differ_by_flags);
    CU_add_test(s, "unknown flags refused", test_unknown_flags_refused);
    CU_add_test(s, "unix sockets refused", test_unix_sockets_refused);
    CU_add_test(s, "unix sockets allowed on request", test_unix_sockets_allowed_on_request);
    CU_add_test(s, "inet sockets and fork still work", test_inet_and_fork_still_work);
    CU_add_test(s, "kernel surface refused", test_kernel_surface_refused);
    CU_add_test(s, "terminal ioctls refused", test_terminal_ioctls_refused);
    CU_add_test(s, "namespaces and mounts refused", test_namespaces_refused);
    CU_add_test(s, "nested userns omits namespace rules", test_nested_userns_omits_namespace_rules);
#if defined(__x86_64__)
    CU_add_test(s, "foreign syscall arch killed", test_foreign_arch_killed);
#endif
}
