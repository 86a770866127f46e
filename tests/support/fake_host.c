/* fake_host.c - the recording host of fake_host.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"

#define FAKE_MAX_CFG 32

struct srt_handle { int unused; };
struct srt_config { int unused; };

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char fake_logs[FAKE_MAX_LOGS][512];
static size_t fake_n_logs;
static struct fake_event fake_events[FAKE_MAX_EVENTS];
static size_t fake_n_events;
static char *fake_cfg_key[FAKE_MAX_CFG], *fake_cfg_val[FAKE_MAX_CFG];
static fake_decide_fn fake_decide;
static fake_vet_fn fake_vet;
static struct srt_handle fake_self;
static struct srt_config fake_cfg;

static void fake_log(struct srt_handle *self, int level, const char *fmt, ...) SRT_PRINTF(3, 4);
static void fake_fail(struct srt_error *err, int code, const char *fmt, ...) SRT_PRINTF(3, 4);

static void fake_log(struct srt_handle *self, int level, const char *fmt, ...)
{
    (void)self;
    char text[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&fake_lock);
    if (fake_n_logs < FAKE_MAX_LOGS)
        snprintf(fake_logs[fake_n_logs++], sizeof fake_logs[0], "%d: %s", level, text);
    pthread_mutex_unlock(&fake_lock);
}

static void fake_fail(struct srt_error *err, int code, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    err->sys_errno = code == SRT_EIO ? saved : 0;
}

static void fake_copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static int fake_emit(struct srt_handle *self, const struct srt_event *ev)
{
    (void)self;
    if (!ev || ev->struct_size < sizeof *ev)
        return SRT_EINVAL;
    pthread_mutex_lock(&fake_lock);
    if (fake_n_events < FAKE_MAX_EVENTS) {
        struct fake_event *f = &fake_events[fake_n_events++];
        f->kind = ev->kind;
        f->pid = ev->pid;
        fake_copy(f->session, sizeof f->session, ev->session);
        fake_copy(f->target, sizeof f->target, ev->target);
        fake_copy(f->operation, sizeof f->operation, ev->operation);
        fake_copy(f->reason, sizeof f->reason, ev->reason);
    }
    pthread_mutex_unlock(&fake_lock);
    return SRT_OK;
}

static const char *fake_cfg_find(const char *key)
{
    for (size_t i = 0; i < FAKE_MAX_CFG; i++)
        if (fake_cfg_key[i] && strcmp(fake_cfg_key[i], key) == 0)
            return fake_cfg_val[i];
    return NULL;
}

static int fake_cfg_str(const struct srt_config *cfg, const char *key, const char **out)
{
    (void)cfg;
    const char *v = fake_cfg_find(key);
    if (!v)
        return SRT_ENOTFOUND;
    *out = v;
    return SRT_OK;
}

static int fake_cfg_int(const struct srt_config *cfg, const char *key, int64_t *out)
{
    (void)cfg;
    const char *v = fake_cfg_find(key);
    if (!v)
        return SRT_ENOTFOUND;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || end == v)
        return SRT_ETYPE;
    *out = n;
    return SRT_OK;
}

static int fake_cfg_bool(const struct srt_config *cfg, const char *key, int *out)
{
    (void)cfg;
    const char *v = fake_cfg_find(key);
    if (!v)
        return SRT_ENOTFOUND;
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return SRT_ETYPE;
    *out = strcmp(v, "true") == 0;
    return SRT_OK;
}

static int fake_event_json(const struct srt_event *ev, char *buf, size_t len, size_t *need)
{
    int n = snprintf(buf, len, "{\"kind\":%u,\"target\":\"%s\"}", ev->kind,
                     ev->target ? ev->target : "");
    if (need)
        *need = (size_t)n + 1;
    return (size_t)n < len ? SRT_OK : SRT_ERANGE;
}

static int fake_net_decide(struct srt_handle *self, const struct srt_session *s,
                           const char *host, uint16_t port, struct srt_net_verdict *out)
{
    (void)self;
    if (!out || out->struct_size < sizeof *out)
        return SRT_EINVAL;
    if (fake_decide)
        return fake_decide(s, host, port, out);
    out->allow = 0;
    out->literal = 0;
    out->port = port;
    fake_copy(out->host, sizeof out->host, host);
    fake_copy(out->reason, sizeof out->reason, "fake host refuses everything");
    return SRT_OK;
}

static int fake_net_vet(struct srt_handle *self, const struct srt_session *s,
                        struct srt_net_verdict *v, int family, const uint8_t *addr)
{
    (void)self;
    (void)s;
    if (!v || !addr || (family != 4 && family != 6))
        return SRT_EINVAL;
    pthread_mutex_lock(&fake_lock);
    fake_vet_fn vet = fake_vet;
    pthread_mutex_unlock(&fake_lock);
    if (vet)
        return vet(s, v, family, addr);
    /* The fake accepts every address; guard tests use the core's own. */
    return SRT_OK;
}

