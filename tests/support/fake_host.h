/* fake_host.h - a recording srt_host for plugin tests (STYLE.md 10).
 *
 * Plugins under test get fake_host_get() and fake_handle() in create(); the
 * fake records every log line, failure and event so tests can assert on them.
 * Thread-safe. Config lookups read a small key=value table set by the test. */
#ifndef SRT_FAKE_HOST_H
#define SRT_FAKE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <srt/host.h>
#include <srt/plugin.h>

#define FAKE_MAX_LOGS   256
#define FAKE_MAX_EVENTS 1024

struct fake_event {
    uint32_t kind;
    int32_t  pid;
    char     session[64];
    char     target[300];
    char     operation[64];
    char     reason[256];
};

const struct srt_host *fake_host_get(void);
struct srt_handle     *fake_handle(void);
/* An srt_config that answers from the table set by fake_config_set. */
const struct srt_config *fake_config(void);

/* Forget everything recorded and every config value. */
void fake_host_reset(void);
/* Set (or with value NULL remove) a config entry; value is copied. Integers
 * and booleans are parsed from the text ("42", "true"). */
void fake_config_set(const char *key, const char *value);

/* Replace the network decision (default: refuse everything). */
typedef int (*fake_decide_fn)(const struct srt_session *s, const char *host, uint16_t port,
                              struct srt_net_verdict *out);
void fake_host_set_decide(fake_decide_fn fn);

/* Replace the resolved-address guard (default: accept every address). */
typedef int (*fake_vet_fn)(const struct srt_session *s, struct srt_net_verdict *v,
                           int family, const uint8_t *addr);
void fake_host_set_vet(fake_vet_fn fn);

size_t fake_log_count(void);
/* Copy of log line i ("<level>: <text>") into buf. */
void   fake_log_get(size_t i, char *buf, size_t len);
/* Does any recorded log line contain `needle`? */
int    fake_log_contains(const char *needle);

size_t fake_event_count(void);
int    fake_event_get(size_t i, struct fake_event *out);

#endif
