/* seccomp.c - the syscall filter the inner stage puts on the command
 * (DESIGN.md 5.1, REFERENCE.md 4.6, THREATS.md 3.1/3.3).
 *
 * Default allow; the listed calls fail with EPERM (clone3 with ENOSYS so libc
 * falls back to clone, whose flags the filter can see). Only the native
 * architecture is in the filter and every other one kills the process: an
 * i386 `int 0x80` socketcall or an x32 call from a 64-bit process never
 * reaches a rule written for x86-64 numbers. Integer arguments are compared
 * on their low 32 bits, as the kernel reads them, so high-bit variants such as
 * TIOCSTI | 1 << 32 are caught too.
 *
 * These rules are the one source of the filter: the build runs them through
 * libseccomp once per flag combination (seccomp_gen.c) and srt-linux-launch
 * loads the exported programs (seccomp_load.c); the tests export them again
 * and compare. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_build.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

/* Address families are below this on every kernel we know (AF_MAX is 46 in
 * Linux 6.x); anything at or above it is refused outright. */
#define LAUNCH_AF_LIMIT 64
/* socket(2) type values live in the low 4 bits (SOCK_TYPE_MASK). */
#define LAUNCH_SOCK_TYPE_MASK 0xfULL

/* The kernel reads int arguments and the ioctl request as 32 bits. */
#define LAUNCH_LOW32 0xffffffffULL

/* Calls refused outright: kernel surface the command has no use for and that
 * bypasses or attacks the other rules (io_uring opens sockets and files
 * without syscalls, ptrace and process_vm_* reach unfiltered processes). */
static const int launch_sc_denied[] = {
    SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
    SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
    SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
    SCMP_SYS(perf_event_open), SCMP_SYS(bpf), SCMP_SYS(userfaultfd),
};

/* Calls that detach or rearrange mounts (and so the deny masks); refused
 * unless nested user namespaces are allowed. */
static const int launch_sc_mount[] = {
    SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
    SCMP_SYS(open_tree), SCMP_SYS(move_mount), SCMP_SYS(fsopen),
    SCMP_SYS(fsconfig), SCMP_SYS(fsmount), SCMP_SYS(fspick),
    SCMP_SYS(mount_setattr), SCMP_SYS(setns),
};

/* open_tree_attr (Linux 6.15) is newer than the libseccomp we build with;
 * x86-64 and arm64 share its number. */
#if defined(__x86_64__) || defined(__aarch64__)
#define LAUNCH_NR_OPEN_TREE_ATTR 467
#endif

static int launch_sc_add(scmp_filter_ctx ctx, int nr, uint32_t action,
                         unsigned n_cmp, const struct scmp_arg_cmp *cmp,
                         struct launch_error *err)
{
    int rc = seccomp_rule_add_array(ctx, action, nr, n_cmp, cmp);

    if (rc < 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        launch_fail(err, -rc, "cannot add seccomp rule for %s", name ? name : "syscall");
        free(name);
    }
    return rc;
}

/* `nr` fails with EPERM when argument `arg` has any of `bits` set. */
static int launch_sc_deny_flags(scmp_filter_ctx ctx, int nr, unsigned arg,
                                uint64_t bits, struct launch_error *err)
{
    for (unsigned b = 0; b < 64; b++) {
        uint64_t bit = 1ULL << b;
        if (!(bits & bit))
            continue;
        struct scmp_arg_cmp cmp = { arg, SCMP_CMP_MASKED_EQ, bit, bit };
        int rc = launch_sc_add(ctx, nr, SCMP_ACT_ERRNO(EPERM), 1, &cmp, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* `nr` fails with EPERM when the low 32 bits of argument `arg` equal `value`. */
static int launch_sc_deny_value(scmp_filter_ctx ctx, int nr, unsigned arg,
                                uint64_t value, struct launch_error *err)
{
    struct scmp_arg_cmp cmp = { arg, SCMP_CMP_MASKED_EQ, LAUNCH_LOW32, value };
    return launch_sc_add(ctx, nr, SCMP_ACT_ERRNO(EPERM), 1, &cmp, err);
}

static int launch_sc_add_unix(scmp_filter_ctx ctx, struct launch_error *err)
{
    static const int domains[] = { AF_UNIX, AF_VSOCK };
    int rc = 0;

    for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]) && rc == 0; i++) {
        rc = launch_sc_deny_value(ctx, SCMP_SYS(socket), 0, (uint64_t)domains[i], err);
        if (rc == 0)
            rc = launch_sc_deny_value(ctx, SCMP_SYS(socketpair), 0, (uint64_t)domains[i], err);
    }
    return rc;
}

