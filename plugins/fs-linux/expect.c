/* expect.c - what every bind mount must show once bwrap has made it
 * (THREATS F2).
 *
 * srt checks a path, then bwrap mounts it a few milliseconds later by name.
 * A process outside the new sandbox (another sandbox writing the same
 * directory, say) can swap a checked directory for a symlink in between, and
 * bwrap would bind whatever the symlink names - /etc, for a write root. The
 * identity (device and inode) of each bind's source is recorded here, at the
 * end of the plan, and the inner stage compares it with what it finds at the
 * destination inside the sandbox before anything runs (--expect); a mismatch
 * stops the run. A source that already is a symlink now was swapped after
 * the plan resolved it: refused at once. Host-free. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fsl_int.h"

bool fsl_is_bind(const char *opt)
{
    return strcmp(opt, "--bind") == 0 || strcmp(opt, "--ro-bind") == 0;
}

/* The last bind to each destination is the one visible inside. */
static bool fsl_expect_is_last(const struct fsl_vec *a, size_t at, const char *dst)
{
    for (size_t i = at + 3; i + 2 < a->n; i++)
        if (fsl_is_bind(a->v[i]) && strcmp(a->v[i + 2], dst) == 0)
            return false;
    return true;
}

int fsl_expect_binds(const struct fsl_vec *bwrap, struct fsl_vec *out, char *err, size_t errlen)
{
    for (size_t i = 0; i + 2 < bwrap->n; i++) {
        if (!fsl_is_bind(bwrap->v[i]))
            continue;
        const char *src = bwrap->v[i + 1], *dst = bwrap->v[i + 2];
        i += 2;
        if (strcmp(dst, "/") == 0 || !fsl_expect_is_last(bwrap, i - 2, dst))
            continue;
        struct stat st;
        if (lstat(src, &st) != 0) {
            snprintf(err, errlen, "bind source %s vanished during setup: %s", src, strerror(errno));
            return SRT_EIO;
        }
        if (S_ISLNK(st.st_mode)) {
            snprintf(err, errlen, "bind source %s became a symlink during setup; refusing", src);
            return SRT_EPERM;
        }
        int r = fsl_vec_pushf(out, "%llu:%llu", (unsigned long long)st.st_dev,
                              (unsigned long long)st.st_ino);
        if (r == SRT_OK)
            r = fsl_vec_push(out, dst);
        if (r != SRT_OK)
            return r;
    }
    return SRT_OK;
}
