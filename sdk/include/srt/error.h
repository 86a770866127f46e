/* srt/error.h - error codes and the caller-owned error buffer.
 *
 * Every srt function that can fail returns SRT_OK or a negative SRT_E* code and,
 * where it takes one, fills a struct srt_error owned by the caller. Plugins fill
 * it only through host->fail. Codes are explicit and never renumbered.
 * Since 1.0. */
#ifndef SRT_ERROR_H
#define SRT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum srt_errcode {
    SRT_OK          = 0,
    SRT_EINVAL      = -1,   /* bad argument or bad input */
    SRT_ENOMEM      = -2,   /* allocation failed */
    SRT_EIO         = -3,   /* a system call failed; sys_errno says which */
    SRT_ENOTSUP     = -4,   /* the operation is not implemented by this plugin */
    SRT_EVERSION    = -5,   /* ABI or version mismatch */
    SRT_ENOTFOUND   = -6,   /* file, symbol, plugin or key not found */
    SRT_EPERM       = -7,   /* refused by policy or by a file-safety check */
    SRT_ESETTINGS   = -8,   /* settings file refused */
    SRT_EDEPLOY     = -9,   /* deployment configuration refused */
    SRT_EPLUGIN     = -10,  /* a plugin failed a loader check or its create */
    SRT_EBACKEND    = -11,  /* the enforcer cannot sandbox on this machine */
    SRT_EEXIST      = -12,  /* duplicate (e.g. a plugin name already loaded) */
    SRT_ETYPE       = -13,  /* a configuration value has the wrong type */
    SRT_ERANGE      = -14,  /* a value is out of range or a buffer is too small */
};

/* Length of srt_error.msg including the terminating NUL. */
#define SRT_ERRMSG_MAX 1024

/* Filled by the callee on failure; owned by the caller. msg is lower case with
 * no final period and names the action and the object. sys_errno is the errno
 * of the failing system call, or 0. */
struct srt_error {
    int  code;
    int  sys_errno;
    char msg[SRT_ERRMSG_MAX];
};

#ifdef __cplusplus
}
#endif
#endif /* SRT_ERROR_H */