static int launch_sc_add_namespaces(scmp_filter_ctx ctx, struct launch_error *err)
{
    const uint64_t ns_bits = CLONE_NEWUSER | CLONE_NEWNS;
    int rc = 0;

    for (size_t i = 0; i < sizeof(launch_sc_mount) / sizeof(launch_sc_mount[0]) && rc == 0; i++)
        rc = launch_sc_add(ctx, launch_sc_mount[i], SCMP_ACT_ERRNO(EPERM), 0, NULL, err);
#ifdef LAUNCH_NR_OPEN_TREE_ATTR
    if (rc == 0)
        rc = launch_sc_add(ctx, LAUNCH_NR_OPEN_TREE_ATTR, SCMP_ACT_ERRNO(EPERM), 0, NULL, err);
#endif
    if (rc == 0)
        rc = launch_sc_deny_flags(ctx, SCMP_SYS(unshare), 0, ns_bits, err);
    /* clone's flags are its first argument on x86-64 and arm64 alike. */
    if (rc == 0)
        rc = launch_sc_deny_flags(ctx, SCMP_SYS(clone), 0, ns_bits, err);
    /* clone3 passes its flags in memory the filter cannot read. */
    if (rc == 0)
        rc = launch_sc_add(ctx, SCMP_SYS(clone3), SCMP_ACT_ERRNO(ENOSYS), 0, NULL, err);
    return rc;
}

/* socket() of `domain` fails with EPERM when the type's low 4 bits equal
 * `type`. */
static int launch_sc_deny_type(scmp_filter_ctx ctx, int domain, unsigned type,
                               struct launch_error *err)
{
    struct scmp_arg_cmp cmp[2] = {
        { 0, SCMP_CMP_MASKED_EQ, LAUNCH_LOW32, (uint64_t)domain },
        { 1, SCMP_CMP_MASKED_EQ, LAUNCH_SOCK_TYPE_MASK, type },
    };
    return launch_sc_add(ctx, SCMP_SYS(socket), SCMP_ACT_ERRNO(EPERM), 2, cmp, err);
}

/* Without a network namespace Landlock's TCP port rules are the network
 * boundary, and they see nothing but TCP: every other family, type and
 * protocol is refused before a socket exists. */