static const struct srt_host fake_host = {
    .struct_size = sizeof(struct srt_host),
    .abi_major = SRT_ABI_MAJOR,
    .abi_minor = SRT_ABI_MINOR,
    .log = fake_log,
    .fail = fake_fail,
    .emit = fake_emit,
    .cfg_str = fake_cfg_str,
    .cfg_int = fake_cfg_int,
    .cfg_bool = fake_cfg_bool,
    .event_json = fake_event_json,
    .net_decide = fake_net_decide,
    .net_vet = fake_net_vet,
};

const struct srt_host *fake_host_get(void) { return &fake_host; }
struct srt_handle *fake_handle(void) { return &fake_self; }
const struct srt_config *fake_config(void) { return &fake_cfg; }

void fake_host_reset(void)
{
    pthread_mutex_lock(&fake_lock);
    fake_n_logs = 0;
    fake_n_events = 0;
    for (size_t i = 0; i < FAKE_MAX_CFG; i++) {
        free(fake_cfg_key[i]);
        free(fake_cfg_val[i]);
        fake_cfg_key[i] = fake_cfg_val[i] = NULL;
    }
    fake_decide = NULL;
    fake_vet = NULL;
    pthread_mutex_unlock(&fake_lock);
}

void fake_config_set(const char *key, const char *value)
{
    pthread_mutex_lock(&fake_lock);
    size_t slot = FAKE_MAX_CFG;
    for (size_t i = 0; i < FAKE_MAX_CFG; i++) {
        if (fake_cfg_key[i] && strcmp(fake_cfg_key[i], key) == 0) {
            slot = i;
            break;
        }
        if (!fake_cfg_key[i] && slot == FAKE_MAX_CFG)
            slot = i;
    }
    if (slot < FAKE_MAX_CFG) {
        free(fake_cfg_key[slot]);
        free(fake_cfg_val[slot]);
        fake_cfg_key[slot] = value ? strdup(key) : NULL;
        fake_cfg_val[slot] = value ? strdup(value) : NULL;
    }
    pthread_mutex_unlock(&fake_lock);
}

void fake_host_set_decide(fake_decide_fn fn)
{
    pthread_mutex_lock(&fake_lock);
    fake_decide = fn;
    pthread_mutex_unlock(&fake_lock);
}

size_t fake_log_count(void)
{
    pthread_mutex_lock(&fake_lock);
    size_t n = fake_n_logs;
    pthread_mutex_unlock(&fake_lock);
    return n;
}

void fake_log_get(size_t i, char *buf, size_t len)
{
    pthread_mutex_lock(&fake_lock);
    fake_copy(buf, len, i < fake_n_logs ? fake_logs[i] : "");
    pthread_mutex_unlock(&fake_lock);
}

int fake_log_contains(const char *needle)
{
    int found = 0;
    pthread_mutex_lock(&fake_lock);
    for (size_t i = 0; i < fake_n_logs && !found; i++)
        found = strstr(fake_logs[i], needle) != NULL;
    pthread_mutex_unlock(&fake_lock);
    return found;
}

size_t fake_event_count(void)
{
    pthread_mutex_lock(&fake_lock);
    size_t n = fake_n_events;
    pthread_mutex_unlock(&fake_lock);
    return n;
}

int fake_event_get(size_t i, struct fake_event *out)
{
    int rc = -1;
    pthread_mutex_lock(&fake_lock);
    if (i < fake_n_events) {
        *out = fake_events[i];
        rc = 0;
    }
    pthread_mutex_unlock(&fake_lock);
    return rc;
}

void fake_host_set_vet(fake_vet_fn fn)
{
    pthread_mutex_lock(&fake_lock);
    fake_vet = fn;
    pthread_mutex_unlock(&fake_lock);
}
