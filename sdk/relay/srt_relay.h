/* srt_relay.h - the engine shared by the proxy plugins (net-http, net-socks5).
 *
 * One relay runs one event-loop thread (edge-triggered epoll) and a small
 * resolver pool. It accepts on the listeners handed to it, one per session,
 * buffers each client's handshake for the protocol, and on request decides,
 * resolves, vets and dials a target through the host (net_decide, then
 * net_vet on each resolved address: the relay never decides by itself), then
 * relays bytes with splice(). The protocol (HTTP, SOCKS5) only parses and
 * answers: its callbacks run on the loop thread and never overlap.
 *
 * What the relay leaves to the protocol: every byte sent to the client, the
 * choice of violation event kind, and when a connection ends. */
#ifndef SRT_RELAY_H
#define SRT_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srt/host.h>
#include <srt/plugin.h>

struct srt_relay;
struct srt_relay_conn;

/* The two ends of a connection. */
enum srt_relay_side {
    SRT_RELAY_CLIENT = 0,    /* the sandboxed program */
    SRT_RELAY_UPSTREAM = 1,  /* the dialed target */
};

/* How a dial ended (srt_relay_proto.on_dialed). */
enum srt_relay_dial {
    SRT_RELAY_DIAL_OK = 0,       /* connected to a vetted address */
    SRT_RELAY_DIAL_DENIED,       /* host->net_decide refused; verdict->reason says why */
    SRT_RELAY_DIAL_GUARD,        /* host->net_vet refused every address */
    SRT_RELAY_DIAL_NORESOLVE,    /* the name did not resolve */
    SRT_RELAY_DIAL_REFUSED,      /* every vetted address refused the connection */
    SRT_RELAY_DIAL_UNREACHABLE,  /* unreachable, timed out or failed otherwise */
};

/* Limits and timeouts; srt_relay_limits_load fills the defaults. */
struct srt_relay_limits {
    int64_t handshake_ms;    /* a request head must be complete within this */
    int64_t idle_ms;         /* a relayed connection silent this long is closed */
    int64_t connect_ms;      /* a dial must connect within this */
    int64_t max_conns;       /* connections beyond this are refused at accept */
    int64_t resolvers;       /* resolver threads */
    size_t  head_max;        /* bytes buffered from the client before the tunnel */
};

/* The protocol's callbacks; all run on the relay's loop thread. */
struct srt_relay_proto {
    /* A new connection was accepted; set per-connection state with
     * srt_relay_set_data. Return SRT_OK or a negative code to close it. */
    int  (*on_open)(void *ctx, struct srt_relay_conn *c);
    /* Something changed: client or upstream bytes arrived, an end reached
     * EOF, or queued output drained. Consume input and queue output. */
    void (*on_step)(void *ctx, struct srt_relay_conn *c);
    /* The dial asked for by srt_relay_dial ended. `v` is the verdict from
     * the host (after net_vet on a guard refusal); borrowed for the call. */
    void (*on_dialed)(void *ctx, struct srt_relay_conn *c, enum srt_relay_dial how,
                      const struct srt_net_verdict *v);
    /* The connection is going away; free the per-connection state. */
    void (*on_close)(void *ctx, struct srt_relay_conn *c);
};

/* Defaults, then srt.conf keys handshake_timeout_ms, idle_timeout_ms,
 * connect_timeout_ms, max_connections, resolver_threads. Returns SRT_OK or
 * SRT_ERANGE/SRT_ETYPE with err filled through host->fail. */
int  srt_relay_limits_load(const struct srt_host *host, const struct srt_config *cfg,
                           struct srt_relay_limits *out, struct srt_error *err);

/* Make a relay; its loop thread and resolver pool start with the first
 * attach (none runs before). `host`, `self`, `proto`
 * and `ctx` must outlive the relay; `name` (copied) appears in log lines.
 * Returns SRT_OK and *out, or a negative code with err filled. Main thread. */
int  srt_relay_new(const struct srt_host *host, struct srt_handle *self, const char *name,
                   const struct srt_relay_limits *lim, const struct srt_relay_proto *proto,
                   void *ctx, struct srt_relay **out, struct srt_error *err);

