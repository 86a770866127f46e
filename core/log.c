/* log.c - the core's logger (see log_int.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log_int.h"

static atomic_int srt_log_level = SRT_LOG_WARN;
static atomic_int srt_log_fd = STDERR_FILENO;

void srt_log_set_level(int level) { atomic_store(&srt_log_level, level); }
int  srt_log_get_level(void) { return atomic_load(&srt_log_level); }
void srt_log_set_fd(int fd) { atomic_store(&srt_log_fd, fd < 0 ? STDERR_FILENO : fd); }

/* "[srt info] who: ", "srt: warning: who: ", ... into buf; its length. */
static int log_prefix(char *buf, size_t len, int level, const char *who)
{
    if (level >= SRT_LOG_INFO)
        return snprintf(buf, len, "[srt %s] %s%s", level == SRT_LOG_INFO ? "info" : "debug",
                        who ? who : "", who ? ": " : "");
    return snprintf(buf, len, "srt: %s%s%s", level == SRT_LOG_WARN ? "warning: " : "",
                    who ? who : "", who ? ": " : "");
}

void srt_log_from(const char *who, int level, const char *fmt, va_list ap)
{
    if (level > atomic_load(&srt_log_level))
        return;
    char line[2048];
    int n = log_prefix(line, sizeof line, level, who);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(atomic_load(&srt_log_fd), line, (size_t)n);
    (void)w;
}

void srt_log_text(int level, const char *what, const char *text)
{
    if (level > atomic_load(&srt_log_level))
        return;
    char prefix[256];
    int n = log_prefix(prefix, sizeof prefix, level, what);
    if (n < 0)
        return;
    struct iovec iov[] = {
        { prefix, (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1 },
        { (void *)text, strlen(text) }, { (void *)"\n", 1 },
    };
    ssize_t w = writev(atomic_load(&srt_log_fd), iov, 3);
    (void)w;
}

void srt_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    srt_log_from(NULL, level, fmt, ap);
    va_end(ap);
}
