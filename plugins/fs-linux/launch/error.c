/* error.c - the one way builders in srt-linux-launch describe a failure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "launch_int.h"

int launch_fail(struct launch_error *err, int sys_errno, const char *fmt, ...)
{
    va_list ap;

    if (sys_errno <= 0)
        sys_errno = EIO;
    err->sys_errno = sys_errno;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -sys_errno;
}