/* Serve the listening socket `fd` (owned by the relay from now on, even on
 * failure) for session `s`, which must stay valid until srt_relay_detach(s)
 * or srt_relay_free. Returns once the loop accepts on it. Main thread. */
int  srt_relay_attach(struct srt_relay *r, int fd, const struct srt_session *s,
                      struct srt_error *err);

/* Like srt_relay_attach, but every connection accepted on `fd` is relayed
 * byte for byte to 127.0.0.1:port on the host (srt_relay_dial_fixed, then a
 * tunnel), without the protocol and without any decision: the external
 * proxy ports of REFERENCE.md 6.2, which srt does not filter. A connection
 * whose dial fails is closed. Main thread. */
int  srt_relay_attach_forward(struct srt_relay *r, int fd, const struct srt_session *s,
                              uint16_t port, struct srt_error *err);

/* Close the listeners and connections of session `s`. Returns after the loop
 * has let go of `s`. Main thread. */
void srt_relay_detach(struct srt_relay *r, const struct srt_session *s);

/* Stop the loop and resolver threads and close everything; idempotent. */
void srt_relay_stop(struct srt_relay *r);

/* Stop, then free. NULL is ignored. */
void srt_relay_free(struct srt_relay *r);

/* ---- per connection, loop thread only ---- */

void *srt_relay_data(const struct srt_relay_conn *c);
void  srt_relay_set_data(struct srt_relay_conn *c, void *data);
const struct srt_session *srt_relay_session(const struct srt_relay_conn *c);

/* Bytes received from `side` and not consumed yet (borrowed until the next
 * relay call on c), and consuming a prefix of them. */
const char *srt_relay_peek(struct srt_relay_conn *c, enum srt_relay_side side, size_t *len);
void  srt_relay_consume(struct srt_relay_conn *c, enum srt_relay_side side, size_t n);
/* Has `side` sent EOF? Bytes sent before it may still wait in peek. */
bool  srt_relay_eof(const struct srt_relay_conn *c, enum srt_relay_side side);

/* Queue bytes towards `side`. Returns SRT_OK, or SRT_ERANGE when the queue
 * would exceed its cap (twice head_max). */
int   srt_relay_send(struct srt_relay_conn *c, enum srt_relay_side side, const void *p, size_t n);
/* How many bytes may still be queued towards `side` before it must drain. */
size_t srt_relay_room(const struct srt_relay_conn *c, enum srt_relay_side side);

/* Arm (on) or disarm the handshake timer: while armed, the connection is
 * closed when handshake_ms pass. Armed at accept. */
void  srt_relay_head_timer(struct srt_relay_conn *c, bool on);

/* Ask host->net_decide about host:port for c's session; on allow resolve the
 * canonical host in the pool, net_vet each address and dial a vetted one.
 * proto->on_dialed follows on the loop thread (never from inside this call).
 * An upstream still connected from an earlier dial is reused when it is idle
 * (nothing queued or unread, not closed) and the new decision allows the
 * same canonical host and port it was vetted for; otherwise it is closed
 * and the dial goes on as usual. Every call is decided again either way.
 * Returns SRT_OK, or SRT_EINVAL when a dial is already pending. */
int   srt_relay_dial(struct srt_relay_conn *c, const char *host, uint16_t port);

/* Pass the next `n` bytes received from `side` to the other side unchanged,
 * without the protocol seeing them: a body whose length is known (or, with
 * n = UINT64_MAX, everything until EOF). Bytes already received go first,
 * the rest moves socket to pipe to socket with splice. Meanwhile peek on
 * `side` stays empty and the protocol is still stepped; bytes it queues
 * towards the other side go out before the pass's pipe, so it queues none
 * until the pass ended. Needs a connected upstream. Returns SRT_OK, or
 * SRT_EINVAL (a pass from `side` running, no upstream, tunnel mode). */
int   srt_relay_pass(struct srt_relay_conn *c, enum srt_relay_side side, uint64_t n);
/* Is the pass from `side` still running? It ends when its last byte was
 * written on, or when `side` reached EOF first. */
