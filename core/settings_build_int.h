/* settings_build_int.h - what the settings_*.c files share while one
 * document is checked and normalised.
 *
 * settings.c owns the lifecycle (read the file, build the message, free);
 * settings_schema.c walks the document with key tables; settings_paths.c turns
 * path entries into absolute paths; settings_extra.c holds the T2/T3 objects
 * srt only type-checks; settings_json.c renders the result. Nothing here is
 * used outside those files. */
#ifndef SRT_SETTINGS_BUILD_INT_H
#define SRT_SETTINGS_BUILD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "settings_int.h"

/* The path lists of struct srt_policy, in the order they are stored. */
enum set_plist { SET_DENY_READ, SET_ALLOW_READ, SET_ALLOW_WRITE, SET_DENY_WRITE, SET_DEFAULT_WRITE,
                 SET_PLIST_N };
/* The string lists of struct srt_policy. */
enum set_slist { SET_ALLOWED, SET_DENIED, SET_UNIX, SET_MACH, SET_RESOLVED, SET_SLIST_N };

struct set_pvec {
    struct srt_path_entry *v;   /* paths owned (cast away const when freeing) */
    size_t n, cap;
};

struct set_svec {
    char **v;
    size_t n, cap;
};

struct srt_settings {
    json_t *raw;                         /* owned reference, NULL for defaults */
    struct srt_policy pol;               /* views into the vectors below */
    struct set_pvec paths[SET_PLIST_N];
    struct set_svec strs[SET_SLIST_N];
    struct set_svec warnings;
    char *cwd, *home, *tmpdir, *bwrap_path;
};

/* One check in progress. */
struct set_check {
    struct srt_settings *s;
    json_t *doc;                         /* borrowed: the whole document */
    struct set_svec issues;              /* "<path>: <message>" */
    bool oom;
};

/* Longest dotted path kept in messages; longer ones are cut. */
#define SET_PATH_MAX 256

/* Record a validation issue at dotted `path` ("" = root). */
void srt_settings_issue(struct set_check *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record a warning line. */
void srt_settings_warn(struct set_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Dotted child paths: "<parent>.<key>" and "<parent>.<index>". */
void srt_settings_child(char *out, const char *parent, const char *key);
void srt_settings_index(char *out, const char *parent, size_t i);

/* `s` quoted for a message: escapes controls and quotes, cuts long values. */
void srt_settings_quote(const char *s, char *out, size_t len);

/* Append a copy of `s` (or a path entry) to a vector; false on ENOMEM. */
bool srt_settings_push_str(struct set_check *c, struct set_svec *v, const char *s);
bool srt_settings_push_path(struct set_check *c, struct set_pvec *v, const char *p, uint32_t flags);

/* Key tables: one row per member of a JSON object. */
enum set_type { SET_BOOL, SET_INT, SET_STR, SET_ABSPATH, SET_STRS, SET_OBJ, SET_OBJS, SET_ENUM, SET_MAP, SET_ANY };

#define SET_REQUIRED   (1u << 0)
#define SET_UNENFORCED (1u << 1)   /* accepted and kept; warn when set */
#define SET_STRICT     (1u << 2)   /* SET_OBJ: unknown members are errors */
#define SET_NONEMPTY   (1u << 3)   /* SET_STR: "" is an error; SET_STRS: [] is an error */

struct set_key;
typedef void (*set_fn)(struct set_check *c, json_t *v, const char *path);

struct set_key {
    const char *name;
    enum set_type type;
    unsigned flags;
    long long lo, hi;              /* SET_INT range */
    size_t store;                  /* SET_INT: offset in struct srt_policy, 0 = none */
    uint32_t pol_flag;             /* SET_BOOL: SRT_POL_* set when true */
    const struct set_key *sub;     /* SET_OBJ / SET_OBJS (array of objects) members */
    const char *const *choices;    /* SET_ENUM, NULL-terminated */
    set_fn fn;                     /* further checks, run when the type is right
                                      (SET_OBJS: once per element) */
};

#define STORE(m) offsetof(struct srt_policy, m)
/* Check `obj` against `keys`; unknown members are warnings, or issues when
 * `strict` (settings_schema.c). */
void srt_settings_walk(struct set_check *c, json_t *obj, const char *path, const struct set_key *keys, bool strict);

/* Walk the whole document (settings_schema.c). */
void srt_settings_check_doc(struct set_check *c, json_t *doc);

/* One path-entry array into list `which` (settings_paths.c). */
void srt_settings_check_paths(struct set_check *c, json_t *arr, const char *path, enum set_plist which);
/* Fill default_write once the lists are known (settings_paths.c). */
bool srt_settings_default_write(struct set_check *c);

/* T2/T3 objects srt keeps but does not enforce (settings_extra.c). */
void srt_settings_check_credentials(struct set_check *c, json_t *v, const char *path);
void srt_settings_check_windows(struct set_check *c, json_t *v, const char *path);
void srt_settings_check_tls(struct set_check *c, json_t *v, const char *path);

/* A domain-pattern array (allow or deny rules of 2.7); canonical entries go
 * to `store` when not NULL. */
void srt_settings_check_domains(struct set_check *c, json_t *arr, const char *path, bool deny,
                                struct set_svec *store);

/* Is a non-NULL value something other than its type's empty default
 * (false, "", [], {})? Decides whether "not enforced" is worth a warning. */
bool srt_settings_is_set(json_t *v);

#endif
