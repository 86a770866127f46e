/* srt/host.h - the services table the core hands every plugin.
 *
 * A plugin receives `const struct srt_host *host` and an opaque `self` handle
 * in create() and keeps both until destroy(). Every service may be called from
 * any thread unless stated otherwise. Plugins never link against the core, so
 * tests can pass a fake table. Members beyond 1.0 are checked with SRT_HAS.
 * Since 1.0. */
#ifndef SRT_HOST_H
#define SRT_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <srt/error.h>
#include <srt/event.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SRT_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define SRT_PRINTF(fmt, first)
#endif

/* True when the struct pointed to by p, whose declared size is p->struct_size,
 * contains member m. Used for every member added after 1.0. */
#define SRT_HAS(p, type, m) \
    ((p)->struct_size >= offsetof(type, m) + sizeof(((type *)0)->m))

/* Opaque: identifies the calling plugin on every service call. */
struct srt_handle;
/* Opaque: the plugin's option group from srt.conf (may be empty, never NULL). */
struct srt_config;
/* Defined in <srt/plugin.h>; a sandbox run. */
struct srt_session;

enum srt_log_level {
    SRT_LOG_ERROR = 0,  /* an operation failed */
    SRT_LOG_WARN  = 1,  /* degraded but continuing */
    SRT_LOG_INFO  = 2,  /* lifecycle, one line per event */
    SRT_LOG_DEBUG = 3,  /* per-decision detail, off by default */
};

/* The outcome of host->net_decide. Filled by the core; owned by the caller. */
struct srt_net_verdict {
    uint32_t struct_size;     /* set by the caller to sizeof(struct srt_net_verdict) */
    int32_t  allow;           /* 1 = allowed by policy, 0 = refused */
    int32_t  literal;         /* 1 when an allow entry names this exact IP literal */
    uint16_t port;            /* the port that was decided */
    uint16_t unused_0;
    char     host[256];       /* canonical host: lower case, no trailing dot, IPs normalised */
    char     reason[256];     /* why it was refused (empty when allowed) */
};

struct srt_host {
    uint32_t struct_size;     /* sizeof(struct srt_host) in the core's build */
    uint16_t abi_major;       /* SRT_ABI_MAJOR of the core */
    uint16_t abi_minor;       /* SRT_ABI_MINOR of the core */

    /* Log one line at `level`; the core prefixes the plugin name. No newline needed.
     * Never pass secrets. Any thread. */
    void (*log)(struct srt_handle *self, int level, const char *fmt, ...) SRT_PRINTF(3, 4);

    /* Fill `err` with `code` and a formatted message (lower case, no final period).
     * Takes errno into err->sys_errno when code is SRT_EIO. Any thread. */
    void (*fail)(struct srt_error *err, int code, const char *fmt, ...) SRT_PRINTF(3, 4);

    /* Hand a violation or lifecycle event to the core, which copies it, applies
     * ignoreViolations and fans it out to monitors. `ev` is borrowed. Must not
     * block; any thread. Returns SRT_OK, or SRT_EINVAL for a malformed event. */
    int  (*emit)(struct srt_handle *self, const struct srt_event *ev);

    /* Read option `key` from the plugin's srt.conf group. `*out` is borrowed and
     * valid until destroy(). Returns SRT_OK, SRT_ENOTFOUND or SRT_ETYPE. */
    int  (*cfg_str)(const struct srt_config *cfg, const char *key, const char **out);
    int  (*cfg_int)(const struct srt_config *cfg, const char *key, int64_t *out);
    int  (*cfg_bool)(const struct srt_config *cfg, const char *key, int *out);

    /* Render `ev` as one line of JSON (no newline) into buf. When len is too
     * small, writes nothing useful, stores the size needed (with NUL) in *need
     * and returns SRT_ERANGE. Any thread. */
    int  (*event_json)(const struct srt_event *ev, char *buf, size_t len, size_t *need);

    /* The network policy decision shared by every proxy: canonicalise `host`,
     * then deniedDomains, then allowedDomains, else deny. Resolves nothing.
     * `session` selects the sandbox whose policy applies (NULL: the current
     * global policy). `out` is caller-owned with struct_size set. Returns SRT_OK
     * whatever the verdict, SRT_EINVAL when out is unusable. Any thread. */
    int  (*net_decide)(struct srt_handle *self, const struct srt_session *session,
                       const char *host, uint16_t port, struct srt_net_verdict *out);

    /* The resolved-address guard, after an allow: may the connection for
     * verdict `v` (from net_decide) go to this address? `family` is 4 or 6 and
     * `addr` holds 4 or 16 bytes in network order. Refuses loopback,
     * unspecified, link-local, multicast, broadcast, cloud metadata, this
     * host's own addresses and deniedResolvedAddresses, unless the allow entry
     * was that literal. On refusal sets v->allow = 0 and v->reason. Returns
     * SRT_OK, or SRT_EINVAL for bad arguments. Any thread. */
    int  (*net_vet)(struct srt_handle *self, const struct srt_session *session,
                    struct srt_net_verdict *v, int family, const uint8_t *addr);
    /* since 1.3: new members go here, never above */
};

#define SRT_LOG_ERR(h, self, ...)   (h)->log((self), SRT_LOG_ERROR, __VA_ARGS__)
#define SRT_LOG_WARN(h, self, ...)  (h)->log((self), SRT_LOG_WARN, __VA_ARGS__)
#define SRT_LOG_INFO(h, self, ...)  (h)->log((self), SRT_LOG_INFO, __VA_ARGS__)
#define SRT_LOG_DEBUG(h, self, ...) (h)->log((self), SRT_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* SRT_HOST_H */
