/* settings_paths.c - path entries of the settings file (REFERENCE.md 2.6,
 * 3.3, 3.6).
 *
 * Turns each spelling into one absolute path: ~ and relative spellings
 * resolved, "." and ".." collapsed, the existing prefix's symlinks resolved,
 * a trailing slash-star-star reduced to the directory, globs flagged.
 * Also picks the default write paths. Glob expansion and matching are left
 * to the enforcers. */
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths_int.h"
#include "settings_build_int.h"

static bool set_is_deny(enum set_plist which)
{
    return which == SET_DENY_READ || which == SET_DENY_WRITE;
}

/* Resolve the literal directory prefix of a glob, keep the pattern tail. */
static int set_resolve_glob(const char *norm, char *out, size_t len)
{
    char prefix[PATH_MAX];
    size_t p = srt_paths_glob_prefix(norm);
    if (p >= sizeof prefix)
        return -1;
    memcpy(prefix, norm, p);
    prefix[p] = '\0';
    if (p == 0)
        strcpy(prefix, "/");
    srt_paths_unescape(prefix);
    if (srt_paths_resolve(prefix, out, len) < 0)
        return -1;
    size_t o = strlen(out);
    const char *tail = norm + p + (norm[p] == '/');
    if (o + 1 + strlen(tail) + 1 > len)
        return -1;
    if (o > 1)
        out[o++] = '/';
    strcpy(out + o, tail);
    return 0;
}

/* REFERENCE.md 3.7: a write root that is a symlink must resolve below the
 * link's own directory (not to it, an ancestor or an unrelated tree).
 * Checked here, on the spelling, because everything after this sees only the
 * resolved path. A plain entry resolves to a child of its resolved parent,
 * so one test covers both. `norm` is the lexical path, `real` what it
 * resolved to. */
static bool set_write_root_escapes(const char *norm, const char *real)
{
    char parent[PATH_MAX], rparent[PATH_MAX];
    const char *slash = strrchr(norm, '/');
    if (!slash || !slash[1])
        return false;   /* "/" */
    size_t n = slash == norm ? 1 : (size_t)(slash - norm);
    memcpy(parent, norm, n);
    parent[n] = '\0';
    if (srt_paths_resolve(parent, rparent, sizeof rparent) < 0)
        return true;
    return !srt_paths_is_under(real, rparent) || strcmp(real, rparent) == 0;
}

/* One spelling to its normalised path; false (issue recorded) if refused. */
static bool set_normalise(struct set_check *c, const char *spelling, bool literal, enum set_plist which,
                          const char *path, char *out, size_t len, uint32_t *flags)
{
    const struct srt_settings *s = c->s;
    char rel[PATH_MAX];
    char norm[PATH_MAX];
    const char *base = s->cwd;
    bool rooted = spelling[0] == '/';
    if (strcmp(spelling, "~") == 0 || strncmp(spelling, "~/", 2) == 0) {
        base = s->home;
        spelling += spelling[1] ? 2 : 1;
        rooted = true;
    }
    if (strlen(spelling) >= sizeof rel)
        goto out_long;
    strcpy(rel, spelling);
    *flags = literal ? SRT_PATH_LITERAL : 0;
    bool glob = !literal && srt_paths_has_glob(rel);
    if (glob && set_is_deny(which) && rooted && rel[0] && rel[strlen(rel) - 1] == '/') {
        srt_settings_issue(c, path,
                           "deny glob ends with '/' and can match nothing; write it without the trailing "
                           "slash or with a /** segment");
        return false;
    }
    if (!literal && !glob)
        srt_paths_unescape(rel);
    if (srt_paths_lexical(base, rel, norm, sizeof norm) < 0)
        goto out_long;
    if (glob) {
        /* A trailing slash-star-star means the directory itself. */
        size_t n = strlen(norm);
        while (n >= 3 && strcmp(norm + n - 3, "/**") == 0) {
            n -= 3;
            norm[n > 0 ? n : 1] = '\0';
            if (n == 0)
                n = 1;
        }
        glob = srt_paths_has_glob(norm);
        if (!glob)
            srt_paths_unescape(norm);
    }
    if (glob) {
        *flags |= SRT_PATH_GLOB;
        if (set_resolve_glob(norm, out, len) < 0)
            goto out_long;
    } else if (srt_paths_resolve(norm, out, len) < 0) {
        goto out_long;
    } else if (which == SET_ALLOW_WRITE && set_write_root_escapes(norm, out)) {
        srt_settings_warn(c, "%s: write root %s is a symlink to %s outside its directory; skipped",
                          path, norm, out);
        out[0] = '\0';   /* accepted, but not a write root */
    }
    return true;
out_long:
    srt_settings_issue(c, path, "path too long");
    return false;
}

