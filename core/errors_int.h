/* errors_int.h - filling struct srt_error inside the core.
 *
 * srt_error_set is also the host->fail service. srt_error_prefix adds context
 * in front of a message when an error is passed up ("prepare policy: ..."). */
#ifndef SRT_ERRORS_INT_H
#define SRT_ERRORS_INT_H

#include <srt/error.h>
#include <srt/host.h>

/* Static text for a code ("invalid argument", ...); never NULL. */
const char *srt_strerror(int code);

/* Fill err (may be NULL) with code and a formatted message. For SRT_EIO the
 * current errno is stored in sys_errno. Returns code, so callers can write
 * `return srt_error_set(err, SRT_EINVAL, "...")`. */
int srt_error_set(struct srt_error *err, int code, const char *fmt, ...) SRT_PRINTF(3, 4);

/* Prepend "<formatted>: " to err->msg, truncating at the end. */
void srt_error_prefix(struct srt_error *err, const char *fmt, ...) SRT_PRINTF(2, 3);

#endif
