/* srt/net.h - the proxy kind: egress filters (net-http, net-socks5).
 *
 * A proxy never creates its own listening socket: the enforcer decides where
 * listeners live (inside the sandbox's network namespace on Linux) and the
 * core attaches them, one attachment per session, so each accepted connection
 * belongs to a known session. Decisions go through host->net_decide.
 * Since 1.0. */
#ifndef SRT_NET_H
#define SRT_NET_H

#include <stdint.h>

#include <srt/fs.h>
#include <srt/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* srt_plugin_desc.caps for proxies */
#define SRT_PROXY_CAP_HTTP   (1u << 0)  /* serves SRT_PROTO_HTTP listeners */
#define SRT_PROXY_CAP_SOCKS5 (1u << 1)  /* serves SRT_PROTO_SOCKS5 listeners */

struct srt_proxy_ops {
    uint32_t struct_size;   /* sizeof(struct srt_proxy_ops) in the plugin's build */
    uint32_t proto;         /* enum srt_proto this proxy serves */

    /* Optional (NULL: "not supported"). Start serving `listen_fd` (ownership
     * passes to the proxy, even on failure) for session `s`. Returns once the
     * proxy's own threads accept on it. Main thread. */
    int  (*attach)(void *inst, int listen_fd, const struct srt_session *s,
                   struct srt_error *err);

    /* Optional. Stop serving session `s`: close its listener and connections.
     * Main thread. */
    void (*detach)(void *inst, const struct srt_session *s);

    /* Optional. Stop every thread; no callback runs after it returns. */
    void (*stop)(void *inst);
    /* since 1.3: new members go here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_NET_H */