/* {"path": "<p>", "literal": true}, strict; returns the path or NULL. */
static const char *set_literal_entry(struct set_check *c, json_t *m, const char *path)
{
    char sub[SET_PATH_MAX];
    const char *key;
    json_t *v;
    bool ok = true;
    json_object_foreach(m, key, v) {
        if (strcmp(key, "path") != 0 && strcmp(key, "literal") != 0) {
            srt_settings_child(sub, path, key);
            srt_settings_issue(c, sub, "unknown key");
            ok = false;
        }
    }
    json_t *p = json_object_get(m, "path");
    json_t *lit = json_object_get(m, "literal");
    srt_settings_child(sub, path, "path");
    if (!p) {
        srt_settings_issue(c, sub, "required");
        ok = false;
    } else if (!json_is_string(p) || json_string_length(p) == 0) {
        srt_settings_issue(c, sub, "must be a non-empty string");
        ok = false;
    }
    srt_settings_child(sub, path, "literal");
    if (!lit) {
        srt_settings_issue(c, sub, "required");
        ok = false;
    } else if (!json_is_true(lit)) {
        srt_settings_issue(c, sub, "must be true (write a plain string for a pattern)");
        ok = false;
    }
    return ok ? json_string_value(p) : NULL;
}

void srt_settings_check_paths(struct set_check *c, json_t *arr, const char *path, enum set_plist which)
{
    if (!json_is_array(arr)) {
        srt_settings_issue(c, path, "must be an array of path entries");
        return;
    }
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m) {
        char sub[SET_PATH_MAX];
        char out[PATH_MAX];
        uint32_t flags;
        const char *spelling;
        bool literal = false;
        srt_settings_index(sub, path, i);
        if (json_is_string(m)) {
            spelling = json_string_value(m);
            if (!*spelling) {
                srt_settings_issue(c, sub, "must not be empty");
                continue;
            }
        } else if (json_is_object(m)) {
            if (!(spelling = set_literal_entry(c, m, sub)))
                continue;
            literal = true;
        } else {
            srt_settings_issue(c, sub, "must be a path string or {\"path\": <string>, \"literal\": true}");
            continue;
        }
        if (set_normalise(c, spelling, literal, which, sub, out, sizeof out, &flags) && out[0])
            srt_settings_push_path(c, &c->s->paths[which], out, flags);
    }
}

/* Does a denyRead entry cover `p`? Globs are matched with '*' crossing
 * slashes, which can only over-match: a default is then dropped, never
 * exposed. */
static bool set_deny_read_covers(const struct srt_settings *s, const char *p)
{
    const struct set_pvec *d = &s->paths[SET_DENY_READ];
    char prefix[PATH_MAX];
    for (size_t i = 0; i < d->n; i++) {
        if (!(d->v[i].flags & SRT_PATH_GLOB)) {
            if (srt_paths_is_under(p, d->v[i].path))
                return true;
            continue;
        }
        size_t n = strlen(p);
        if (n >= sizeof prefix)
            return true;
        memcpy(prefix, p, n + 1);
        for (;;) {
            if (fnmatch(d->v[i].path, prefix, 0) == 0)
                return true;
            char *slash = strrchr(prefix, '/');
            if (!slash || slash == prefix)
                break;
            *slash = '\0';
        }
    }
    return false;
}

bool srt_settings_default_write(struct set_check *c)
{
    struct srt_settings *s = c->s;
    char lexical[PATH_MAX];
    char real[PATH_MAX];
    struct stat st;
    if (srt_paths_lexical(s->home, ".npm/_logs", lexical, sizeof lexical) == 0 &&
        srt_paths_resolve(lexical, real, sizeof real) == 0 && stat(real, &st) == 0 &&
        !set_deny_read_covers(s, lexical) && !set_deny_read_covers(s, real) &&
        !srt_settings_push_path(c, &s->paths[SET_DEFAULT_WRITE], real, 0))
        return false;
    return srt_settings_push_path(c, &s->paths[SET_DEFAULT_WRITE], s->tmpdir, 0);
}
