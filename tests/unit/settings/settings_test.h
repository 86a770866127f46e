/* settings_test.h - shared pieces of the settings test binary: the temp
 * fixture (HOME, cwd, TMPDIR under one directory) and the document corpus. */
#ifndef SRT_SETTINGS_TEST_H
#define SRT_SETTINGS_TEST_H

#include <limits.h>
#include <stdbool.h>

#include "cu_main.h"
#include "settings_int.h"

struct fixture {
    char root[PATH_MAX / 4];   /* realpath of the temp directory */
    char home[PATH_MAX / 2];   /* root/home, with .npm/_logs */
    char cwd[PATH_MAX / 2];   /* root/cwd, with src/ and link -> src */
    char tmp[PATH_MAX / 2];   /* root/srt-tmp (not created) */
    char docs[PATH_MAX / 2];   /* where each document is written */
    struct srt_settings_ctx ctx;
};
extern struct fixture fx;

/* One document and what loading it must give. */
struct doc_case {
    const char *name;            /* also the file name: <docs>/<name>.json */
    const char *json;
    const char *errs[8];         /* dotted paths the refusal must name; empty: valid */
    const char *msg;             /* invalid: text the refusal contains; valid: one exact warning */
    int warns;                   /* valid: exact warning count, -1 = any */
    void (*check)(const struct srt_settings *s);
};
extern const struct doc_case settings_corpus[];
extern const size_t settings_corpus_n;

/* Write `text` to <docs>/<name>.json and load it; the file path goes to path. */
int load_text(const char *name, const char *text, struct srt_settings **out, struct srt_error *err,
              char *path, size_t plen);

/* Spot checks shared by the corpus and the default-file test. */
void check_defaults(const struct srt_settings *s);
/* Is `rel` (under fx.root, or absolute when it starts with '/') in list with flags? */
bool has_path(const struct srt_path_list *l, const char *rel, uint32_t flags);

void settings_register_more(CU_pSuite s);

#endif
