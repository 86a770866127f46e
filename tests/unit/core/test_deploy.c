/* test_deploy.c - srt.conf parsing, defaults, search order and errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_tests.h"
#include "cu_main.h"
#include "deploy_int.h"

static struct srt_deploy *parse_ok(const char *text)
{
    struct srt_deploy *d = NULL;
    struct srt_error err = { 0 };
    int rc = srt_deploy_parse(text, "t.conf", "/home/u", &d, &err);
    CU_ASSERT_EQUAL_FATAL(rc, SRT_OK);
    return d;
}

static void parse_bad(const char *text, const char *needle)
{
    struct srt_deploy *d = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_deploy_parse(text, "t.conf", "/home/u", &d, &err), SRT_EDEPLOY);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
    if (!strstr(err.msg, needle))
        fprintf(stderr, "message was: %s\n", err.msg);
}

static void test_builtin_default(void)
{
    struct srt_deploy *d = parse_ok("");
    size_t n;
    CU_ASSERT_STRING_EQUAL(srt_deploy_enforcer(d), "fs-linux");
    const char *const *p = srt_deploy_proxies(d, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(p[0], "net-http");
    CU_ASSERT_STRING_EQUAL(p[1], "net-socks5");
    p = srt_deploy_monitors(d, &n);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(p[0], "monitor");
    p = srt_deploy_plugin_path(d, &n);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(p[0], "/srt/plugins"));
    srt_deploy_free(d);
}

static void test_full_file(void)
{
    struct srt_deploy *d = parse_ok(
        "plugin_path = [ \"/opt/srt/plugins\", \"~/plugins\" ];\n"
        "enforcer = \"fs-linux\";\n"
        "proxies = [ \"net-socks5\" ];\n"
        "monitors = [ ];\n"
        "plugins: { monitor: { trace = \"~/t.jsonl\"; summary = false; depth = 7; }; };\n");
    size_t n;
    const char *const *p = srt_deploy_plugin_path(d, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(p[1], "/home/u/plugins");
    srt_deploy_proxies(d, &n);
    CU_ASSERT_EQUAL(n, 1);
    srt_deploy_monitors(d, &n);
    CU_ASSERT_EQUAL(n, 0);   /* explicit empty list: none */
    const struct srt_config *c = srt_deploy_config(d, "monitor");
    const char *s;
    int64_t i;
    int b = 1;
    CU_ASSERT_EQUAL(srt_config_str(c, "trace", &s), SRT_OK);
    CU_ASSERT_STRING_EQUAL(s, "/home/u/t.jsonl");
    CU_ASSERT_EQUAL(srt_config_bool(c, "summary", &b), SRT_OK);
    CU_ASSERT_EQUAL(b, 0);
    CU_ASSERT_EQUAL(srt_config_int(c, "depth", &i), SRT_OK);
    CU_ASSERT_EQUAL(i, 7);
    CU_ASSERT_EQUAL(srt_config_int(c, "trace", &i), SRT_ETYPE);
    CU_ASSERT_EQUAL(srt_config_str(c, "absent", &s), SRT_ENOTFOUND);
    CU_ASSERT_EQUAL(srt_config_str(srt_deploy_config(d, "net-http"), "x", &s), SRT_ENOTFOUND);
    srt_deploy_free(d);
}

static void test_errors(void)
{
    parse_bad("enforcer = ;", "t.conf:1:");
    parse_bad("\n\nproxie = [ \"net-http\" ];", "t.conf:3: unknown setting \"proxie\"");
    parse_bad("proxies = [ \"Net_HTTP\" ];", "proxies: expected plugin names");
    parse_bad("plugin_path = [ \"relative/dir\" ];", "must be absolute");
    parse_bad("enforcer = 3;", "enforcer: expected a plugin name");
    parse_bad("plugins: { monitor = 1; };", "plugins.monitor: expected an option group");
    parse_bad("plugins = 3;", "plugins: expected a group");
}

static void test_set_str_and_load(void)
{
    char dir[] = "/tmp/srt-deploy-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/srt.conf", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("monitors = [ \"monitor\" ];\n", f);
    fclose(f);
    struct srt_deploy *d = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_deploy_load(path, "/home/u", &d, &err), SRT_OK);
    CU_ASSERT_STRING_EQUAL(srt_deploy_source(d), path);
    CU_ASSERT_EQUAL(srt_deploy_set_str(d, "monitor", "trace", "/x/t.jsonl", &err), SRT_OK);
    const char *s = NULL;
    CU_ASSERT_EQUAL(srt_config_str(srt_deploy_config(d, "monitor"), "trace", &s), SRT_OK);
    CU_ASSERT_STRING_EQUAL(s, "/x/t.jsonl");
    srt_deploy_free(d);

    /* $SRT_DEPLOY is searched before the user and system files. */
    setenv("SRT_DEPLOY", path, 1);
    CU_ASSERT_EQUAL(srt_deploy_load(NULL, "/nonexistent-home", &d, &err), SRT_OK);
    CU_ASSERT_STRING_EQUAL(srt_deploy_source(d), path);
    srt_deploy_free(d);
    unsetenv("SRT_DEPLOY");

    /* An explicit path that does not exist is refused, never replaced by defaults. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none.conf", dir);
    CU_ASSERT_EQUAL(srt_deploy_load(missing, "/home/u", &d, &err), SRT_EDEPLOY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, missing));
    unlink(path);
    rmdir(dir);
}

void core_tests_deploy(void)
{
    CU_pSuite s = CU_add_suite("deploy", NULL, NULL);
    CU_add_test(s, "built-in default", test_builtin_default);
    CU_add_test(s, "full file", test_full_file);
    CU_add_test(s, "errors carry file and line", test_errors);
    CU_add_test(s, "set_str, explicit and env search", test_set_str_and_load);
}
