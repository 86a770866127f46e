/* srt/fs.h - the enforcer kind: backends that build a sandbox (fs-linux, fs-macos).
 *
 * The core asks the enforcer whether it can run here (probe), then for a
 * launch plan for one command (prepare), after letting it start the part of
 * the launch that needs no plan (prestart, since 1.2). The core spawns the
 * plan itself (or hands it to the prestarted process),
 * collects the proxy listeners the plan's stages create (listeners), waits,
 * and finally lets the enforcer undo what prepare did (cleanup).
 * Since 1.0. */
#ifndef SRT_FS_H
#define SRT_FS_H

#include <stddef.h>
#include <stdint.h>

#include <srt/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* srt_plugin_desc.caps for enforcers */
#define SRT_ENF_CAP_NETNS     (1u << 0)  /* hands over listeners inside a private netns */
#define SRT_ENF_CAP_GLOBS     (1u << 1)  /* enforces glob path entries */
#define SRT_ENF_CAP_SECCOMP   (1u << 2)  /* syscall filter for the command */
#define SRT_ENF_CAP_LANDLOCK  (1u << 3)  /* Landlock second layer */

/* What probe found. Owned by the caller. */
struct srt_probe {
    uint32_t struct_size;   /* set by the caller */
    int32_t  usable;        /* 1 when a command can be sandboxed here */
    char     mode[32];      /* how it would sandbox, e.g. "bwrap", "weaker-nested" */
    char     detail[1024];  /* findings, one per line: "ok: ..." / "missing: ... (fix: ...)" */
};

/* What to run. Filled by prepare(); every pointer is owned by the enforcer and
 * stays valid until cleanup() for the same session. */
struct srt_launch_plan {
    uint32_t           struct_size;   /* set by the caller */
    int32_t            listener_fd;   /* parent end of the listener hand-over, or -1;
                                         owned by the enforcer (closed by cleanup) */
    const char *const *argv;          /* NULL-terminated; argv[0] is an absolute path */
    const char *const *envp;          /* NULL-terminated environment, without proxy variables */
    const int         *keep_fds;      /* descriptors the child keeps beside 0, 1, 2 */
    size_t             n_keep_fds;
    /* since 1.1: where the command reaches the proxies (loopback ports as it
     * sees them). 0 means the sandbox-side defaults 3128 (HTTP) and 1080
     * (SOCKS5) of a private network namespace; an enforcer that puts the
     * listeners on host loopback sets the ports it bound. The core adds the
     * proxy variables (HTTP_PROXY, ...) to envp for these ports. */
    int32_t            http_port;
    int32_t            socks_port;
    /* since 1.3: new members go here, never above */
};

/* Protocols a proxy listener serves. */
enum srt_proto {
    SRT_PROTO_HTTP   = 1,   /* HTTP proxy, sandbox port 3128 */
    SRT_PROTO_SOCKS5 = 2,   /* SOCKS5 proxy, sandbox port 1080 */
};

/* A listening socket handed to the core; the receiver owns fd. */
struct srt_listener {
    int32_t  fd;
    uint32_t proto;         /* enum srt_proto */
};

struct srt_enforcer_ops {
    uint32_t struct_size;   /* sizeof(struct srt_enforcer_ops) in the plugin's build */
    uint32_t unused_0;

    /* Mandatory. Can this machine run the backend for `policy` (NULL: the
     * defaults), and if not, why. Fills *out; returns SRT_OK even when the
     * backend is unusable (out->usable = 0), a negative code only when the probe
     * itself failed. Main thread. */
    int  (*probe)(void *inst, const struct srt_policy *policy,
                  struct srt_probe *out, struct srt_error *err);

    /* Optional (NULL: "not supported"). Build the plan that runs `argv` with
     * `envp` (both borrowed) for session `s` under s->policy. Main thread. */
    int  (*prepare)(void *inst, const struct srt_session *s,
                    const char *const *argv, const char *const *envp,
                    struct srt_launch_plan *plan, struct srt_error *err);

    /* Optional. Called after the plan was spawned: receive the proxy listeners
     * its stages made. Stores up to `max` in out[] (ownership of each fd passes
     * to the caller) and their count in *n. Blocks at most a few seconds.
     * Main thread. */
    int  (*listeners)(void *inst, const struct srt_session *s,
                      struct srt_listener *out, size_t max, size_t *n,
                      struct srt_error *err);

    /* Optional. Undo prepare(): free the plan, remove placeholders and the
     * session's runtime state. Called once per successful prepare(), after the
     * command ended. Main thread. */
    void (*cleanup)(void *inst, const struct srt_session *s);

    /* since 1.1. Optional (NULL: the core signals the spawned process
     * directly). Deliver signal `sig` (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
     * SIGUSR1, SIGUSR2) to the command of session `s`, for backends whose
     * outermost process does not forward signals itself. Returns SRT_OK, or a
     * negative code when it could not be delivered. Main thread. */
    int  (*signal)(void *inst, const struct srt_session *s, int sig);
    /* since 1.2. Optional (NULL: the core starts the plan after prepare).
     * Called once per session, before prepare(), to start the part of the
     * launch that does not depend on the plan while the plan is built. The
     * enforcer may fill early->argv (argv[0] absolute) and early->keep_fds;
     * leaving early->argv NULL declines. The core starts that process at once
     * as it would start a plan, with one more descriptor, the plan channel,
     * whose number is the value of SRT_PLAN_ENV, the process's only
     * environment variable. After prepare() the core writes the final plan's
     * argv and envp on the channel (struct srt_plan_head, then the strings)
     * and closes it, and the process execs exactly that; its pid is the run's
     * pid. If the run fails before, the core closes the channel unwritten
     * and kills the process, which must never run anything without a
     * complete plan. The final plan's keep_fds must be among early->keep_fds
     * (the process already holds them); pointers stay valid until cleanup().
     * Main thread. */
    int  (*prestart)(void *inst, const struct srt_session *s,
                     struct srt_launch_plan *early, struct srt_error *err);
    /* since 1.3: new members go here, never above */
};

/* since 1.2: the plan channel of a prestarted process (prestart above). The
 * core sends this header, then argc + envc NUL-terminated strings, `bytes`
 * bytes in all, argv first, in host byte order, then closes the channel. */
#define SRT_PLAN_ENV       "SRT_PLAN_FD"
#define SRT_PLAN_MAGIC     0x4e4c5053u   /* "SPLN" little-endian */
#define SRT_PLAN_MAX_BYTES (16u << 20)   /* a bigger plan is refused */
struct srt_plan_head {
    uint32_t magic;     /* SRT_PLAN_MAGIC */
    uint32_t argc;      /* at least 1 */
    uint32_t envc;
    uint32_t bytes;     /* total size of the strings, NULs included */
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_FS_H */
