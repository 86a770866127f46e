/* settings_int.h - the settings file (~/.srt-settings.json): load, validate,
 * normalise (REFERENCE.md section 2, DESIGN.md 3.3).
 *
 * One struct srt_settings owns everything parsed from one document: the
 * normalised struct srt_policy view handed to plugins, the raw T2/T3 values
 * kept for later features, and the warnings met while loading. jansson stays
 * inside settings*.c; json_t values crossing this header say who owns them. */
#ifndef SRT_SETTINGS_INT_H
#define SRT_SETTINGS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <srt/error.h>
#include <srt/policy.h>

struct srt_settings;

/* Where relative paths and ~ are resolved. Both absolute, borrowed. */
struct srt_settings_ctx {
    const char *cwd;
    const char *home;
    const char *tmpdir;   /* private temp dir for TMPDIR; NULL: srt_settings_tmpdir() */
};

/* Load the settings for a run. `path` NULL means the default file
 * <home>/.srt-settings.json, whose absence yields the built-in defaults; an
 * explicit path must exist. On refusal returns SRT_ESETTINGS (or SRT_ENOMEM)
 * with one line in err->msg naming the file and every bad field
 * ("<file>: not a valid configuration: network.allowedDomains.0: ...; ...").
 * *out is new; free with srt_settings_free. */
int srt_settings_load(const char *path, const struct srt_settings_ctx *ctx,
                      struct srt_settings **out, struct srt_error *err);

/* Parse a document held in memory; `name` is used in messages. */
int srt_settings_parse(const char *text, size_t len, const char *name,
                       const struct srt_settings_ctx *ctx,
                       struct srt_settings **out, struct srt_error *err);

/* The built-in defaults (REFERENCE.md 2.9). */
int srt_settings_defaults(const struct srt_settings_ctx *ctx,
                          struct srt_settings **out, struct srt_error *err);

void srt_settings_free(struct srt_settings *s);

/* Borrowed view, valid until srt_settings_free. */
const struct srt_policy *srt_settings_policy(const struct srt_settings *s);

/* Warnings met while loading (unknown keys, keys srt accepts but does not
 * implement yet), each one line without the "srt: warning:" prefix. */
size_t      srt_settings_warning_count(const struct srt_settings *s);
const char *srt_settings_warning_get(const struct srt_settings *s, size_t i);

/* The settings document as parsed (borrowed json_t, valid until free); lets
 * later features read T2/T3 keys without a second parse. */
json_t *srt_settings_raw(const struct srt_settings *s);

/* The normalised policy as JSON for `srtctl check` (new reference). */
json_t *srt_settings_to_json(const struct srt_settings *s);

/* The per-user private temp directory srt exports as TMPDIR:
 * $SRT_TMPDIR if set and absolute, else /tmp/srt-<uid>. Static storage. */
const char *srt_settings_tmpdir(void);

#endif
