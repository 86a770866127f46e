/* glob.c - glob matching and launch-time expansion for the four path lists
 * (DESIGN.md 5.3, REFERENCE.md 3.6). Linux mounts need concrete paths, so a
 * pattern is expanded once, when the sandbox is built, by a bounded walk that
 * starts at the pattern's literal prefix. Files created later are not covered
 * (README.md says what they get). Host-free. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsl_int.h"

/* Length of the set starting at p ('['), including both brackets, or 0 when
 * the brackets do not form a set (then '[' is literal text). */
static size_t fsl_glob_set_len(const char *p)
{
    size_t i = 1;
    if (p[i] == '!' || p[i] == '^')
        i++;
    if (p[i] == ']')
        i++;
    for (; p[i] && p[i] != '/'; i++)
        if (p[i] == ']')
            return i + 1;
    return 0;
}

static bool fsl_glob_set_has(const char *set, size_t len, char c)
{
    size_t i = 1;
    bool neg = set[i] == '!' || set[i] == '^';
    bool hit = false;
    if (neg)
        i++;
    size_t first = i;
    for (; i < len - 1; i++) {
        if (set[i] == ']' && i != first)
            break;
        if (i + 2 < len - 1 && set[i + 1] == '-') {
            if (c >= set[i] && c <= set[i + 2])
                hit = true;
            i += 2;
        } else if (set[i] == c) {
            hit = true;
        }
    }
    return hit != neg;
}

static bool fsl_glob_match_at(const char *p, const char *s)
{
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            const char *rest = p + 2;
            while (*rest == '*')
                rest++;
            if (*rest == '/') {
                /* "**" + "/": zero or more whole directories */
                rest++;
                if (fsl_glob_match_at(rest, s))
                    return true;
                for (const char *q = s; *q; q++)
                    if (*q == '/' && fsl_glob_match_at(rest, q + 1))
                        return true;
                return false;
            }
            for (const char *q = s;; q++) {
                if (fsl_glob_match_at(rest, q))
                    return true;
                if (!*q)
                    return false;
            }
        }
        if (*p == '*') {
            for (const char *q = s;; q++) {
                if (fsl_glob_match_at(p + 1, q))
                    return true;
                if (!*q || *q == '/')
                    return false;
            }
        }
        if (*p == '?') {
            if (!*s || *s == '/')
                return false;
            p++, s++;
            continue;
        }
        if (*p == '[') {
            size_t len = fsl_glob_set_len(p);
            if (len) {
                if (!*s || *s == '/' || !fsl_glob_set_has(p, len, *s))
                    return false;
                p += len, s++;
                continue;
            }
        }
        if (*p != *s)
            return false;
        p++, s++;
    }
    return *s == '\0';
}

bool fsl_glob_match(const char *pattern, const char *path)
{
    return fsl_glob_match_at(pattern, path);
}

bool fsl_glob_is_pattern(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '*' || *p == '?')
            return true;
        if (*p == '[' && fsl_glob_set_len(p))
            return true;
    }
    return false;
}

struct fsl_walk {
    char   **comp;      /* pattern components */
    size_t   n_comp;
    const struct fsl_glob_limits *lim;
    bool     unreadable_matches;
    size_t   entries;
    bool     truncated;
    struct fsl_vec *out;
};

static int fsl_glob_emit(struct fsl_walk *w, const char *path)
{
    char *real;
    int r = fsl_path_resolve(path, &real);
    if (r == SRT_ENOMEM)
        return r;
    if (r != SRT_OK)
        return fsl_vec_push(w->out, path);  /* unresolvable: keep the spelling */
    if (fsl_vec_has(w->out, real)) {
        free(real);
        return SRT_OK;
    }
    return fsl_vec_take(w->out, real);
}

static bool fsl_glob_over(struct fsl_walk *w, int depth)
{
    if (depth > w->lim->max_depth || w->entries > w->lim->max_entries ||
        (w->lim->deadline_ms && (w->entries & 63) == 0 && fsl_now_ms() > w->lim->deadline_ms))
        w->truncated = true;
    return w->truncated;
}

