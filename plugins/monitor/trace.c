/* trace.c - the learning trace file and the per-kind counters (mon_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <srt/event.h>

#include "mon_int.h"

static const char *const mon_kind_names[MON_KINDS] = {
    "fs.read", "fs.write", "net.connect", "net.request", "ipc.unix",
    "session.begin", "session.end",
};

int mon_trace_open(struct mon_trace *t, const char *path)
{
    memset(t->counts, 0, sizeof t->counts);
    t->dropped = 0;
    t->fd = -1;
    if (pthread_mutex_init(&t->lock, NULL) != 0)
        return -1;
    if (path) {
        /* O_NOFOLLOW: the trace path must not be redirected through a link. */
        t->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (t->fd < 0) {
            int saved = errno;
            pthread_mutex_destroy(&t->lock);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

void mon_trace_close(struct mon_trace *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    pthread_mutex_destroy(&t->lock);
}

void mon_trace_add(struct mon_trace *t, uint32_t kind, const char *line, size_t len)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < MON_KINDS; i++)
        if (kind == (1u << i))
            t->counts[i]++;
    pthread_mutex_unlock(&t->lock);
    if (t->fd < 0 || !line)
        return;
    struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };
    if (writev(t->fd, iov, 2) != (ssize_t)(len + 1)) {
        pthread_mutex_lock(&t->lock);
        t->dropped++;
        pthread_mutex_unlock(&t->lock);
    }
}

size_t mon_trace_summary(struct mon_trace *t, char *buf, size_t len)
{
    uint64_t total = 0;
    size_t off = 0;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < MON_KINDS; i++)
        if ((1u << i) & SRT_EV_VIOLATIONS)
            total += t->counts[i];
    if (total && len) {
        int n = snprintf(buf, len, "%llu sandbox violation%s (", (unsigned long long)total,
                         total == 1 ? "" : "s");
        off = n > 0 ? (size_t)n : 0;
        const char *sep = "";
        for (int i = 0; i < MON_KINDS && off < len; i++) {
            if (!((1u << i) & SRT_EV_VIOLATIONS) || !t->counts[i])
                continue;
            n = snprintf(buf + off, len - off, "%s%s %llu", sep, mon_kind_names[i],
                         (unsigned long long)t->counts[i]);
            off += n > 0 ? (size_t)n : 0;
            sep = ", ";
        }
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, ")");
    }
    pthread_mutex_unlock(&t->lock);
    return total;
}
