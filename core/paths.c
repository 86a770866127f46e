/* paths.c - path spelling helpers (see paths_int.h).
 *
 * Lexical work only, plus realpath(3) on the part of a path that exists.
 * Meaning (which list, which default) is decided by the callers. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "paths_int.h"

int srt_paths_lexical(const char *base, const char *rel, char *out, size_t len)
{
    if (!rel || !out || len < 2)
        return -1;
    if (rel[0] != '/' && (!base || base[0] != '/'))
        return -1;
    size_t o = 0;
    out[o++] = '/';
    const char *parts[2] = { rel[0] == '/' ? "" : base, rel };
    for (int k = 0; k < 2; k++) {
        const char *p = parts[k];
        while (*p) {
            while (*p == '/')
                p++;
            const char *start = p;
            while (*p && *p != '/')
                p++;
            size_t n = (size_t)(p - start);
            if (n == 0 || (n == 1 && start[0] == '.'))
                continue;
            if (n == 2 && start[0] == '.' && start[1] == '.') {
                while (o > 1 && out[o - 1] != '/')
                    o--;
                if (o > 1)
                    o--;   /* the slash before the dropped component */
                continue;
            }
            if (o > 1)
                out[o++] = '/';
            if (o + n + 1 > len)
                return -1;
            memcpy(out + o, start, n);
            o += n;
        }
    }
    out[o] = '\0';
    return 0;
}

int srt_paths_resolve(const char *in, char *out, size_t len)
{
    char prefix[PATH_MAX];
    char real[PATH_MAX];
    size_t n = strlen(in);
    if (n >= sizeof prefix)
        return -1;
    memcpy(prefix, in, n + 1);
    /* Walk back component by component until a prefix exists. */
    size_t cut = n;
    for (;;) {
        if (realpath(prefix, real))
            break;
        while (cut > 0 && prefix[cut - 1] != '/')
            cut--;
        if (cut <= 1) {
            strcpy(real, "/");
            cut = 1;
            break;
        }
        cut--;
        prefix[cut] = '\0';
    }
    const char *tail = in + cut;
    while (*tail == '/')
        tail++;
    size_t r = strlen(real);
    size_t t = strlen(tail);
    bool sep = *tail && r > 1;
    if (r + sep + t + 1 > len)
        return -1;
    memmove(out, real, r);
    if (sep)
        out[r++] = '/';
    memcpy(out + r, tail, t + 1);
    return 0;
}

/* Length of a valid bracket set starting at s[0] == '[', or 0. */
static size_t paths_set_len(const char *s)
{
    size_t i = 1;
    if (s[i] == '!' || s[i] == '^')
        i++;
    if (s[i] == ']')
        i++;   /* a leading ']' is a member */
    for (; s[i]; i++) {
        if (s[i] == '/')
            return 0;
        if (s[i] == ']')
            return i + 1;
    }
    return 0;
}

static const char *paths_first_glob(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\') {
            if (!p[1])
                break;
            p++;
            continue;
        }
        if (*p == '*' || *p == '?' || (*p == '[' && paths_set_len(p)))
            return p;
    }
    return NULL;
}

bool srt_paths_has_glob(const char *s)
{
    return s && paths_first_glob(s) != NULL;
}

size_t srt_paths_glob_prefix(const char *s)
{
    const char *g = paths_first_glob(s);
    if (!g)
        return strlen(s);
    while (g > s && *g != '/')
        g--;
    return (size_t)(g - s);
}

void srt_paths_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\\' && r[1])
            r++;
        *w++ = *r;
    }
    *w = '\0';
}

bool srt_paths_is_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
