/* srt/monitor.h - the monitor kind: violation sinks feeding learning traces.
 *
 * The core calls on_event for each event in the sink's mask, on the thread
 * that produced it (a proxy thread, the supervisor): a sink copies the event,
 * queues or appends it, and returns without blocking. Since 1.0. */
#ifndef SRT_MONITOR_H
#define SRT_MONITOR_H

#include <stdint.h>

#include <srt/event.h>
#include <srt/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* srt_plugin_desc.caps for monitors */
#define SRT_MON_CAP_TRACE   (1u << 0)  /* writes a learning trace */
#define SRT_MON_CAP_SUMMARY (1u << 1)  /* prints an end-of-run summary */

struct srt_monitor_ops {
    uint32_t struct_size;   /* sizeof(struct srt_monitor_ops) in the plugin's build */
    uint32_t event_mask;    /* SRT_EV_* this sink wants to receive */

    /* Mandatory. `ev` is borrowed for the call. Calls may overlap (several
     * producer threads); must not block. */
    void (*on_event)(void *inst, const struct srt_event *ev);

    /* Optional. Write out anything queued. Main thread. */
    int  (*flush)(void *inst, struct srt_error *err);

    /* Optional. A sandbox starts / ended with `status`. Main thread. */
    void (*on_session_begin)(void *inst, const struct srt_session *s);
    void (*on_session_end)(void *inst, const struct srt_session *s, int status);
    /* since 1.3: new members go here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_MONITOR_H */
