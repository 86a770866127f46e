/* plugin.c - glue of the first-party monitor: a JSON-lines learning trace and
 * an end-of-run summary on stderr (through the host logger).
 *
 * Config (srt.conf group "monitor"): trace = path (default: none, count only),
 * summary = bool (default true). Starts no thread; on_event writes one line. */
#include <stdlib.h>
#include <string.h>

#include <srt/monitor.h>

#include "mon_int.h"

struct mon_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
    struct mon_trace       trace;
    int                    summary;
};

static int mon_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    struct mon_inst *m = calloc(1, sizeof *m);
    if (!m) {
        host->fail(err, SRT_ENOMEM, "allocate monitor instance");
        return SRT_ENOMEM;
    }
    m->host = host;
    m->self = self;
    m->summary = 1;
    const char *path = NULL;
    int rc = host->cfg_str(cfg, "trace", &path);
    if (rc != SRT_OK && rc != SRT_ENOTFOUND) {
        host->fail(err, SRT_ETYPE, "option trace: expected a path string");
        goto out_free;
    }
    rc = host->cfg_bool(cfg, "summary", &m->summary);
    if (rc != SRT_OK && rc != SRT_ENOTFOUND) {
        host->fail(err, SRT_ETYPE, "option summary: expected true or false");
        goto out_free;
    }
    if (mon_trace_open(&m->trace, path) != 0) {
        host->fail(err, SRT_EIO, "cannot open trace %s", path ? path : "(none)");
        rc = SRT_EIO;
        goto out_free;
    }
    *inst = m;
    return SRT_OK;
out_free:
    free(m);
    return rc;
}

static void mon_destroy(void *inst)
{
    struct mon_inst *m = inst;
    mon_trace_close(&m->trace);
    free(m);
}

static void mon_on_event(void *inst, const struct srt_event *ev)
{
    struct mon_inst *m = inst;
    char line[2048];
    size_t need = 0;
    if (m->host->event_json(ev, line, sizeof line, &need) == SRT_OK)
        mon_trace_add(&m->trace, ev->kind, line, strlen(line));
    else
        mon_trace_add(&m->trace, ev->kind, NULL, 0);
}

static void mon_on_session_end(void *inst, const struct srt_session *s, int status)
{
    struct mon_inst *m = inst;
    (void)s;
    (void)status;
    char text[512];
    if (m->summary && mon_trace_summary(&m->trace, text, sizeof text))
        SRT_LOG_WARN(m->host, m->self, "%s", text);
}

static const struct srt_monitor_ops mon_ops = {
    .struct_size = sizeof(struct srt_monitor_ops),
    .event_mask = SRT_EV_VIOLATIONS,
    .on_event = mon_on_event,
    .on_session_end = mon_on_session_end,
};

static const struct srt_plugin_desc mon_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_MONITOR),
    .name = "monitor",
    .version = SRT_PLUGIN_VERSION,
    .summary = "JSON-lines learning trace and end-of-run violation summary",
    .caps = SRT_MON_CAP_TRACE | SRT_MON_CAP_SUMMARY,
    .create = mon_create,
    .destroy = mon_destroy,
    .ops.monitor = &mon_ops,
};

SRT_PLUGIN_ENTRY(monitor) { return &mon_desc; }
