/* launch_int.h - internal interfaces of srt-linux-launch, the helper that
 * wraps bubblewrap on both sides (DESIGN.md 5.1):
 *
 *   srt -> srt-linux-launch --outer -> bwrap ... -> srt-linux-launch --inner -> command
 *
 * The outer stage (outer.c) makes the sandbox's network namespace (netns.c)
 * and the proxy listeners inside it (listen.c) and hands them to srt over the
 * control socket (fsl_proto.h). The inner stage (inner.c) adds Landlock
 * (landlock.c) and the seccomp filter (seccomp_load.c) and execs the command.
 *
 * The builders here never print and never exit: they return 0 or a negative
 * errno and describe the failure in a struct launch_error, so tests can call
 * them in a forked child. Only the two stages pick messages and exit codes. */
#ifndef LAUNCH_INT_H
#define LAUNCH_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "../fsl_proto.h"

/* What the filter names that older libc headers may lack. */
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

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

/* ---- proc.c: the process state the command starts with ------------- */

/* Parse a decimal integer in [min, max]; 0 or -EINVAL. */
int launch_parse_int(const char *text, long min, long max, long *out);
/* Parse a descriptor number above 2; on failure "invalid <what> <text>". */
int launch_parse_fd(const char *what, const char *text, int *out, struct launch_error *err);
/* Die with srt: SIGKILL on the parent's death, and fail if `parent` (our
 * parent when we started) is already gone. The kernel clears the signal
 * on a change of credentials, so a stage that makes a user namespace sets
 * it again afterwards. */
int launch_tie_to_parent(pid_t parent, struct launch_error *err);
/* Set no_new_privs: Landlock and an unprivileged seccomp filter need it. */
int launch_no_new_privs(struct launch_error *err);
/* Close every descriptor above 2 except keep[] (sorted in place): a
 * directory fd left open by a caller would reach paths the policy hides
 * (THREATS.md F9). */
int launch_close_fds(int *keep, size_t n_keep, struct launch_error *err);
/* Default dispositions for every signal and an empty mask. */
int launch_reset_signals(struct launch_error *err);
/* Leave without exit handlers: once the filter is loaded they may need calls
 * it refuses (LeakSanitizer's ptrace in sanitizer builds). */
_Noreturn void launch_exit(int status);
/* execvp the command; on failure print why and exit 127 (not found) or 126. */
_Noreturn void launch_exec(char **cmd);
/* The end of both confining stages: when rc is 0, close every descriptor
 * but keep[] and reset signals; then exec the command, or, if rc or those
 * steps failed, print err and exit LAUNCH_EXIT_SETUP. */
_Noreturn void launch_finish(int rc, int *keep, size_t n_keep, char **cmd,
                             struct launch_error *err);

/* ---- guard.c, guard_ops.c: the create guard ---------------------------- */

struct launch_guard {
    bool     on;
    int      sock[2];     /* made before the confinement; carries the listener */
    int      listener;    /* the watcher's end of the filter, -1 before */
    int      report;      /* refusals go here (the lifeline), -1: nowhere */
    unsigned how;         /* FSL_MAKE_GIT_CONFIG or 0 (../danger.h) */
    void    *req, *resp;  /* a notification and a response, kernel-sized */
    size_t   req_size, resp_size;
};

/* A guard that is off until launch_guard_prepare(). */
#define LAUNCH_GUARD_OFF { .on = false, .listener = -1, .report = -1 }

/* Before the confinement: the socket pair the listener will travel over;
 * `git_config` protects git config files (no allowGitConfig). */
int  launch_guard_prepare(struct launch_guard *g, bool git_config, struct launch_error *err);
/* The command's side, after the fork: load the guard's filter and send its
 * listener to the watcher. */
int  launch_guard_arm(struct launch_guard *g, struct launch_error *err);
/* The watcher's side: receive the listener; refusals are reported on
 * `report`. */
int  launch_guard_take(struct launch_guard *g, int report, struct launch_error *err);
/* Answer the one request waiting on g->listener. */
void launch_guard_serve(struct launch_guard *g);

/* One guarded call, as guard_ops.c sees it. */
struct launch_guard_call {
    int         listener;   /* to check that the request is still pending */
    uint64_t    id;
    pid_t       pid;        /* the calling thread */
    int         nr;         /* native syscall number */
    uint64_t    args[6];
    unsigned    how;        /* FSL_MAKE_GIT_CONFIG or 0 */
    int         mem;        /* /proc/PID/mem once opened, else -1 */
    int         fd;         /* out: an opened file to install in the caller */
    bool        cloexec;    /* out: with close-on-exec */
    int         wait_dfd;   /* out, LAUNCH_GUARD_WAIT: open wait_name there, */
    int         wait_flags; /* with these flags, apart from the watcher */
    char        wait_name[PATH_MAX];
    const char *op;         /* out: set when a name was refused */
    char        refused[PATH_MAX + NAME_MAX + 2];  /* out: its path */
};

/* launch_guard_call_run()'s "answer later": an open that must wait (a FIFO
 * without a reader), described by the wait_* members. */
#define LAUNCH_GUARD_WAIT (-EINPROGRESS)

/* Make what the call asks for, or refuse it: its result (a value or a
 * negative errno; -ECANCELED when the request went away and needs no
 * answer; LAUNCH_GUARD_WAIT). */
long launch_guard_call_run(struct launch_guard_call *c);

/* ---- watch.c ---------------------------------------------------------- */

/* Fork the command off and stay as its parent, watching the lifeline socket
 * `life` (see watch.c), and answering the create guard when `guard` is on.
 * Returns 0 in the child, which goes on to exec; the watcher itself never
 * returns. A negative errno when it cannot start. */
