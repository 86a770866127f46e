/* settings_file.c - finding and reading the settings file (REFERENCE.md
 * 2.1, 2.2).
 *
 * --settings FILE or ~/.srt-settings.json; a missing default file means the
 * built-in defaults, a missing explicit file, or any file that cannot be read,
 * is refused. The text itself is judged by srt_settings_parse. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors_int.h"
#include "settings_int.h"

#define SET_FILE_MAX (16u << 20)   /* a settings file larger than this is a mistake */

/* Read the whole file; SRT_ENOTFOUND when it does not exist. */
static int set_read(const char *path, char **buf, size_t *len, struct srt_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return SRT_ENOTFOUND;
        return srt_error_set(err, SRT_ESETTINGS, "%s: cannot read settings file: %s (%s)", path, strerror(e),
                             strerrorname_np(e) ? strerrorname_np(e) : "?");
    }
    int rc = SRT_OK;
    struct stat st;
    size_t cap = 0, n = 0;
    char *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto out_errno;
    }
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > SET_FILE_MAX + 4096) {
                rc = srt_error_set(err, SRT_ESETTINGS, "%s: settings file is larger than %u bytes", path,
                                   SET_FILE_MAX);
                goto out_free;
            }
            char *nd = realloc(data, cap);
            if (!nd) {
                rc = srt_error_set(err, SRT_ENOMEM, "%s: read settings: out of memory", path);
                goto out_free;
            }
            data = nd;
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto out_errno;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *buf = data;
    *len = n;
    return SRT_OK;
out_errno:
    rc = srt_error_set(err, SRT_ESETTINGS, "%s: cannot read settings file: %s (%s)", path, strerror(errno),
                       strerrorname_np(errno) ? strerrorname_np(errno) : "?");
out_free:
    free(data);
    close(fd);
    return rc;
}

int srt_settings_load(const char *path, const struct srt_settings_ctx *ctx, struct srt_settings **out,
                      struct srt_error *err)
{
    char def[PATH_MAX];
    *out = NULL;
    bool explicit_path = path != NULL;
    if (!explicit_path) {
        const char *home = ctx && ctx->home ? ctx->home : getenv("HOME");
        if (!home)
            home = "/";
        if ((size_t)snprintf(def, sizeof def, "%s/.srt-settings.json", strcmp(home, "/") ? home : "") >=
            sizeof def)
            return srt_error_set(err, SRT_EINVAL, "load settings: home directory path too long");
        path = def;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = set_read(path, &buf, &len, err);
    if (rc == SRT_ENOTFOUND) {
        if (!explicit_path)
            return srt_settings_defaults(ctx, out, err);
        return srt_error_set(err, SRT_ESETTINGS,
                             "%s: settings file does not exist; srt will not fall back to defaults, "
                             "which would drop the rules it was asked to apply",
                             path);
    }
    if (rc != SRT_OK)
        return rc;
    rc = srt_settings_parse(buf, len, path, ctx, out, err);
    free(buf);
    return rc;
}
