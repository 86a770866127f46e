/* srt/event.h - violation and lifecycle events.
 *
 * Producers (proxies, enforcers, the core) fill a struct srt_event on their
 * stack and pass it to host->emit; the core copies what it keeps and fans the
 * event out to monitors. Every pointer in an event is borrowed for the duration
 * of the call that hands it over. Since 1.0. */
#ifndef SRT_EVENT_H
#define SRT_EVENT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Event kinds; each is also a bit for srt_monitor_ops.event_mask. */
enum srt_event_kind {
    SRT_EV_FS_READ       = 1u << 0,   /* "fs.read": a read was refused */
    SRT_EV_FS_WRITE      = 1u << 1,   /* "fs.write": a write was refused */
    SRT_EV_NET_CONNECT   = 1u << 2,   /* "net.connect": a tunnel/SOCKS connect refused */
    SRT_EV_NET_REQUEST   = 1u << 3,   /* "net.request": a plain HTTP request refused */
    SRT_EV_IPC_UNIX      = 1u << 4,   /* "ipc.unix": a unix socket refused */
    SRT_EV_SESSION_BEGIN = 1u << 5,   /* "session.begin": a sandbox started */
    SRT_EV_SESSION_END   = 1u << 6,   /* "session.end": a sandbox ended */
};
#define SRT_EV_VIOLATIONS (SRT_EV_FS_READ | SRT_EV_FS_WRITE | SRT_EV_NET_CONNECT | \
                           SRT_EV_NET_REQUEST | SRT_EV_IPC_UNIX)
#define SRT_EV_ALL        (SRT_EV_VIOLATIONS | SRT_EV_SESSION_BEGIN | SRT_EV_SESSION_END)

struct srt_event {
    uint32_t    struct_size;  /* sizeof(struct srt_event) in the producer's build */
    uint32_t    kind;         /* one enum srt_event_kind bit */
    int64_t     time_ns;      /* CLOCK_REALTIME in nanoseconds; 0 = let the core stamp it */
    const char *session;      /* session id, or NULL */
    const char *command;      /* display text of the command, or NULL */
    int32_t     pid;          /* process concerned, or 0 when unknown */
    int32_t     status;       /* session.end: exit status; otherwise 0 */
    const char *target;       /* path or host:port, or NULL */
    const char *operation;    /* e.g. "connect", "CONNECT", "openat", or NULL */
    const char *reason;       /* why it was refused, or NULL */
    const char *source;       /* producing plugin's name; the core fills it in */
    /* since 1.3: new members go here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_EVENT_H */
