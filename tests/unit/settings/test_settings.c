/* test_settings.c - the settings file (REFERENCE.md 2, 3.3, 3.6).
 *
 * A corpus of documents (settings_corpus.c), each written to its own file in
 * a temporary directory and loaded with a temporary HOME and cwd, with the
 * expected outcome: the dotted paths an invalid document must name, or spot
 * checks of the normalised policy of a valid one. Then the refusal rules of
 * 2.2 on real files, order independence, the JSON view and the temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings_test.h"

struct fixture fx;

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
    fclose(f);
}

static int fixture_init(void)
{
    char tmpl[] = "/tmp/srt-settings-test-XXXXXX";
    char real[PATH_MAX];
    if (!mkdtemp(tmpl) || !realpath(tmpl, real) || strlen(real) >= sizeof fx.root)
        return -1;
    strcpy(fx.root, real);
    snprintf(fx.home, sizeof fx.home, "%s/home", fx.root);
    snprintf(fx.cwd, sizeof fx.cwd, "%s/cwd", fx.root);
    snprintf(fx.tmp, sizeof fx.tmp, "%s/srt-tmp", fx.root);
    snprintf(fx.docs, sizeof fx.docs, "%s/docs", fx.root);
    const char *dirs[] = { "home", "home/.npm", "home/.npm/_logs", "cwd", "cwd/src", "docs" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", fx.root, dirs[i]);
        if (mkdir(p, 0755) < 0)
            return -1;
    }
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/link", fx.cwd);
    if (symlink("src", link) < 0)
        return -1;
    fx.ctx = (struct srt_settings_ctx){ .cwd = fx.cwd, .home = fx.home, .tmpdir = fx.tmp };
    return 0;
}

static int fixture_clean(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx.root);
    return system(cmd) == 0 ? 0 : -1;
}

int load_text(const char *name, const char *text, struct srt_settings **out, struct srt_error *err,
              char *path, size_t plen)
{
    snprintf(path, plen, "%s/%s.json", fx.docs, name);
    write_file(path, text, strlen(text));
    memset(err, 0, sizeof *err);
    return srt_settings_load(path, &fx.ctx, out, err);
}

/* --- the corpus --- */

static void run_case(const struct doc_case *c)
{
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    char json[8192];
    snprintf(json, sizeof json, "%s", c->json);
    for (char *q = json; *q; q++)
        if (*q == '\'')
            *q = '"';
    int rc = load_text(c->name, json, &s, &err, path, sizeof path);
    if (c->errs[0]) {
        if (rc != SRT_ESETTINGS)
            fprintf(stderr, "case %s: expected refusal, got %d\n", c->name, rc);
        CU_ASSERT_EQUAL(rc, SRT_ESETTINGS);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_EQUAL(err.code, SRT_ESETTINGS);
        char head[PATH_MAX + 64];
        snprintf(head, sizeof head, "%s: not a valid srt configuration: ", path);
        CU_ASSERT_EQUAL(strncmp(err.msg, head, strlen(head)), 0);
        CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
        for (const char *const *e = c->errs; *e; e++) {
            /* each path appears as "<path>: " right after the head or a "; " */
            char a[256], b[256];
            snprintf(a, sizeof a, ": %s: ", *e);
            snprintf(b, sizeof b, "; %s: ", *e);
            bool found = strstr(err.msg, a) || strstr(err.msg, b);
            if (!found)
                fprintf(stderr, "case %s: '%s' missing from: %s\n", c->name, *e, err.msg);
            CU_ASSERT_TRUE(found);
        }
        if (c->msg && !strstr(err.msg, c->msg)) {
            fprintf(stderr, "case %s: '%s' missing from: %s\n", c->name, c->msg, err.msg);
            CU_FAIL("expected text missing from the refusal");
        }
        return;
    }
    if (rc != SRT_OK)
        fprintf(stderr, "case %s: refused: %s\n", c->name, err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, SRT_OK);
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_EQUAL(p->struct_size, sizeof *p);
    if (c->warns >= 0) {
        if (srt_settings_warning_count(s) != (size_t)c->warns)
            for (size_t i = 0; i < srt_settings_warning_count(s); i++)
                fprintf(stderr, "case %s: warning: %s\n", c->name, srt_settings_warning_get(s, i));
        CU_ASSERT_EQUAL(srt_settings_warning_count(s), (size_t)c->warns);
    }
    if (c->msg) {
        bool found = false;
        for (size_t i = 0; i < srt_settings_warning_count(s); i++)
            found |= strcmp(srt_settings_warning_get(s, i), c->msg) == 0;
        if (!found)
            fprintf(stderr, "case %s: warning '%s' missing\n", c->name, c->msg);
        CU_ASSERT_TRUE(found);
    }
    if (c->check)
        c->check(s);
    srt_settings_free(s);
}

static void test_corpus(void)
{
    size_t valid = 0, invalid = 0;
    for (size_t i = 0; i < settings_corpus_n; i++) {
        run_case(&settings_corpus[i]);
        if (settings_corpus[i].errs[0])
            invalid++;
        else
            valid++;
    }
    CU_ASSERT(valid >= 20);
    CU_ASSERT(invalid >= 40);
}

/* --- 2.2 refusal rules on real files --- */

static void expect_refusal(const char *path, const char *what)
{
    struct srt_settings *s = NULL;
    struct srt_error err = { 0 };
    int rc = srt_settings_load(path, &fx.ctx, &s, &err);
    CU_ASSERT_EQUAL(rc, SRT_ESETTINGS);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(strncmp(err.msg, path, strlen(path)), 0);
    if (!strstr(err.msg, what))
        fprintf(stderr, "refusal of %s lacks '%s': %s\n", path, what, err.msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, what));
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
}

