/* event.c - events as the core handles them: the safe copy of a producer's
 * struct srt_event and its one-line JSON form (the host->event_json service).
 *
 * Fan-out and the violation store are elsewhere (registry.c and the store).
 * jansson stays inside this file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "registry_int.h"

#define SRT_EVENT_SIZE_1_0 (offsetof(struct srt_event, source) + sizeof(const char *))

static const char *const srt_event_names[] = {
    "fs.read", "fs.write", "net.connect", "net.request", "ipc.unix",
    "session.begin", "session.end",
};

const char *srt_event_kind_name(uint32_t kind)
{
    for (size_t i = 0; i < sizeof srt_event_names / sizeof srt_event_names[0]; i++)
        if (kind == 1u << i)
            return srt_event_names[i];
    return NULL;
}

int srt_event_copy(const struct srt_event *ev, struct srt_event *out)
{
    memset(out, 0, sizeof *out);
    if (!ev || ev->struct_size < SRT_EVENT_SIZE_1_0)
        return SRT_EINVAL;
    memcpy(out, ev, ev->struct_size < sizeof *out ? ev->struct_size : sizeof *out);
    out->struct_size = sizeof *out;
    return srt_event_kind_name(out->kind) ? SRT_OK : SRT_EINVAL;
}

/* "2024-05-01T12:34:56.789Z" */
static void iso_time(int64_t ns, char *buf, size_t len)
{
    int64_t sec = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    if (rem < 0) {
        sec -= 1;
        rem += 1000000000;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, len, "1970-01-01T00:00:00.000Z");
        return;
    }
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03dZ", (int)(rem / 1000000));
}

/* A JSON string for arbitrary bytes: paths need not be UTF-8, but JSON text
 * must be, so bytes that do not decode are shown as '?'. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *c = copy; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

/* Adds key: s unless s is NULL. Returns -1 on allocation failure. */
static int put_text(json_t *obj, const char *key, const char *s)
{
    if (!s)
        return 0;
    return json_object_set_new(obj, key, json_text(s));
}

static json_t *event_object(const struct srt_event *ev)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    int bad = json_object_set_new(obj, "kind", json_string(srt_event_kind_name(ev->kind)));
    if (ev->time_ns != 0) {
        char when[40];
        iso_time(ev->time_ns, when, sizeof when);
        bad |= json_object_set_new(obj, "time", json_string(when));
    }
    bad |= put_text(obj, "session", ev->session);
    bad |= put_text(obj, "command", ev->command);
    if (ev->pid != 0)
        bad |= json_object_set_new(obj, "pid", json_integer(ev->pid));
    if (ev->kind == SRT_EV_SESSION_END)
        bad |= json_object_set_new(obj, "status", json_integer(ev->status));
    bad |= put_text(obj, "target", ev->target);
    bad |= put_text(obj, "operation", ev->operation);
    bad |= put_text(obj, "reason", ev->reason);
    bad |= put_text(obj, "source", ev->source);
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int srt_event_json(const struct srt_event *ev, char *buf, size_t len, size_t *need)
{
    struct srt_event copy;
    int rc = srt_event_copy(ev, &copy);
    if (rc != SRT_OK || (!buf && len > 0))
        return SRT_EINVAL;
    json_t *obj = event_object(&copy);
    if (!obj)
        return SRT_ENOMEM;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text)
        return SRT_ENOMEM;
    size_t n = strlen(text) + 1;
    if (need)
        *need = n;
    if (n > len) {
        if (len > 0)
            buf[0] = '\0';
        rc = SRT_ERANGE;
    } else {
        memcpy(buf, text, n);
    }
    free(text);
    return rc;
}
