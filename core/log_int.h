/* log_int.h - the core's logger: one line per message on stderr.
 *
 * Lines look like "srt: <msg>" (errors, warnings) or "[srt debug] <msg>";
 * plugin lines carry the plugin name: "srt: net-http: <msg>". Debug lines are
 * printed only when srt_log_set_level(SRT_LOG_DEBUG) was called (-d or
 * SRT_DEBUG). Thread-safe: each line is written with one write(2). */
#ifndef SRT_LOG_INT_H
#define SRT_LOG_INT_H

#include <stdarg.h>

#include <srt/host.h>

void srt_log_set_level(int level);
int  srt_log_get_level(void);
/* Redirect output (tests); fd -1 restores stderr. */
void srt_log_set_fd(int fd);

void srt_log(int level, const char *fmt, ...) SRT_PRINTF(2, 3);
/* "<what>: <text>" at `level` in one write, however long (srt_log cuts
 * lines at 2 KiB): for a launch command line. */
void srt_log_text(int level, const char *what, const char *text);
void srt_log_from(const char *who, int level, const char *fmt, va_list ap) SRT_PRINTF(3, 0);

#endif