static bool fsl_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int fsl_glob_walk(struct fsl_walk *w, const char *dir, size_t i, int depth);

/* `next` matched component i: a match when it was the last, else walk on. */
static int fsl_glob_matched(struct fsl_walk *w, const char *next, size_t i, int depth)
{
    if (i + 1 == w->n_comp)
        return fsl_glob_emit(w, next);
    if (fsl_is_dir(next))
        return fsl_glob_walk(w, next, i + 1, depth + 1);
    return SRT_OK;
}

/* Match components i.. against the tree below `dir` (which exists). */
static int fsl_glob_walk(struct fsl_walk *w, const char *dir, size_t i, int depth)
{
    if (i == w->n_comp)
        return fsl_glob_emit(w, dir);
    if (fsl_glob_over(w, depth))
        return SRT_OK;
    const char *comp = w->comp[i];
    bool globstar = strcmp(comp, "**") == 0;
    if (!globstar && !fsl_glob_is_pattern(comp)) {
        char *next = fsl_path_join(dir, comp);
        if (!next)
            return SRT_ENOMEM;
        struct stat st;
        int r = SRT_OK;
        if (lstat(next, &st) == 0)
            r = fsl_glob_matched(w, next, i, depth);
        free(next);
        return r;
    }
    if (globstar) {
        int r = fsl_glob_walk(w, dir, i + 1, depth);   /* zero directories */
        if (r != SRT_OK)
            return r;
    }
    DIR *d = opendir(dir);
    if (!d) {
        if (w->unreadable_matches && errno != ENOENT && errno != ENOTDIR)
            return fsl_glob_emit(w, dir);   /* cannot list: deny it whole */
        return SRT_OK;
    }
    int r = SRT_OK;
    struct dirent *e;
    while (r == SRT_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        w->entries++;
        if (fsl_glob_over(w, depth))
            break;
        char *next = fsl_path_join(dir, e->d_name);
        if (!next) {
            r = SRT_ENOMEM;
            break;
        }
        if (globstar) {
            if (fsl_is_dir(next))
                r = fsl_glob_walk(w, next, i, depth + 1);
        } else if (fsl_glob_match(comp, e->d_name)) {
            r = fsl_glob_matched(w, next, i, depth);
        }
        free(next);
    }
    closedir(d);
    return r;
}

int fsl_glob_expand(const char *pattern, const struct fsl_glob_limits *lim,
                    bool unreadable_matches, struct fsl_vec *out, bool *truncated,
                    char *err, size_t errlen)
{
    *truncated = false;
    char *pat = strdup(pattern);
    if (!pat)
        return SRT_ENOMEM;
    size_t n = strlen(pat);
    /* a trailing "**" component means the directory itself (and below) */
    while (n > 3 && strcmp(pat + n - 3, "/**") == 0) {
        n -= 3;
        pat[n] = '\0';
    }
    struct fsl_vec comps = {0};
    int r = SRT_OK;
    for (char *save = NULL, *c = strtok_r(pat, "/", &save); c; c = strtok_r(NULL, "/", &save))
        if ((r = fsl_vec_push(&comps, c)) != SRT_OK)
            goto out_free;
    if (comps.n > 0 && fsl_glob_is_pattern(comps.v[0])) {
        snprintf(err, errlen, "glob %s starts with a wildcard and expands to nothing", pattern);
        r = SRT_EINVAL;
        goto out_free;
    }
    struct fsl_walk w = {
        .comp = comps.v, .n_comp = comps.n, .lim = lim,
        .unreadable_matches = unreadable_matches, .out = out,
    };
    r = fsl_glob_walk(&w, "/", 0, 0);
    *truncated = w.truncated;
out_free:
    fsl_vec_free(&comps);
    free(pat);
    return r;
}
