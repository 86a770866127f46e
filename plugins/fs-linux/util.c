/* util.c - string vectors and path helpers shared by the fs-linux planner,
 * scanner, glob expander and ledger. Host-free. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fsl_int.h"

/* Symlink hops allowed while resolving one path (as the kernel's MAXSYMLINKS). */
#define FSL_MAX_HOPS 40

int fsl_vec_take(struct fsl_vec *vec, char *s)
{
    if (!s)
        return SRT_ENOMEM;
    if (vec->n + 1 >= vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 16;
        char **v = realloc(vec->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return SRT_ENOMEM;
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = s;
    vec->v[vec->n] = NULL;
    return SRT_OK;
}

int fsl_vec_push(struct fsl_vec *vec, const char *s)
{
    return fsl_vec_take(vec, strdup(s));
}

int fsl_vec_pushf(struct fsl_vec *vec, const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    return fsl_vec_take(vec, r < 0 ? NULL : s);
}

bool fsl_vec_has(const struct fsl_vec *vec, const char *s)
{
    for (size_t i = 0; i < vec->n; i++)
        if (strcmp(vec->v[i], s) == 0)
            return true;
    return false;
}

void fsl_vec_free(struct fsl_vec *vec)
{
    for (size_t i = 0; i < vec->n; i++)
        free(vec->v[i]);
    free(vec->v);
    memset(vec, 0, sizeof *vec);
}

bool fsl_path_is_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

size_t fsl_path_depth(const char *path)
{
    size_t d = 0;
    for (const char *p = path; *p; p++)
        if (*p == '/' && p[1] != '\0' && p[1] != '/')
            d++;
    return d;
}

char *fsl_path_join(const char *a, const char *b)
{
    char *s;
    size_t n = strlen(a);
    bool slash = n > 0 && a[n - 1] == '/';
    if (asprintf(&s, "%s%s%s", a, slash ? "" : "/", b) < 0)
        return NULL;
    return s;
}

char *fsl_path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Resolve `path`, following a dangling final symlink to where a write would
 * create the file; `hops` is shared with the recursion on parents. */
static int fsl_resolve_hops(const char *path, char **out, int *hops)
{
    char *cur = strdup(path);
    if (!cur)
        return SRT_ENOMEM;
    for (;;) {
        char *real = realpath(cur, NULL);
        if (real) {
            free(cur);
            *out = real;
            return SRT_OK;
        }
        if (errno == ELOOP || ++*hops > FSL_MAX_HOPS) {
            free(cur);
            return SRT_EINVAL;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            free(cur);
            return SRT_EIO;
        }
        struct stat st;
        if (lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlink(cur, target, sizeof target - 1);
            if (n < 0) {
                free(cur);
                return SRT_EIO;
            }
            target[n] = '\0';
            char *next;
            if (target[0] == '/') {
                next = strdup(target);
            } else {
                char *dir = fsl_path_parent(cur);
                next = dir ? fsl_path_join(dir, target) : NULL;
                free(dir);
            }
            free(cur);
            if (!next)
                return SRT_ENOMEM;
            cur = next;
            continue;
        }
        /* Missing: resolve the parent, keep the last component. */
        char *dir = fsl_path_parent(cur);
        const char *base = strrchr(cur, '/');
        if (!dir) {
            free(cur);
            return SRT_ENOMEM;
        }
        if (strcmp(dir, cur) == 0 || !base) {
            free(dir);
            free(cur);
            return SRT_EIO;
        }
        char *rdir;
        int r = fsl_resolve_hops(dir, &rdir, hops);
        free(dir);
        if (r != SRT_OK) {
            free(cur);
            return r;
        }
        base++;
        if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || *base == '\0') {
            /* normalised input never has these; refuse rather than guess */
            free(rdir);
            free(cur);
            return SRT_EINVAL;
        }
        *out = fsl_path_join(rdir, base);
        free(rdir);
        free(cur);
        return *out ? SRT_OK : SRT_ENOMEM;
    }
}

int fsl_path_resolve(const char *path, char **out)
{
    int hops = 0;
    *out = NULL;
    if (!path || path[0] != '/')
        return SRT_EINVAL;
    return fsl_resolve_hops(path, out, &hops);
}

static int fsl_open_path(const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return (int)fd;
    /* Pre-5.6 kernels: only the last component is checked. */
    return open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC | flags);
}

int fsl_open_dir_nofollow(const char *path)
{
    return fsl_open_path(path, O_DIRECTORY);
}

int fsl_open_nofollow(const char *path)
{
    return fsl_open_path(path, O_NOFOLLOW);
}

int64_t fsl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