static void test_refusals(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/missing.json", fx.docs);
    expect_refusal(path, "does not exist");
    expect_refusal(path, "not fall back to defaults");
    snprintf(path, sizeof path, "%s/empty.json", fx.docs);
    write_file(path, "", 0);
    expect_refusal(path, "is empty");
    snprintf(path, sizeof path, "%s/blank.json", fx.docs);
    write_file(path, " \n\t\r\n  ", 7);
    expect_refusal(path, "is empty");
    snprintf(path, sizeof path, "%s/adir.json", fx.docs);
    CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
    expect_refusal(path, "EISDIR");
    snprintf(path, sizeof path, "%s/notjson.json", fx.docs);
    write_file(path, "{\"network\": {", 13);
    expect_refusal(path, "not valid JSON");
    snprintf(path, sizeof path, "%s/comment.json", fx.docs);
    write_file(path, "// hi\n{}", 8);
    expect_refusal(path, "not valid JSON");
    snprintf(path, sizeof path, "%s/dupkey.json", fx.docs);
    const char *dup = "{\"network\":{\"allowedDomains\":[],\"deniedDomains\":[]},"
                      "\"network\":{\"allowedDomains\":[\"x.com\"],\"deniedDomains\":[]},"
                      "\"filesystem\":{\"denyRead\":[],\"allowWrite\":[],\"denyWrite\":[]}}";
    write_file(path, dup, strlen(dup));
    expect_refusal(path, "duplicate");
    snprintf(path, sizeof path, "%s/invalid.json", fx.docs);
    write_file(path, "{\"network\":{}}", 14);
    expect_refusal(path, "not a valid srt configuration");
    /* unreadable by permissions: root opens it anyway, so only as non-root */
    snprintf(path, sizeof path, "%s/noperm.json", fx.docs);
    write_file(path, "{}", 2);
    CU_ASSERT_EQUAL(chmod(path, 0), 0);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        expect_refusal(path, "EACCES");
    else
        close(fd);   /* running as root: the directory case above covers unreadable */
    /* a default file that is a directory is refused as well */
    char home[PATH_MAX / 2];
    snprintf(home, sizeof home, "%s/dirhome", fx.root);
    CU_ASSERT_EQUAL(mkdir(home, 0755), 0);
    snprintf(path, sizeof path, "%s/.srt-settings.json", home);
    CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
    struct srt_settings_ctx ctx = { .cwd = fx.cwd, .home = home, .tmpdir = fx.tmp };
    struct srt_settings *s = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_settings_load(NULL, &ctx, &s, &err), SRT_ESETTINGS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
}

static void test_default_file(void)
{
    struct srt_settings *s = NULL;
    struct srt_error err = { 0 };
    /* no ~/.srt-settings.json: built-in defaults, silently */
    CU_ASSERT_EQUAL_FATAL(srt_settings_load(NULL, &fx.ctx, &s, &err), SRT_OK);
    check_defaults(s);
    CU_ASSERT_EQUAL(srt_settings_warning_count(s), 0);
    CU_ASSERT_PTR_NULL(srt_settings_raw(s));
    srt_settings_free(s);
    /* present: it is read */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.srt-settings.json", fx.home);
    const char *doc = "{\"network\":{\"allowedDomains\":[\"x.example.com\"],\"deniedDomains\":[]},"
                      "\"filesystem\":{\"denyRead\":[],\"allowWrite\":[],\"denyWrite\":[]}}";
    write_file(path, doc, strlen(doc));
    CU_ASSERT_EQUAL_FATAL(srt_settings_load(NULL, &fx.ctx, &s, &err), SRT_OK);
    CU_ASSERT_EQUAL(srt_settings_policy(s)->allowed_domains.n, 1);
    srt_settings_free(s);
    /* present but empty: refused even though it is the default file */
    write_file(path, "  ", 2);
    CU_ASSERT_EQUAL(srt_settings_load(NULL, &fx.ctx, &s, &err), SRT_ESETTINGS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is empty"));
    unlink(path);
    /* srt_settings_defaults gives the same */
    CU_ASSERT_EQUAL_FATAL(srt_settings_defaults(&fx.ctx, &s, &err), SRT_OK);
    check_defaults(s);
    srt_settings_free(s);
}

/* Many bad entries: the message stays within the buffer and says how many
 * issues it left out. */
static void test_message_overflow(void)
{
    char doc[16384];
    size_t o = (size_t)snprintf(doc, sizeof doc, "{\"network\":{\"allowedDomains\":[");
    for (int i = 0; i < 200; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "%s\"*.c%d\"", i ? "," : "", i);
    snprintf(doc + o, sizeof doc - o,
             "],\"deniedDomains\":[]},\"filesystem\":{\"denyRead\":[],\"allowWrite\":[],\"denyWrite\":[]}}");
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    CU_ASSERT_EQUAL(load_text("overflow", doc, &s, &err, path, sizeof path), SRT_ESETTINGS);
    size_t n = strlen(err.msg);
    CU_ASSERT(n < SRT_ERRMSG_MAX);
    CU_ASSERT(n > SRT_ERRMSG_MAX / 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "network.allowedDomains.0: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "; ... and "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, " more"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "network.allowedDomains.199: "));
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("settings", fixture_init, fixture_clean);
    CU_add_test(s, "corpus of documents", test_corpus);
    CU_add_test(s, "refusal rules (2.2)", test_refusals);
    CU_add_test(s, "default file and built-in defaults", test_default_file);
    CU_add_test(s, "long refusal message", test_message_overflow);
    settings_register_more(s);
}
