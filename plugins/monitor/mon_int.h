/* mon_int.h - the monitor plugin's host-free parts.
 *
 * trace.c appends one JSON object per line to a learning trace with a single
 * write(2) per line (O_APPEND keeps concurrent lines whole) and counts events
 * per kind for the end-of-run summary. It never calls the host, so it is
 * tested directly. */
#ifndef SRT_MON_INT_H
#define SRT_MON_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define MON_KINDS 7   /* one counter per SRT_EV_* bit */

struct mon_trace {
    int             fd;              /* trace file, or -1 */
    pthread_mutex_t lock;
    uint64_t        counts[MON_KINDS];
    uint64_t        dropped;         /* lines that could not be written */
};

/* Open `path` for appending (created 0600). path NULL: count only. */
int  mon_trace_open(struct mon_trace *t, const char *path);
void mon_trace_close(struct mon_trace *t);
/* Append `line` (without newline) and count `kind`. Thread-safe, no blocking
 * beyond one write(2). */
void mon_trace_add(struct mon_trace *t, uint32_t kind, const char *line, size_t len);
/* Render "N violations (fs.write 2, net.connect 3)" into buf; 0 when none. */
size_t mon_trace_summary(struct mon_trace *t, char *buf, size_t len);

#endif