static int launch_sc_add_weak(scmp_filter_ctx ctx, unsigned flags, struct launch_error *err)
{
    static const int inet[] = { AF_INET, AF_INET6 };
    int rc = 0;

    for (int af = 0; af < LAUNCH_AF_LIMIT && rc == 0; af++) {
        if (af == AF_UNIX || af == AF_INET || af == AF_INET6)
            continue;
        rc = launch_sc_deny_value(ctx, SCMP_SYS(socket), 0, (uint64_t)af, err);
        if (rc == 0)
            rc = launch_sc_deny_value(ctx, SCMP_SYS(socketpair), 0, (uint64_t)af, err);
    }
    if (rc == 0) {
        struct scmp_arg_cmp big = { 0, SCMP_CMP_GE, LAUNCH_AF_LIMIT, 0 };
        rc = launch_sc_add(ctx, SCMP_SYS(socket), SCMP_ACT_ERRNO(EPERM), 1, &big, err);
    }
    for (size_t i = 0; i < sizeof(inet) / sizeof(inet[0]) && rc == 0; i++) {
        /* SOCK_STREAM only: no UDP, raw, SEQPACKET (SCTP) or DCCP */
        for (unsigned t = 0; t <= LAUNCH_SOCK_TYPE_MASK && rc == 0; t++)
            if (t != SOCK_STREAM)
                rc = launch_sc_deny_type(ctx, inet[i], t, err);
        /* protocol 0 or IPPROTO_TCP only: SCTP and MPTCP are stream
         * sockets as well, and Landlock does not restrict them */
        for (uint64_t p = 1; p < IPPROTO_TCP && rc == 0; p++) {
            struct scmp_arg_cmp cmp[2] = {
                { 0, SCMP_CMP_MASKED_EQ, LAUNCH_LOW32, (uint64_t)inet[i] },
                { 2, SCMP_CMP_MASKED_EQ, LAUNCH_LOW32, p },
            };
            rc = launch_sc_add(ctx, SCMP_SYS(socket), SCMP_ACT_ERRNO(EPERM), 2, cmp, err);
        }
        if (rc == 0) {
            struct scmp_arg_cmp cmp[2] = {
                { 0, SCMP_CMP_MASKED_EQ, LAUNCH_LOW32, (uint64_t)inet[i] },
                { 2, SCMP_CMP_GT, IPPROTO_TCP, 0 },
            };
            rc = launch_sc_add(ctx, SCMP_SYS(socket), SCMP_ACT_ERRNO(EPERM), 2, cmp, err);
        }
    }
    /* A Fast Open send connects inside sendmsg, past Landlock's hook. */
    if (rc == 0)
        rc = launch_sc_deny_flags(ctx, SCMP_SYS(sendto), 3, MSG_FASTOPEN, err);
    if (rc == 0)
        rc = launch_sc_deny_flags(ctx, SCMP_SYS(sendmsg), 2, MSG_FASTOPEN, err);
    if (rc == 0)
        rc = launch_sc_deny_flags(ctx, SCMP_SYS(sendmmsg), 3, MSG_FASTOPEN, err);
    /* listen() on an unbound TCP socket binds a port without bind(), which
     * is all Landlock checks; with no unix sockets nothing else listens. */
    if (rc == 0 && !(flags & LAUNCH_SC_ALLOW_UNIX))
        rc = launch_sc_add(ctx, SCMP_SYS(listen), SCMP_ACT_ERRNO(EPERM), 0, NULL, err);
    return rc;
}

/* Calls that give a path a new name, sent to the create guard (guard.c)
 * whatever their arguments. The legacy ones exist on x86-64 only. */
static const int launch_sc_guarded[] = {
#ifdef __NR_creat
    SCMP_SYS(creat), SCMP_SYS(mkdir), SCMP_SYS(mknod), SCMP_SYS(symlink),
    SCMP_SYS(link), SCMP_SYS(rename),
#endif
    SCMP_SYS(mkdirat), SCMP_SYS(mknodat), SCMP_SYS(symlinkat), SCMP_SYS(linkat),
    SCMP_SYS(renameat), SCMP_SYS(renameat2),
    /* its flags are in memory the filter cannot read */
    SCMP_SYS(openat2),
};

/* Start a filter whose foreign architectures are fatal, set before any rule
 * so that no foreign ABI is ever translated into rules. */
static scmp_filter_ctx launch_sc_init(struct launch_error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc;

    if (!ctx) {
        launch_fail(err, ENOMEM, "cannot create seccomp filter");
        return NULL;
    }
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) {
        launch_fail(err, -rc, "cannot make foreign syscall architectures fatal");
        seccomp_release(ctx);
        return NULL;
    }
    return ctx;
}

scmp_filter_ctx launch_seccomp_build_guard(struct launch_error *err)
{
    scmp_filter_ctx ctx = launch_sc_init(err);
    int rc = 0;

    if (!ctx)
        return NULL;
    for (size_t i = 0; i < sizeof(launch_sc_guarded) / sizeof(launch_sc_guarded[0]) && rc == 0; i++)
        rc = launch_sc_add(ctx, launch_sc_guarded[i], SCMP_ACT_NOTIFY, 0, NULL, err);
    /* open and openat only when they may create: most opens never stop */
    struct scmp_arg_cmp creat_at = { 2, SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT };
    if (rc == 0)
        rc = launch_sc_add(ctx, SCMP_SYS(openat), SCMP_ACT_NOTIFY, 1, &creat_at, err);
#ifdef __NR_open
    struct scmp_arg_cmp creat = { 1, SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT };
    if (rc == 0)
        rc = launch_sc_add(ctx, SCMP_SYS(open), SCMP_ACT_NOTIFY, 1, &creat, err);
#endif
    if (rc < 0) {
        seccomp_release(ctx);
        return NULL;
    }
    return ctx;
}

