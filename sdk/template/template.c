/* template.c - a minimal third-party monitor plugin to copy.
 *
 * Counts the events in its mask (fs.write and net.connect) per kind and, on
 * flush, logs one line such as "3 events: fs.write 2, net.connect 1" through
 * the host. It starts no thread and keeps no global state: everything lives in
 * the instance, so the core may load it, unload it and load it again.
 *
 * Config (srt.conf group "monitor-template"): verbose = bool (default false)
 * logs each event at debug level. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <srt/monitor.h>

#define TPL_KINDS 7   /* one counter per SRT_EV_* bit in ABI 1.0 */

static const char *const tpl_kind_names[TPL_KINDS] = {
    "fs.read", "fs.write", "net.connect", "net.request", "ipc.unix",
    "session.begin", "session.end",
};

struct tpl_inst {
    const struct srt_host *host;   /* valid until destroy */
    struct srt_handle     *self;
    int                    verbose;
    atomic_uint_least64_t  counts[TPL_KINDS];   /* on_event calls may overlap */
};

/* Main thread, once. cfg is borrowed: copy what you keep. */
static int tpl_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    /* A member added after 1.0 would be checked before use, e.g.
     * if (!SRT_HAS(host, struct srt_host, some_1_1_member)) fail with SRT_EVERSION. */
    struct tpl_inst *t = calloc(1, sizeof *t);
    if (!t) {
        host->fail(err, SRT_ENOMEM, "allocate monitor-template instance");
        return SRT_ENOMEM;
    }
    t->host = host;
    t->self = self;
    int rc = host->cfg_bool(cfg, "verbose", &t->verbose);
    if (rc != SRT_OK && rc != SRT_ENOTFOUND) {
        host->fail(err, SRT_ETYPE, "option verbose: expected true or false");
        free(t);
        return SRT_ETYPE;
    }
    for (int i = 0; i < TPL_KINDS; i++)
        atomic_init(&t->counts[i], 0);
    *inst = t;
    return SRT_OK;
}

/* Main thread, once; nothing of ours runs afterwards. */
static void tpl_destroy(void *inst)
{
    free(inst);
}

/* Any producer thread; calls may overlap; must not block. ev is borrowed. */
static void tpl_on_event(void *inst, const struct srt_event *ev)
{
    struct tpl_inst *t = inst;
    for (int i = 0; i < TPL_KINDS; i++) {
        if (ev->kind == 1u << i) {
            atomic_fetch_add(&t->counts[i], 1);
            if (t->verbose)
                SRT_LOG_DEBUG(t->host, t->self, "%s %s", tpl_kind_names[i],
                              ev->target ? ev->target : "-");
        }
    }
}

/* Main thread. Logs the counts; a real sink would write out its queue here. */
static int tpl_flush(void *inst, struct srt_error *err)
{
    (void)err;
    struct tpl_inst *t = inst;
    char line[512];
    size_t used = 0;
    uint64_t total = 0;
    for (int i = 0; i < TPL_KINDS; i++) {
        uint64_t n = atomic_load(&t->counts[i]);
        if (n == 0)
            continue;
        total += n;
        int w = snprintf(line + used, sizeof line - used, "%s%s %llu", used ? ", " : "",
                         tpl_kind_names[i], (unsigned long long)n);
        if (w > 0 && (size_t)w < sizeof line - used)
            used += (size_t)w;
    }
    SRT_LOG_INFO(t->host, t->self, "%llu events%s%s", (unsigned long long)total,
                 used ? ": " : "", used ? line : "");
    return SRT_OK;
}

static const struct srt_monitor_ops tpl_ops = {
    .struct_size = sizeof(struct srt_monitor_ops),
    .event_mask = SRT_EV_FS_WRITE | SRT_EV_NET_CONNECT,
    .on_event = tpl_on_event,
    .flush = tpl_flush,
};

static const struct srt_plugin_desc tpl_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_MONITOR),
    .name = "monitor-template",
    .version = "0.1.0",
    .summary = "example sink: counts fs.write and net.connect events",
    .create = tpl_create,
    .destroy = tpl_destroy,
    .ops.monitor = &tpl_ops,
};

SRT_PLUGIN_ENTRY(monitor_template) { return &tpl_desc; }
