/* landlock.c - the Landlock second layer of the inner stage (DESIGN.md 5.1),
 * and the only filesystem and TCP layer of the weaker nested mode (5.5).
 *
 * bwrap's mounts are the primary write restriction; Landlock repeats it from
 * inside so that a mount the command manages to detach still leaves the host
 * read-only: everything stays readable and executable, only the allowed
 * write paths keep full access. On ABI >= 6 the domain also refuses signals
 * to and abstract unix sockets of processes outside it. The handled rights
 * follow the running ABI (best effort); whether Landlock is there at all is
 * the plugin's probe to report, not ours. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_int.h"

/* Rights and scopes newer than the linux-libc-dev headers we build with. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)               /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)            /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)           /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)     /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)                   /* ABI 6 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)            /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LANDLOCK_RULE_NET_PORT 2
struct landlock_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

/* The ruleset attribute as of ABI 6; older kernels accept the longer struct
 * as long as the members they do not know are zero. */
struct launch_ll_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

#define LAUNCH_LL_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
                        LANDLOCK_ACCESS_FS_READ_DIR)
#define LAUNCH_LL_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)

int launch_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

/* A ruleset handling every filesystem right of `abi` and the `net` rights;
 * on ABI >= 6 scoped to refuse signals to processes outside the domain, and
 * their abstract unix sockets when `scope_unix`. *attr gets what it handles.
 * Returns the ruleset fd or a negative errno. */
static int launch_ll_create(int abi, uint64_t net, bool scope_unix, struct launch_ll_attr *attr,
                            struct launch_error *err)
{
    *attr = (struct launch_ll_attr){ .handled_access_fs = LAUNCH_LL_ABI1, .handled_access_net = net };
    if (abi >= 2)
        attr->handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        attr->handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        attr->handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if (abi >= 6) {
        attr->scoped = LANDLOCK_SCOPE_SIGNAL;
        if (scope_unix)
            attr->scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, attr, sizeof(*attr), 0);
    if (ruleset < 0)
        return launch_fail(err, errno, "cannot create landlock ruleset: %s", strerror(errno));
    return ruleset;
}

/* Unless adding the rules failed (rc < 0), restrict the calling thread to
 * the ruleset; the ruleset fd is closed either way. */
static int launch_ll_enforce(int ruleset, int rc, struct launch_error *err)
{
    if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
        rc = launch_fail(err, errno, "cannot enforce landlock ruleset: %s", strerror(errno));
    close(ruleset);
    return rc;
}

/* Open a rule path. With `nofollow` no component may be a symlink
 * (openat2 RESOLVE_NO_SYMLINKS; only the last one before Linux 5.6) and a
 * final symlink is refused with ELOOP: the weaker mode's paths are all
 * resolved, so a symlink there was planted after the plan was made. */
static int launch_ll_open(const char *path, bool nofollow)
{
    if (!nofollow)
        return open(path, O_PATH | O_CLOEXEC);
    struct open_how how = {
        .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS)
        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode)) {
        close((int)fd);
        errno = ELOOP;
        return -1;
    }
    return (int)fd;
}

/* Grant `access` beneath `path`. A path that does not exist grants nothing
 * and is not an error: the write list names places that may not exist yet.
 * With `nofollow`, neither does a symlinked or unsearchable one (the weaker
 * mode fails closed: such a path simply stays out of reach). */
static int launch_ll_allow(int ruleset, const char *path, uint64_t access, bool nofollow,
                           struct launch_error *err)
{
    struct landlock_path_beneath_attr rule = { .allowed_access = access };
    int rc = 0;

    rule.parent_fd = launch_ll_open(path, nofollow);
    if (rule.parent_fd < 0) {
        if (errno == ENOENT || (nofollow && (errno == ELOOP || errno == EACCES || errno == ENOTDIR)))
            return 0;
        return launch_fail(err, errno, "cannot open landlock path %s: %s", path, strerror(errno));
    }
    /* Directory-only rights are refused on files. */
    struct stat st;
    if (fstat(rule.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rule.allowed_access &= ~(uint64_t)(LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                                           LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                                           LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                                           LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                                           LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM |
                                           LANDLOCK_ACCESS_FS_REFER);
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
        rc = launch_fail(err, errno, "cannot add landlock rule for %s: %s", path, strerror(errno));
    close(rule.parent_fd);
    return rc;
}

int launch_landlock_apply(const struct launch_ll_policy *policy,
                          struct launch_error *err)
{
    int abi = launch_landlock_abi();
    struct launch_ll_attr attr;
    int ruleset, rc;

    if (abi < 1)
        return launch_fail(err, EOPNOTSUPP, "landlock is not available");
    ruleset = launch_ll_create(abi, 0, policy->scope_unix, &attr, err);
    if (ruleset < 0)
        return ruleset;

    rc = launch_ll_allow(ruleset, "/", LAUNCH_LL_READ, false, err);
    /* The write roots are canonical paths: one reached through a symlink
     * now was swapped after srt checked it (THREATS F2), perhaps while bwrap
     * mounted it, so that a writable mount sits where the symlink pointed.
     * Such a root grants nothing; a rule binds to the inode opened here, so
     * no later swap moves it either. */
    for (size_t i = 0; i < policy->n_write && rc == 0; i++)
        rc = launch_ll_allow(ruleset, policy->write[i], attr.handled_access_fs, true, err);
    return launch_ll_enforce(ruleset, rc, err);
}

int launch_landlock_apply_weak(const struct launch_ll_weak *policy,
                               struct launch_error *err)
{
    int abi = launch_landlock_abi();
    struct launch_ll_attr attr;
    int ruleset, rc = 0;

    if (abi < LAUNCH_LL_WEAK_MIN_ABI)
        return launch_fail(err, EOPNOTSUPP,
                           "landlock ABI %d is too old: the weaker nested mode needs ABI %d "
                           "(linux 6.7) for tcp port rules", abi, LAUNCH_LL_WEAK_MIN_ABI);
    ruleset = launch_ll_create(abi, LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
                               policy->scope_unix, &attr, err);
    if (ruleset < 0)
        return ruleset;

    uint64_t write = attr.handled_access_fs & ~(uint64_t)LAUNCH_LL_READ;
    for (size_t i = 0; i < policy->n_read && rc == 0; i++)
        rc = launch_ll_allow(ruleset, policy->read[i], LAUNCH_LL_READ, true, err);
    for (size_t i = 0; i < policy->n_write && rc == 0; i++)
        rc = launch_ll_allow(ruleset, policy->write[i], write, true, err);
    for (size_t i = 0; i < policy->n_connect && rc == 0; i++) {
        struct landlock_net_port_attr port = {
            .allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP, .port = policy->connect[i],
        };
        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT, &port, 0) < 0)
            rc = launch_fail(err, errno, "cannot add landlock rule for tcp port %u: %s",
                             (unsigned)policy->connect[i], strerror(errno));
    }
    return launch_ll_enforce(ruleset, rc, err);
}
