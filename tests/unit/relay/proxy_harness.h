/* proxy_harness.h - runs a proxy plugin against the fake host for the
 * relay, net-http and net-socks5 suites: a test policy (allowed.test,
 * guarded.test, 127.0.0.1 and ::1 allowed; denied.test and everything else
 * refused), a resolver hook mapping the test names to loopback, and a guard
 * that refuses guarded.test's loopback address. */
#ifndef PROXY_HARNESS_H
#define PROXY_HARNESS_H

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
void   harness_stop(struct proxy_harness *h);

/* Recorded events of `kind` whose target equals `target` (NULL: any). */
size_t harness_events(uint32_t kind, const char *target);

/* Number of decisions the test policy was asked for. */
size_t harness_decisions(void);

#endif