bool  srt_relay_passing(const struct srt_relay_conn *c, enum srt_relay_side side);
/* Bytes of the last pass from `side` not written on yet; once it ended, 0
 * when complete, else the bytes that never came. */
uint64_t srt_relay_pass_left(const struct srt_relay_conn *c, enum srt_relay_side side);

/* Dial 127.0.0.1:port on the host WITHOUT asking net_decide or net_vet and
 * without any event. Only for the external proxy an operator configured
 * (network.httpProxyPort / socksProxyPort, REFERENCE.md 6.2: srt does not
 * filter that traffic); never for a target a client named. proto->on_dialed
 * follows as for srt_relay_dial, with verdict host "127.0.0.1". Returns
 * SRT_OK, or SRT_EINVAL (port 0, a dial pending or connected). */
int   srt_relay_dial_fixed(struct srt_relay_conn *c, uint16_t port);

/* Close the upstream end after its queued bytes are written (or at once). */
void  srt_relay_drop_upstream(struct srt_relay_conn *c);

/* Switch to tunnel mode: unconsumed input is forwarded first, then bytes flow
 * both ways (splice, with read/write where splice fails) with half-close
 * propagated, until both directions ended. The protocol is not stepped again. */
void  srt_relay_tunnel(struct srt_relay_conn *c);

/* Close after the bytes queued for the client are written. */
void  srt_relay_finish(struct srt_relay_conn *c);

/* Emit a violation of `kind` (SRT_EV_NET_*) for c's session through the host. */
void  srt_relay_emit(struct srt_relay_conn *c, uint32_t kind, const char *target,
                     const char *operation, const char *reason);

/* Log through the host with the relay's name in front. */
void  srt_relay_log(struct srt_relay_conn *c, int level, const char *fmt, ...) SRT_PRINTF(3, 4);

/* ---- name resolution hook (tests) ---- */

/* One resolved address: family 4 or 6, bytes in network order. */
struct srt_relay_addr {
    int     family;
    uint8_t bytes[16];
};

/* Resolve `host` (canonical, never an IP literal) into at most `max`
 * addresses; returns the count, or a negative value when it does not resolve.
 * Called on resolver threads. */
typedef int (*srt_relay_resolve_fn)(const char *host, struct srt_relay_addr *out, size_t max);

/* Replace getaddrinfo for every relay in the process (NULL restores it).
 * Meant for tests mapping names such as "allowed.test" to loopback. */
void srt_relay_set_resolver(srt_relay_resolve_fn fn);

/* ---- the plugin side of a proxy built on the relay (proxy.c) ---- */

struct srt_policy;

/* What distinguishes one proxy plugin from another. Static data. */
struct srt_relay_proxy_kind {
    const char                   *name;      /* plugin name, e.g. "net-http" */
    const char                   *label;     /* protocol in messages, e.g. "HTTP" */
    const char                   *port_key;  /* settings key, e.g. "httpProxyPort" */
    const struct srt_relay_proto *proto;
    /* The policy's external proxy port for this protocol, 0 when unset. */
    int32_t (*external_port)(const struct srt_policy *pol);
};

/* The srt_plugin_desc.create/destroy and srt_proxy_ops bodies for a proxy of
 * `kind`: one relay per instance (limits from the plugin's srt.conf group);
 * attach serves the listener with the protocol, or forwards it unfiltered
 * to the policy's external port for this protocol (with a warning). Same
 * threads and ownership as the ops they implement (see <srt/net.h>). */
int  srt_relay_proxy_create(const struct srt_relay_proxy_kind *kind, const struct srt_host *host,
                            struct srt_handle *self, const struct srt_config *cfg, void **inst,
                            struct srt_error *err);
void srt_relay_proxy_destroy(void *inst);
int  srt_relay_proxy_attach(void *inst, int listen_fd, const struct srt_session *s,
                            struct srt_error *err);
void srt_relay_proxy_detach(void *inst, const struct srt_session *s);
void srt_relay_proxy_stop(void *inst);

#endif /* SRT_RELAY_H */
