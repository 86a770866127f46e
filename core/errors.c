/* errors.c - error codes to text and the error buffer helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errors_int.h"

const char *srt_strerror(int code)
{
    switch (code) {
    case SRT_OK:        return "success";
    case SRT_EINVAL:    return "invalid argument";
    case SRT_ENOMEM:    return "out of memory";
    case SRT_EIO:       return "system call failed";
    case SRT_ENOTSUP:   return "not supported";
    case SRT_EVERSION:  return "version mismatch";
    case SRT_ENOTFOUND: return "not found";
    case SRT_EPERM:     return "not permitted";
    case SRT_ESETTINGS: return "settings refused";
    case SRT_EDEPLOY:   return "deployment configuration refused";
    case SRT_EPLUGIN:   return "plugin refused";
    case SRT_EBACKEND:  return "sandbox backend unusable";
    case SRT_EEXIST:    return "already exists";
    case SRT_ETYPE:     return "wrong type";
    case SRT_ERANGE:    return "out of range";
    }
    return "unknown error";
}

int srt_error_set(struct srt_error *err, int code, const char *fmt, ...)
{
    int saved = errno;
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    err->sys_errno = code == SRT_EIO ? saved : 0;
    errno = saved;
    return code;
}

void srt_error_prefix(struct srt_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[SRT_ERRMSG_MAX];
    char old[SRT_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    size_t h = strlen(head);
    if (h > sizeof err->msg - 3)
        h = sizeof err->msg - 3;
    memcpy(err->msg, head, h);
    memcpy(err->msg + h, ": ", 2);
    size_t room = sizeof err->msg - h - 3;
    size_t o = strnlen(old, room);
    memcpy(err->msg + h + 2, old, o);
    err->msg[h + 2 + o] = '\0';
}
