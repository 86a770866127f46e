/* srt/policy.h - the normalised policy, as plugins see it.
 *
 * The core parses and validates the settings file and hands enforcers and
 * proxies this read-only view. All paths are absolute and normalised (~ and
 * relative spellings already resolved); domain patterns are canonical (lower
 * case, no trailing dot). Everything is owned by the core and borrowed for the
 * duration of the call that passes it; copy what must outlive the call.
 * Since 1.0. */
#ifndef SRT_POLICY_H
#define SRT_POLICY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* srt_path_entry.flags */
#define SRT_PATH_GLOB    (1u << 0)  /* path contains glob syntax (*, ?, **, [set]) */
#define SRT_PATH_LITERAL (1u << 1)  /* came from {"path", "literal": true}: never a glob */

struct srt_path_entry {
    const char *path;   /* absolute, normalised */
    uint32_t    flags;  /* SRT_PATH_* */
};

struct srt_path_list {
    const struct srt_path_entry *v;
    size_t                       n;
};

struct srt_str_list {
    const char *const *v;
    size_t             n;
};

/* srt_policy.flags */
#define SRT_POL_FS_DISABLED         (1u << 0)  /* filesystem.disabled */
#define SRT_POL_ALLOW_GIT_CONFIG    (1u << 1)  /* filesystem.allowGitConfig */
#define SRT_POL_WEAKER_NESTED       (1u << 2)  /* enableWeakerNestedSandbox */
#define SRT_POL_ALLOW_ALL_UNIX      (1u << 3)  /* network.allowAllUnixSockets */
#define SRT_POL_ALLOW_LOCAL_BINDING (1u << 4)  /* network.allowLocalBinding */
#define SRT_POL_ALLOW_NESTED_USERNS (1u << 5)  /* allowNestedUserNamespaces */
#define SRT_POL_ALLOW_PTY           (1u << 6)  /* allowPty (macOS) */
#define SRT_POL_WEAKER_NET          (1u << 7)  /* enableWeakerNetworkIsolation (macOS) */
#define SRT_POL_ALLOW_APPLE_EVENTS  (1u << 8)  /* allowAppleEvents (macOS) */
#define SRT_POL_STRICT_ALLOWLIST    (1u << 9)  /* network.strictAllowlist */

struct srt_policy {
    uint32_t struct_size;          /* sizeof(struct srt_policy) in the core's build */
    uint32_t flags;                /* SRT_POL_* */

    /* filesystem (REFERENCE.md section 3) */
    struct srt_path_list deny_read;
    struct srt_path_list allow_read;
    struct srt_path_list allow_write;   /* user entries; defaults are in default_write */
    struct srt_path_list deny_write;
    struct srt_path_list default_write; /* default write paths that exist (3.3) */
    int32_t  mandatory_deny_depth;      /* 1..10, default 3 */

    /* network (REFERENCE.md section 6) */
    struct srt_str_list allowed_domains;
    struct srt_str_list denied_domains;
    struct srt_str_list allow_unix_sockets;
    struct srt_str_list allow_mach_lookup;
    struct srt_str_list denied_resolved;  /* deniedResolvedAddresses: IPs and CIDRs */
    int32_t  http_proxy_port;           /* external proxy port, 0 = srt's own */
    int32_t  socks_proxy_port;          /* external proxy port, 0 = srt's own */

    /* environment of the run */
    const char *cwd;                    /* caller's working directory */
    const char *home;                   /* caller's home directory */
    const char *tmpdir;                 /* temp dir exported as TMPDIR; the core creates it
                                           0700, owned by the caller, before prepare */
    const char *bwrap_path;             /* bwrapPath, or NULL for a PATH search */
    /* since 1.3: new members go here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_POLICY_H */