int launch_watch(int life, struct launch_guard *guard, struct launch_error *err);
/* The weaker nested mode's watcher (guard on only): fork the command off and
 * stay as its parent, answering the guard, reporting refusals on `report`,
 * passing srt's signals on, leaving with the command's status; the command
 * dies with it. Returns 0 in the child. */
int launch_watch_weak(int report, struct launch_guard *guard, struct launch_error *err);

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

/* pids.c: join the pids cgroup `dir` (writes our pid to its cgroup.procs);
 * set RLIMIT_NPROC to max. 0 or a negative errno with err filled. */
int launch_cgroup_join(const char *dir, struct launch_error *err);
int launch_nproc_limit(long max, struct launch_error *err);

/* plan_recv.c: argv and envp from the plan channel named by SRT_PLAN_FD
 * (struct srt_plan_head, then argc + envc NUL-terminated strings), into
 * *argv and *envp (NULL-terminated). 0; -ECANCELED when the channel closed
 * before a complete plan (srt gave up on the run: nothing is to run); or a
 * negative errno with err filled. */
int launch_plan_recv(char ***argv, char ***envp, struct launch_error *err);

/* bindfd.c: receive the bind sources srt sends on ctl_fd (../fsl_proto.h)
 * and replace each "@K" after --bind-fd/--ro-bind-fd in argv with the
 * number descriptor K arrived under. 0, -ECANCELED when srt closed the
 * socket first, or a negative errno with err filled. */
int launch_bindfd_take(int ctl_fd, char **argv, struct launch_error *err);
/* Raise the soft RLIMIT_NOFILE to the hard one (best effort). */
void launch_nofile_raise(void);
/* Set the soft RLIMIT_NOFILE back to `soft` (the caller's, which receiving
 * many bind sources may have raised). 0 or a negative errno, err filled. */
int launch_bindfd_nofile(long soft, struct launch_error *err);

/* ---- seccomp.c -------------------------------------------------------- */

#define LAUNCH_SC_ALLOW_UNIX          (1u << 0)  /* keep socket(AF_UNIX/AF_VSOCK) */
#define LAUNCH_SC_ALLOW_NESTED_USERNS (1u << 1)  /* omit the namespace/mount rules */
/* The weaker nested mode (no network namespace): only TCP over IPv4/IPv6
 * (Landlock restricts nothing else), plus AF_UNIX when allowed; no UDP, raw,
 * SCTP, MPTCP, netlink or packet sockets; no TCP Fast Open data (it connects
 * without the connect hook); no listen() unless unix sockets are allowed. */
#define LAUNCH_SC_WEAK                (1u << 2)

/* Every flag above: the build generates one program per subset of these. */
#define LAUNCH_SC_FLAGS_ALL \
    (LAUNCH_SC_ALLOW_UNIX | LAUNCH_SC_ALLOW_NESTED_USERNS | LAUNCH_SC_WEAK)

/* A filter program as the kernel takes it (struct sock_fprog, but const). */
struct sock_filter;
struct launch_sc_program {
    const struct sock_filter *insns;
    unsigned short            len;
};

/* The program for `flags`, compiled from seccomp.c's rules at build time
 * (seccomp_gen.c writes seccomp_bpf.c in the build tree), or NULL when
 * `flags` has a bit outside LAUNCH_SC_FLAGS_ALL. */
const struct launch_sc_program *launch_seccomp_program(unsigned flags);
/* The create guard's program (guard.c), compiled likewise. */
const struct launch_sc_program *launch_seccomp_guard_program(void);
/* Load that program on the calling thread, as libseccomp's seccomp_load()
 * would (no_new_privs must already be set: this does not set it). */
int launch_seccomp_apply(unsigned flags, struct launch_error *err);

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

/* The weaker nested mode's ruleset (DESIGN.md 5.5): with no mount namespace
 * Landlock is the only filesystem layer, so reads are an allow-list too (the
 * plugin computes the complement of denyRead), writes are the write roots'
 * complement of the protected paths, and TCP is limited to the proxy ports. */
struct launch_ll_weak {
    const char *const *read;      /* read + execute beneath each */
    size_t             n_read;
    const char *const *write;     /* every write right beneath each (no read) */
    size_t             n_write;
    const uint16_t    *connect;   /* the only TCP ports connect() may reach */
    size_t             n_connect;
    bool               scope_unix;
};

/* Lowest Landlock ABI the weaker mode accepts: 4 brings TCP port rules. */
#define LAUNCH_LL_WEAK_MIN_ABI 4

/* Enforce that ruleset on the calling thread; TCP bind is always refused.
 * Rule paths are opened without following symlinks; a path that is missing,
 * a symlink or not searchable grants nothing. Fails with -EOPNOTSUPP when the
 * ABI is below LAUNCH_LL_WEAK_MIN_ABI: there is no fallback. */
int launch_landlock_apply_weak(const struct launch_ll_weak *policy,
                               struct launch_error *err);

/* ---- caps.c ----------------------------------------------------------- */

/* Drop every capability: ambient and bounding sets cleared, securebits
 * locked where permitted, effective/permitted/inheritable emptied, then
 * checked. Without CAP_SETPCAP the bounding set cannot shrink; that is
 * accepted because the permitted set is then empty and no_new_privs keeps
 * exec from refilling it. */
int launch_caps_drop(struct launch_error *err);

/* ---- stages ----------------------------------------------------------- */

/* argv points after "--outer" / "--inner"; both return an exit status only
 * when they failed (on success they exec). */
int launch_outer_main(int argc, char **argv);
int launch_inner_main(int argc, char **argv);
int launch_weak_main(int argc, char **argv);

#endif /* LAUNCH_INT_H */