scmp_filter_ctx launch_seccomp_build(unsigned flags, struct launch_error *err)
{
    scmp_filter_ctx ctx = launch_sc_init(err);
    int rc = 0;

    if (!ctx)
        return NULL;
    for (size_t i = 0; i < sizeof(launch_sc_denied) / sizeof(launch_sc_denied[0]); i++) {
        rc = launch_sc_add(ctx, launch_sc_denied[i], SCMP_ACT_ERRNO(EPERM), 0, NULL, err);
        if (rc < 0)
            goto out_release;
    }
    rc = launch_sc_deny_value(ctx, SCMP_SYS(ioctl), 1, TIOCSTI, err);
    if (rc == 0)
        rc = launch_sc_deny_value(ctx, SCMP_SYS(ioctl), 1, TIOCLINUX, err);
    if (rc == 0 && !(flags & LAUNCH_SC_ALLOW_UNIX))
        rc = launch_sc_add_unix(ctx, err);
    if (rc == 0 && !(flags & LAUNCH_SC_ALLOW_NESTED_USERNS))
        rc = launch_sc_add_namespaces(ctx, err);
    if (rc == 0 && (flags & LAUNCH_SC_WEAK))
        rc = launch_sc_add_weak(ctx, flags, err);
    if (rc < 0)
        goto out_release;
    return ctx;

out_release:
    seccomp_release(ctx);
    return NULL;
}

/* Read the whole of memfd `fd` (written by seccomp_export_bpf) into a new
 * array of instructions. */
static int launch_sc_read_program(int fd, struct sock_filter **insns, size_t *len,
                                  struct launch_error *err)
{
    struct stat st;
    char *buf;
    size_t got = 0;

    if (fstat(fd, &st) < 0)
        return launch_fail(err, errno, "cannot size exported seccomp filter: %s", strerror(errno));
    if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0)
        return launch_fail(err, EPROTO, "cannot read exported seccomp filter: %lld bytes",
                           (long long)st.st_size);
    if (!(buf = malloc((size_t)st.st_size)))
        return launch_fail(err, ENOMEM, "cannot read exported seccomp filter: out of memory");
    while (got < (size_t)st.st_size) {
        ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(buf);
            return launch_fail(err, e, "cannot read exported seccomp filter: %s", strerror(e));
        }
        got += (size_t)n;
    }
    *insns = (struct sock_filter *)buf;
    *len = got / sizeof(struct sock_filter);
    return 0;
}

/* Export the program of `ctx` (released here) into a new array. */
static int launch_sc_export(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *len,
                            struct launch_error *err)
{
    int fd, rc;

    if (!ctx)
        return -err->sys_errno;
    fd = memfd_create("srt-seccomp-bpf", MFD_CLOEXEC);
    if (fd < 0) {
        rc = launch_fail(err, errno, "cannot create seccomp export buffer: %s", strerror(errno));
    } else {
        rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
            rc = launch_fail(err, -rc, "cannot export seccomp filter: %s", strerror(-rc));
        else
            rc = launch_sc_read_program(fd, insns, len, err);
        close(fd);
    }
    seccomp_release(ctx);
    return rc;
}

int launch_seccomp_export(unsigned flags, struct sock_filter **insns, size_t *len,
                          struct launch_error *err)
{
    return launch_sc_export(launch_seccomp_build(flags, err), insns, len, err);
}

int launch_seccomp_export_guard(struct sock_filter **insns, size_t *len, struct launch_error *err)
{
    return launch_sc_export(launch_seccomp_build_guard(err), insns, len, err);
}
