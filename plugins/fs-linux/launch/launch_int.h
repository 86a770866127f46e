/* launch_int.h - internal interfaces of srt-linux-launch, the helper that
 * wraps bubblewrap on both sides (DESIGN.md 5.1):
 *
 *   srt -> srt-linux-launch --outer -> bwrap ... -> srt-linux-launch --inner -> command
 *
 * The outer stage (outer.c) makes the sandbox's network namespace (netns.c)
 * and the proxy listeners inside it (listen.c) and hands them to srt over the
 * control socket (fsl_proto.h). The inner stage (inner.c) adds Landlock
 * (landlock.c) and the seccomp filter (seccomp.c) and execs the command.
 *
 * The builders here never print and never exit: they return 0 or a negative
 * errno and describe the failure in a struct launch_error, so tests can call
 * them in a forked child. Only the two stages pick messages and exit codes. */
#ifndef LAUNCH_INT_H
#define LAUNCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

#include "../fsl_proto.h"

/* Exit status of the helper when it cannot build the sandbox; the command
 * never runs in that case. 126/127 follow the shell for exec failures. */
#define LAUNCH_EXIT_SETUP     125
#define LAUNCH_EXIT_NOEXEC    126
#define LAUNCH_EXIT_NOTFOUND  127

/* Sized to fit the control message's reason field unchanged. */
#define LAUNCH_ERRMAX FSL_CTL_ERRMAX

struct launch_error {
    int  sys_errno;             /* positive errno of the failing step */
    char msg[LAUNCH_ERRMAX];    /* "<action> <object>: <reason>", lower case */
};

/* Record a failure in *err and return -sys_errno (so callers can write
 * `return launch_fail(err, errno, "...")`). A sys_errno of 0 becomes EIO. */
int launch_fail(struct launch_error *err, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- netns.c ---------------------------------------------------------- */

/* Move the caller into a fresh network namespace. With `with_userns` (the
 * caller is unprivileged) a user namespace with an identity map of the
 * caller's uid and gid is made first, so the netns can be created. */
int launch_netns_enter(bool with_userns, struct launch_error *err);

/* Bring `lo` up in the current namespace and check that it is the only link
 * and that no route leads anywhere but loopback. Fails closed. */
int launch_netns_setup_lo(struct launch_error *err);

/* ---- listen.c --------------------------------------------------------- */

struct launch_listeners {
    int      fd[FSL_CTL_MAX_LISTENERS];
    uint32_t proto[FSL_CTL_MAX_LISTENERS];  /* enum srt_proto */
    size_t   n;
};

/* Open the proxy listeners in the current namespace: 127.0.0.1 and ::1 on
 * 3128 (HTTP) and 1080 (SOCKS5); ::1 is skipped when the namespace has no
 * IPv6 loopback. On failure nothing stays open. */
int launch_listeners_open(struct launch_listeners *ls, struct launch_error *err);
void launch_listeners_close(struct launch_listeners *ls);

/* Send the listeners (ls may be NULL on failure) and the outcome over the
 * control socket, in the format of fsl_proto.h. */
int launch_ctl_send(int ctl_fd, const struct launch_listeners *ls,
                    const struct launch_error *failure, struct launch_error *err);

/* ---- seccomp.c -------------------------------------------------------- */

#define LAUNCH_SC_ALLOW_UNIX          (1u << 0)  /* keep socket(AF_UNIX/AF_VSOCK) */
#define LAUNCH_SC_ALLOW_NESTED_USERNS (1u << 1)  /* omit the namespace/mount rules */

/* Build (not load) the command's filter. Host-free: returns a new context
 * the caller loads with seccomp_load() and frees with seccomp_release(), or
 * NULL with *err filled. */
scmp_filter_ctx launch_seccomp_build(unsigned flags, struct launch_error *err);

/* ---- landlock.c ------------------------------------------------------- */

struct launch_ll_policy {
    const char *const *write;     /* paths that keep full access */
    size_t             n_write;
    bool               scope_unix;  /* refuse abstract sockets from outside (ABI >= 6) */
};

/* Landlock ABI of the running kernel, 0 when unavailable. */
int launch_landlock_abi(void);

/* Restrict the calling thread: everything readable and executable, writes
 * only beneath policy->write; signals scoped to the domain (ABI >= 6).
 * Access bits the running ABI lacks are dropped. Needs no_new_privs set.
 * Returns 0, -EOPNOTSUPP when Landlock is unavailable, or another -errno. */
int launch_landlock_apply(const struct launch_ll_policy *policy,
                          struct launch_error *err);

/* ---- stages ----------------------------------------------------------- */

/* argv points after "--outer" / "--inner"; both return an exit status only
 * when they failed (on success they exec). */
int launch_outer_main(int argc, char **argv);
int launch_inner_main(int argc, char **argv);

#endif /* LAUNCH_INT_H */
