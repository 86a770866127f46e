/* test_settings_more.c - order independence, the JSON view for `srtctl
 * check`, the private temp directory, and that loading prints nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings_test.h"

static char *policy_dump(const char *name, const char *doc)
{
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    int rc = load_text(name, doc, &s, &err, path, sizeof path);
    if (rc != SRT_OK)
        fprintf(stderr, "%s refused: %s\n", name, err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, SRT_OK);
    json_t *j = srt_settings_to_json(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(j);
    srt_settings_free(s);
    return text;
}

/* The same entries in another order give the same policy (3.1). */
static void test_order_independence(void)
{
    const char *a = "{\"network\":{\"allowedDomains\":[\"b.example.com\",\"*.a.test\",\"127.1\",\"a.example.com\"],"
                    "\"deniedDomains\":[\"x.test\",\"*:22\"],\"deniedResolvedAddresses\":[\"10.0.0.0/8\",\"fd00::/8\"]},"
                    "\"filesystem\":{\"denyRead\":[\"~/.ssh\",\"/etc/*.key\",\"src\"],"
                    "\"allowWrite\":[\".\",\"/tmp/a\",\"~/b\"],\"denyWrite\":[\"src/gen\",\"~/.bashrc\"]}}";
    const char *b = "{\"filesystem\":{\"denyWrite\":[\"~/.bashrc\",\"./src/gen/\"],"
                    "\"allowWrite\":[\"~/b\",\"/tmp/a/\",\"./\"],\"denyRead\":[\"src\",\"/etc/*.key\",\"~/.ssh/\"]},"
                    "\"network\":{\"deniedDomains\":[\"*:22\",\"X.test\"],\"allowedDomains\":[\"a.example.com\","
                    "\"127.0.0.1\",\"*.A.test\",\"b.example.com\"],\"deniedResolvedAddresses\":[\"fd00::/8\",\"10.0.0.0/8\"]}}";
    char *da = policy_dump("order-a", a);
    char *db = policy_dump("order-b", b);
    CU_ASSERT_STRING_EQUAL(da, db);
    free(da);
    free(db);
}

static void test_to_json(void)
{
    const char *doc = "{\"network\":{\"allowedDomains\":[\"Example.com\"],\"deniedDomains\":[],"
                      "\"httpProxyPort\":8080},\"filesystem\":{\"denyRead\":[\"~/.ssh\"],\"allowWrite\":[\"/x/*\"],"
                      "\"denyWrite\":[{\"path\":\"/y\",\"literal\":true}],\"allowGitConfig\":true},"
                      "\"mandatoryDenySearchDepth\":5,\"surprise\":1}";
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    CU_ASSERT_EQUAL_FATAL(load_text("to-json", doc, &s, &err, path, sizeof path), SRT_OK);
    json_t *j = srt_settings_to_json(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t *fs = json_object_get(j, "filesystem");
    json_t *net = json_object_get(j, "network");
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/.ssh", fx.home);
    json_t *dr = json_array_get(json_object_get(fs, "denyRead"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dr, "path")), want);
    CU_ASSERT_TRUE(json_is_false(json_object_get(dr, "glob")));
    json_t *aw = json_array_get(json_object_get(fs, "allowWrite"), 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(aw, "glob")));
    json_t *dw = json_array_get(json_object_get(fs, "denyWrite"), 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(dw, "literal")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(fs, "defaultWrite")), 2);
    CU_ASSERT_TRUE(json_is_true(json_object_get(fs, "allowGitConfig")));
    CU_ASSERT_TRUE(json_is_false(json_object_get(fs, "disabled")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(net, "allowedDomains"), 0)),
                           "example.com");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(net, "httpProxyPort")), 8080);
    CU_ASSERT_TRUE(json_is_null(json_object_get(net, "socksProxyPort")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "mandatoryDenySearchDepth")), 5);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "tmpdir")), fx.tmp);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "cwd")), fx.cwd);
    CU_ASSERT_TRUE(json_is_null(json_object_get(j, "bwrapPath")));
    json_t *w = json_object_get(j, "warnings");
    CU_ASSERT_EQUAL(json_array_size(w), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(w, 0)), "unknown key surprise ignored");
    json_decref(j);
    srt_settings_free(s);
    CU_ASSERT_PTR_NULL(srt_settings_to_json(NULL));
}

static void test_tmpdir(void)
{
    char want[64];
    snprintf(want, sizeof want, "/tmp/srt-%u", (unsigned)getuid());
    const char *old = getenv("SRT_TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    unsetenv("SRT_TMPDIR");
    CU_ASSERT_STRING_EQUAL(srt_settings_tmpdir(), want);
    setenv("SRT_TMPDIR", "relative/dir", 1);
    CU_ASSERT_STRING_EQUAL(srt_settings_tmpdir(), want);
    setenv("SRT_TMPDIR", "/var/tmp//mine/", 1);
    CU_ASSERT_STRING_EQUAL(srt_settings_tmpdir(), "/var/tmp/mine");
    /* a NULL ctx->tmpdir takes it from srt_settings_tmpdir() */
    struct srt_settings_ctx ctx = { .cwd = fx.cwd, .home = fx.home };
    struct srt_settings *s = NULL;
    struct srt_error err;
    CU_ASSERT_EQUAL_FATAL(srt_settings_defaults(&ctx, &s, &err), SRT_OK);
    CU_ASSERT_STRING_EQUAL(srt_settings_policy(s)->tmpdir, "/var/tmp/mine");
    CU_ASSERT_TRUE(has_path(&srt_settings_policy(s)->default_write, "/var/tmp/mine", 0));
    srt_settings_free(s);
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat("/var/tmp/mine", &st), 0);   /* not created here */
    if (saved)
        setenv("SRT_TMPDIR", saved, 1);
    else
        unsetenv("SRT_TMPDIR");
    free(saved);
}

