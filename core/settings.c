/* settings.c - one settings document to struct srt_settings (REFERENCE.md
 * 2.2, 2.9).
 *
 * Parses the text, applies the empty/not-JSON refusal rules, hands the
 * document to the schema walk (settings_schema.c), assembles the one-line
 * refusal message, and owns struct srt_settings: its vectors, the sorted
 * policy view over them, and the accessors. Reading the file is
 * settings_file.c's job. Nothing here prints; warnings are collected. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors_int.h"
#include "paths_int.h"
#include "settings_build_int.h"

static void set_svec_free(struct set_svec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    *v = (struct set_svec){ 0 };
}

void srt_settings_free(struct srt_settings *s)
{
    if (!s)
        return;
    for (int l = 0; l < SET_PLIST_N; l++) {
        for (size_t i = 0; i < s->paths[l].n; i++)
            free((char *)s->paths[l].v[i].path);
        free(s->paths[l].v);
    }
    for (int l = 0; l < SET_SLIST_N; l++)
        set_svec_free(&s->strs[l]);
    set_svec_free(&s->warnings);
    json_decref(s->raw);
    free(s->cwd);
    free(s->home);
    free(s->tmpdir);
    free(s->bwrap_path);
    free(s);
}

bool srt_settings_push_str(struct set_check *c, struct set_svec *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv)
            goto out_oom;
        v->v = nv;
        v->cap = cap;
    }
    if (!(v->v[v->n] = strdup(s)))
        goto out_oom;
    v->n++;
    return true;
out_oom:
    c->oom = true;
    return false;
}

bool srt_settings_push_path(struct set_check *c, struct set_pvec *v, const char *p, uint32_t flags)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        struct srt_path_entry *nv = realloc(v->v, cap * sizeof *nv);
        if (!nv)
            goto out_oom;
        v->v = nv;
        v->cap = cap;
    }
    char *copy = strdup(p);
    if (!copy)
        goto out_oom;
    v->v[v->n++] = (struct srt_path_entry){ .path = copy, .flags = flags };
    return true;
out_oom:
    c->oom = true;
    return false;
}

static void set_vpush(struct set_check *c, struct set_svec *v, const char *fmt, va_list ap) SRT_PRINTF(3, 0);

static void set_vpush(struct set_check *c, struct set_svec *v, const char *fmt, va_list ap)
{
    char line[SRT_ERRMSG_MAX];
    vsnprintf(line, sizeof line, fmt, ap);
    srt_settings_push_str(c, v, line);
}

void srt_settings_issue(struct set_check *c, const char *path, const char *fmt, ...)
{
    char line[SRT_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char full[SRT_ERRMSG_MAX + SET_PATH_MAX + 2];
    snprintf(full, sizeof full, "%s: %s", *path ? path : "(root)", line);
    srt_settings_push_str(c, &c->issues, full);
}

void srt_settings_warn(struct set_check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_vpush(c, &c->s->warnings, fmt, ap);
    va_end(ap);
}

/* Keys are user text: anything outside printable ASCII becomes '?' so the
 * message stays one line. */
static void set_path_append(char *out, const char *parent, const char *elem)
{
    size_t o = strlen(parent);
    if (out != parent)
        memcpy(out, parent, o + 1);
    if (o && o + 1 < SET_PATH_MAX)
        out[o++] = '.';
    for (const char *p = elem; *p && o + 1 < SET_PATH_MAX; p++) {
        unsigned char ch = (unsigned char)*p;
        out[o++] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
    }
    out[o] = '\0';
}

void srt_settings_child(char *out, const char *parent, const char *key)
{
    set_path_append(out, parent, key);
}

void srt_settings_index(char *out, const char *parent, size_t i)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", i);
    set_path_append(out, parent, num);
}

