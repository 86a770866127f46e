/* srt/plugin.h - the plugin descriptor and entry point.
 *
 * A plugin is a shared object exporting exactly one symbol, srt_plugin_entry,
 * which returns a pointer to a const descriptor. The core checks the ABI major,
 * the descriptor size, kind, name and mandatory ops before it calls create().
 * See the loader rules in STYLE.md section 1. Since 1.0. */
#ifndef SRT_PLUGIN_H
#define SRT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <srt/error.h>
#include <srt/event.h>
#include <srt/host.h>
#include <srt/policy.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRT_ABI_MAJOR 1
#define SRT_ABI_MINOR 2

enum srt_plugin_kind {
    SRT_KIND_ENFORCER = 1,  /* fs-linux, fs-macos: builds the sandbox */
    SRT_KIND_PROXY    = 2,  /* net-http, net-socks5: filters egress */
    SRT_KIND_MONITOR  = 3,  /* violation sinks */
};

/* One sandbox run. Owned by the core; borrowed by every op it is passed to and
 * valid from the op that first receives it until cleanup()/detach()/
 * on_session_end() for it returns. */
struct srt_session {
    uint32_t    struct_size;      /* sizeof(struct srt_session) in the core's build */
    uint32_t    unused_0;
    const char *id;               /* unique run id, [0-9a-f]{16} */
    const char *command;          /* display text of the command */
    const char *command_key;      /* base64 of the first 100 characters of the command */
    const char *runtime_dir;      /* private 0700 directory for this run, removed after it */
    const struct srt_policy *policy;
    /* since 1.3: new members go here, never above */
};

struct srt_enforcer_ops;
struct srt_proxy_ops;
struct srt_monitor_ops;

struct srt_plugin_desc {
    uint32_t    struct_size;  /* sizeof(struct srt_plugin_desc) in the plugin's build */
    uint16_t    abi_major;    /* SRT_ABI_MAJOR the plugin was compiled against */
    uint16_t    abi_minor;    /* SRT_ABI_MINOR the plugin was compiled against */
    uint32_t    kind;         /* enum srt_plugin_kind */
    uint32_t    unused_0;
    const char *name;         /* unique, [a-z0-9-]{1,63}, starts with its kind */
    const char *version;      /* the plugin's own release, e.g. "0.4.1" */
    const char *summary;      /* one line, shown by `srtctl plugins` */
    uint64_t    caps;         /* kind-specific SRT_*_CAP_* bits */

    /* Called once after the loader's checks, on the main thread. `host` and
     * `self` stay valid until destroy(); `cfg` is borrowed for this call (copy
     * what you keep). On success stores the instance in *inst and returns
     * SRT_OK; on failure cleans up after itself, fills err through host->fail
     * and returns a negative code; destroy() is then not called. */
    int  (*create)(const struct srt_host *host, struct srt_handle *self,
                   const struct srt_config *cfg, void **inst, struct srt_error *err);
    /* Frees the instance; no plugin thread may run after it returns. Main thread. */
    void (*destroy)(void *inst);

    union {
        const struct srt_enforcer_ops *enforcer;
        const struct srt_proxy_ops    *proxy;
        const struct srt_monitor_ops  *monitor;
    } ops;
    /* since 1.3: new members go here, never above */
};

/* Fills the fixed header of a descriptor: size, ABI version and kind. */
#define SRT_PLUGIN_DESC_INIT(k) \
    .struct_size = sizeof(struct srt_plugin_desc), \
    .abi_major = SRT_ABI_MAJOR, .abi_minor = SRT_ABI_MINOR, .kind = (k)

#if defined(__GNUC__) || defined(__clang__)
#define SRT_EXPORT __attribute__((visibility("default")))
#else
#define SRT_EXPORT
#endif

/* The one exported symbol. In a module build it is srt_plugin_entry; built
 * with SRT_BUILTIN (linked into the core or a test) it is srt_builtin_<tag>, so
 * the same source is tested both ways. */
#define SRT_ENTRY_SYMBOL "srt_plugin_entry"
#ifdef SRT_BUILTIN
#define SRT_PLUGIN_ENTRY(tag) \
    const struct srt_plugin_desc *srt_builtin_##tag(void); \
    const struct srt_plugin_desc *srt_builtin_##tag(void)
#else
#define SRT_PLUGIN_ENTRY(tag) \
    SRT_EXPORT const struct srt_plugin_desc *srt_plugin_entry(void); \
    SRT_EXPORT const struct srt_plugin_desc *srt_plugin_entry(void)
#endif

#ifdef __cplusplus
}
#endif
#endif /* SRT_PLUGIN_H */