/* Warnings and refusals are returned, never printed. */
static void test_silent(void)
{
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/stderr.txt", fx.root);
    fflush(stdout);
    fflush(stderr);
    int save_out = dup(1), save_err = dup(2);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0 && save_out >= 0 && save_err >= 0);
    dup2(fd, 1);
    dup2(fd, 2);
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    int rc1 = load_text("silent-warn", "{\"network\":{\"allowedDomains\":[],\"deniedDomains\":[],\"x\":1},"
                        "\"filesystem\":{\"denyRead\":[],\"allowWrite\":[],\"denyWrite\":[]},"
                        "\"allowAppleEvents\":true,\"y\":2}", &s, &err, path, sizeof path);
    size_t warns = srt_settings_warning_count(s);
    srt_settings_free(s);
    int rc2 = load_text("silent-bad", "{\"network\":{}}", &s, &err, path, sizeof path);
    fflush(stdout);
    fflush(stderr);
    dup2(save_out, 1);
    dup2(save_err, 2);
    close(save_out);
    close(save_err);
    close(fd);
    CU_ASSERT_EQUAL(rc1, SRT_OK);
    CU_ASSERT_EQUAL(warns, 3);
    CU_ASSERT_EQUAL(rc2, SRT_ESETTINGS);
    struct stat st;
    CU_ASSERT_EQUAL(stat(log, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 0);
}

/* parse() straight from memory names the document as given. */
static void test_parse_memory(void)
{
    struct srt_settings *s = NULL;
    struct srt_error err = { 0 };
    const char *doc = "{\"network\":{\"allowedDomains\":[\"*.com\"],\"deniedDomains\":[]}}";
    CU_ASSERT_EQUAL(srt_settings_parse(doc, strlen(doc), "inline", &fx.ctx, &s, &err), SRT_ESETTINGS);
    CU_ASSERT_EQUAL(strncmp(err.msg, "inline: not a valid srt configuration: ", 39), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "network.allowedDomains.0: invalid domain pattern \"*.com\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "; filesystem: required"));
    /* parse stops at len: trailing bytes beyond it are not read */
    const char *ok = "{\"network\":{\"allowedDomains\":[],\"deniedDomains\":[]},"
                     "\"filesystem\":{\"denyRead\":[],\"allowWrite\":[],\"denyWrite\":[]}}garbage";
    CU_ASSERT_EQUAL(srt_settings_parse(ok, strlen(ok) - 7, "inline", &fx.ctx, &s, &err), SRT_OK);
    srt_settings_free(s);
    CU_ASSERT_EQUAL(srt_settings_parse(ok, strlen(ok), "inline", &fx.ctx, &s, &err), SRT_ESETTINGS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not valid JSON"));
}

/* 3.7: a write root whose last component is a symlink is kept only when it
 * resolves below the link's own directory; one to an ancestor, to that
 * directory itself or to an unrelated tree is skipped with a warning. */
static void test_write_root_symlinks(void)
{
    const char *const links[][2] = { { "up", ".." }, { "self", "." }, { "far", "../docs" } };
    char p[PATH_MAX];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", fx.cwd, links[i][0]);
        CU_ASSERT_EQUAL_FATAL(symlink(links[i][1], p), 0);
    }
    const char *doc = "{\"network\":{\"allowedDomains\":[],\"deniedDomains\":[]},"
                      "\"filesystem\":{\"denyRead\":[],\"allowWrite\":[\"link\",\"up\",\"self\","
                      "\"far\"],\"denyWrite\":[]}}";
    struct srt_settings *s = NULL;
    struct srt_error err;
    char path[PATH_MAX];
    CU_ASSERT_EQUAL_FATAL(load_text("links", doc, &s, &err, path, sizeof path), SRT_OK);
    const struct srt_policy *pol = srt_settings_policy(s);
    CU_ASSERT_EQUAL(pol->allow_write.n, 1);
    CU_ASSERT_TRUE(has_path(&pol->allow_write, "cwd/src", 0));
    size_t skipped = 0;
    for (size_t i = 0; i < srt_settings_warning_count(s); i++)
        skipped += strstr(srt_settings_warning_get(s, i), "outside its directory; skipped") != NULL;
    CU_ASSERT_EQUAL(skipped, 3);
    srt_settings_free(s);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", fx.cwd, links[i][0]);
        unlink(p);
    }
}

void settings_register_more(CU_pSuite s)
{
    CU_add_test(s, "write roots through symlinks (3.7)", test_write_root_symlinks);
    CU_add_test(s, "order independence", test_order_independence);
    CU_add_test(s, "policy as JSON", test_to_json);
    CU_add_test(s, "private temp directory", test_tmpdir);
    CU_add_test(s, "library prints nothing", test_silent);
    CU_add_test(s, "parse from memory", test_parse_memory);
}