void srt_settings_quote(const char *s, char *out, size_t len)
{
    size_t o = 0;
    const size_t cut = 80;
    if (len < 8)
        return;
    out[o++] = '"';
    for (size_t i = 0; s[i] && o + 6 < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i == cut) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') {
            if (o + 5 >= len)
                break;
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

const char *srt_settings_tmpdir(void)
{
    static char buf[PATH_MAX];
    const char *env = getenv("SRT_TMPDIR");
    if (env && env[0] == '/' && srt_paths_lexical(NULL, env, buf, sizeof buf) == 0)
        return buf;
    snprintf(buf, sizeof buf, "/tmp/srt-%u", (unsigned)getuid());
    return buf;
}

/* cwd/home/tmpdir from ctx, else from the process. */
static int set_env_init(struct srt_settings *s, const struct srt_settings_ctx *ctx, struct srt_error *err)
{
    char buf[PATH_MAX];
    const char *cwd = ctx ? ctx->cwd : NULL;
    const char *home = ctx ? ctx->home : NULL;
    const char *tmp = ctx ? ctx->tmpdir : NULL;
    if (!cwd) {
        if (!getcwd(buf, sizeof buf))
            return srt_error_set(err, SRT_EIO, "cannot get the working directory: %s", strerror(errno));
        cwd = buf;
    }
    if (!(s->cwd = strdup(cwd)))
        return srt_error_set(err, SRT_ENOMEM, "load settings: out of memory");
    if (!home)
        home = getenv("HOME");
    if (!home || home[0] != '/') {
        struct passwd *pw = getpwuid(getuid());
        home = pw && pw->pw_dir ? pw->pw_dir : "/";
    }
    if (!(s->home = strdup(home)))
        return srt_error_set(err, SRT_ENOMEM, "load settings: out of memory");
    if (!(s->tmpdir = strdup(tmp ? tmp : srt_settings_tmpdir())))
        return srt_error_set(err, SRT_ENOMEM, "load settings: out of memory");
    if (s->cwd[0] != '/' || s->home[0] != '/' || s->tmpdir[0] != '/')
        return srt_error_set(err, SRT_EINVAL, "load settings: cwd, home and tmpdir must be absolute");
    return SRT_OK;
}

static int set_cmp_path(const void *a, const void *b)
{
    const struct srt_path_entry *x = a, *y = b;
    int r = strcmp(x->path, y->path);
    if (r)
        return r;
    return (int)(x->flags & SRT_PATH_GLOB) - (int)(y->flags & SRT_PATH_GLOB);
}

static int set_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted and deduplicated, so the outcome never depends on entry order. A
 * literal entry and a plain spelling of the same path are one entry. */
static void set_sort_paths(struct set_pvec *v)
{
    if (v->n < 2)
        return;
    qsort(v->v, v->n, sizeof *v->v, set_cmp_path);
    size_t w = 0;
    for (size_t i = 1; i < v->n; i++) {
        if (set_cmp_path(&v->v[w], &v->v[i]) == 0) {
            v->v[w].flags |= v->v[i].flags;
            free((char *)v->v[i].path);
        } else {
            v->v[++w] = v->v[i];
        }
    }
    v->n = w + 1;
}

static void set_sort_strs(struct set_svec *v)
{
    if (v->n < 2)
        return;
    qsort(v->v, v->n, sizeof *v->v, set_cmp_str);
    size_t w = 0;
    for (size_t i = 1; i < v->n; i++) {
        if (strcmp(v->v[w], v->v[i]) == 0)
            free(v->v[i]);
        else
            v->v[++w] = v->v[i];
    }
    v->n = w + 1;
}

static void set_view(struct srt_settings *s)
{
    struct srt_path_list *pl[SET_PLIST_N] = {
        &s->pol.deny_read, &s->pol.allow_read, &s->pol.allow_write, &s->pol.deny_write, &s->pol.default_write,
    };
    struct srt_str_list *sl[SET_SLIST_N] = {
        &s->pol.allowed_domains, &s->pol.denied_domains, &s->pol.allow_unix_sockets,
        &s->pol.allow_mach_lookup, &s->pol.denied_resolved,
    };
    for (int l = 0; l < SET_PLIST_N; l++)
        *pl[l] = (struct srt_path_list){ s->paths[l].v, s->paths[l].n };
    for (int l = 0; l < SET_SLIST_N; l++)
        *sl[l] = (struct srt_str_list){ (const char *const *)s->strs[l].v, s->strs[l].n };
    s->pol.cwd = s->cwd;
    s->pol.home = s->home;
    s->pol.tmpdir = s->tmpdir;
    s->pol.bwrap_path = s->bwrap_path;
}

/* "<name>: not a valid srt configuration: a: x; b: y" within the buffer,
 * ending in "; ... and N more" when the issues do not all fit. */
static void set_refusal(struct srt_error *err, const char *name, const struct set_svec *issues)
{
    char msg[SRT_ERRMSG_MAX];
    const size_t reserve = 40;
    size_t o = (size_t)snprintf(msg, sizeof msg, "%s: not a valid srt configuration: ", name);
    if (o >= sizeof msg - reserve)
        o = sizeof msg - reserve;
    size_t i = 0;
    for (; i < issues->n; i++) {
        size_t n = strlen(issues->v[i]);
        size_t sep = i ? 2 : 0;
        bool last = i + 1 == issues->n;
        if (o + sep + n + 1 > sizeof msg - (last ? 0 : reserve))
            break;
        memcpy(msg + o, "; ", sep);
        memcpy(msg + o + sep, issues->v[i], n);
        o += sep + n;
    }
    msg[o] = '\0';
    if (i < issues->n)
        snprintf(msg + o, sizeof msg - o, "%s... and %zu more", i ? "; " : "", issues->n - i);
    srt_error_set(err, SRT_ESETTINGS, "%s", msg);
}

/* Everything after the document is known good: defaults, order, views. */
static int set_finish(struct set_check *c, const char *name, struct srt_error *err)
{
    struct srt_settings *s = c->s;
    if (!c->oom && c->issues.n == 0)
        srt_settings_default_write(c);
    if (c->oom)
        return srt_error_set(err, SRT_ENOMEM, "%s: load settings: out of memory", name);
    if (c->issues.n) {
        set_refusal(err, name, &c->issues);
        return SRT_ESETTINGS;
    }
    for (int l = 0; l < SET_PLIST_N; l++)
        set_sort_paths(&s->paths[l]);
    for (int l = 0; l < SET_SLIST_N; l++)
        set_sort_strs(&s->strs[l]);
    set_view(s);
    return SRT_OK;
}

static struct srt_settings *set_new(const struct srt_settings_ctx *ctx, struct srt_error *err, int *rc)
{
    struct srt_settings *s = calloc(1, sizeof *s);
    if (!s) {
        *rc = srt_error_set(err, SRT_ENOMEM, "load settings: out of memory");
        return NULL;
    }
    s->pol.struct_size = sizeof s->pol;
    s->pol.mandatory_deny_depth = 3;
    *rc = set_env_init(s, ctx, err);
    if (*rc != SRT_OK) {
        srt_settings_free(s);
        return NULL;
    }
    return s;
}

int srt_settings_defaults(const struct srt_settings_ctx *ctx, struct srt_settings **out, struct srt_error *err)
{
    int rc;
    *out = NULL;
    struct srt_settings *s = set_new(ctx, err, &rc);
    if (!s)
        return rc;
    struct set_check c = { .s = s };
    rc = set_finish(&c, "built-in defaults", err);
    set_svec_free(&c.issues);
    if (rc != SRT_OK) {
        srt_settings_free(s);
        return rc;
    }
    *out = s;
    return SRT_OK;
}

int srt_settings_parse(const char *text, size_t len, const char *name, const struct srt_settings_ctx *ctx,
                       struct srt_settings **out, struct srt_error *err)
{
    *out = NULL;
    if (!name)
        name = "settings";
    if (!text)
        return srt_error_set(err, SRT_EINVAL, "%s: no settings text", name);
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len)
        return srt_error_set(err, SRT_ESETTINGS,
                             "%s: settings file is empty; delete it or fill it with a configuration "
                             "(srt will not run with defaults, which would drop the rules it was meant to hold)",
                             name);
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!doc)
        return srt_error_set(err, SRT_ESETTINGS, "%s: not valid JSON: %s at line %d column %d", name, jerr.text,
                             jerr.line, jerr.column);
    int rc;
    struct srt_settings *s = set_new(ctx, err, &rc);
    if (!s) {
        json_decref(doc);
        return rc;
    }
    s->raw = doc;
    struct set_check c = { .s = s };
    srt_settings_check_doc(&c, doc);
    rc = set_finish(&c, name, err);
    set_svec_free(&c.issues);
    if (rc != SRT_OK) {
        srt_settings_free(s);
        return rc;
    }
    *out = s;
    return SRT_OK;
}

const struct srt_policy *srt_settings_policy(const struct srt_settings *s)
{
    return s ? &s->pol : NULL;
}

size_t srt_settings_warning_count(const struct srt_settings *s)
{
    return s ? s->warnings.n : 0;
}

const char *srt_settings_warning_get(const struct srt_settings *s, size_t i)
{
    return s && i < s->warnings.n ? s->warnings.v[i] : NULL;
}

json_t *srt_settings_raw(const struct srt_settings *s)
{
    return s ? s->raw : NULL;
}
