/* proxy_harness.h - runs a proxy plugin against the fake host for the
 * relay, net-http and net-socks5 suites: a test policy (allowed.test,
 * guarded.test, 127.0.0.1 and ::1 allowed; denied.test and everything else
 * refused), a resolver hook mapping the test names to loopback, and a guard
 * that refuses guarded.test's loopback address. */
#ifndef PROXY_HARNESS_H
#define PROXY_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srt/net.h>

struct proxy_harness {
    const struct srt_plugin_desc *desc;
    void                         *inst;
    uint16_t                      port;      /* where the proxy listens */
    struct srt_session            session;
};

/* Installs the test policy, guard and resolver hook only. */
void   harness_install(void);

/* Installs the test policy, resolver and guard, creates the plugin (config
 * set beforehand with fake_config_set) and attaches a 127.0.0.1:0 listener.
 * Returns 0 or -1. */
int    harness_start(struct proxy_harness *h, const struct srt_plugin_desc *desc);
/* The same with `pol` (borrowed, may be NULL) as the session's policy. */
int    harness_start_with(struct proxy_harness *h, const struct srt_plugin_desc *desc,
                          const struct srt_policy *pol);

/* The external-proxy check shared by the net-http and net-socks5 suites:
 * with `port_field` of the policy set to a scripted peer's port, binary
 * bytes pass both ways unchanged, nothing is decided, no event, and the
 * attach warning names `key`. Asserts through CUnit. */
void   harness_check_forward(const struct srt_plugin_desc *desc, bool http, const char *key);
void   harness_stop(struct proxy_harness *h);

/* Recorded events of `kind` whose target equals `target` (NULL: any). */
size_t harness_events(uint32_t kind, const char *target);

/* Number of decisions the test policy was asked for. */
size_t harness_decisions(void);

/* A scripted peer on 127.0.0.1:0 with its own thread, for byte-exact
 * checks. For each connection it records what it reads; each time `until`
 * arrives it sends `reply` (with NULL, once `expect` bytes arrived, then it
 * reads on until the other side closes). close_after: close after the
 * first reply. */
struct harness_peer;
struct harness_peer *harness_peer_start(const char *until, size_t expect, const void *reply,
                                        size_t reply_len, bool close_after);
uint16_t harness_peer_port(const struct harness_peer *p);
/* Connections served so far. */
size_t   harness_peer_conns(struct harness_peer *p);
/* What the last connection sent, up to cap bytes; returns the full count. */
size_t   harness_peer_got(struct harness_peer *p, void *buf, size_t cap);
void     harness_peer_stop(struct harness_peer *p);

/* Deterministic non-text test bytes: byte i of stream `seed`. */
uint8_t  harness_byte(unsigned seed, size_t i);

#endif
