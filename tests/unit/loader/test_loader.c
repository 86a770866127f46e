/* test_loader.c - the loader's checks against the fixture modules
 * (tests/fixtures): each refusal has its exact code and names the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "fake_host.h"
#include "fx_common.h"
#include "loader_int.h"
#include "log_int.h"
#include "loader_tests.h"

const char *lt_fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/srt-%s.so", SRT_FIXTURE_DIR, name);
    return path;
}

bool lt_names_file(const char *msg, const char *path)
{
    size_t n = strlen(path);
    return strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0;
}

static FILE *lt_log_file;

void lt_log_begin(void)
{
    lt_log_file = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(lt_log_file);
    srt_log_set_fd(fileno(lt_log_file));
    srt_log_set_level(SRT_LOG_DEBUG);
}

const char *lt_log_end(void)
{
    static char text[8192];
    srt_log_set_fd(-1);
    srt_log_set_level(SRT_LOG_WARN);
    rewind(lt_log_file);
    size_t n = fread(text, 1, sizeof text - 1, lt_log_file);
    text[n] = '\0';
    fclose(lt_log_file);
    return text;
}

/* Open `path` expecting refusal `code` with `needle` in a message naming the file. */
static void expect_refusal(const char *path, int code, const char *needle)
{
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    int rc = srt_loader_open(path, getuid(), &p, &err);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(err.code, code);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_TRUE(lt_names_file(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
    if (rc != code || !strstr(err.msg, needle))
        fprintf(stderr, "\n  got %d: %s\n", rc, err.msg);
    srt_loader_close(p);
}

static void test_no_entry(void)
{
    expect_refusal(lt_fixture("fx-noentry"), SRT_ENOTFOUND, "entry: srt_plugin_entry not found");
}

static void test_entry_null(void)
{
    expect_refusal(lt_fixture("fx-null"), SRT_EPLUGIN, "entry: srt_plugin_entry returned NULL");
}

static void test_wrong_major(void)
{
    char want[4200];
    snprintf(want, sizeof want, "%s: ABI major 2 is not supported (this srt speaks 1.x)",
             lt_fixture("fx-major2"));
    expect_refusal(lt_fixture("fx-major2"), SRT_EVERSION, want);
}

static void test_short_struct(void)
{
    expect_refusal(lt_fixture("fx-short"), SRT_EVERSION, "descriptor too short");
}

static void test_short_ops(void)
{
    expect_refusal(lt_fixture("fx-shortops"), SRT_EVERSION, "ops table too short: struct_size 16");
}

static void test_unknown_kind(void)
{
    expect_refusal(lt_fixture("fx-kind"), SRT_EPLUGIN, "kind: unknown kind 9");
}

static void test_missing_op(void)
{
    expect_refusal(lt_fixture("fx-noop"), SRT_EPLUGIN, "mandatory op: monitor on_event is NULL");
}

static void test_bad_name(void)
{
    expect_refusal(lt_fixture("fx-badname"), SRT_EPLUGIN, "name: \"Bad_Name\" is not [a-z0-9-]");
    expect_refusal(lt_fixture("fx-prefix"), SRT_EPLUGIN, "does not start with \"monitor\"");
}

static void test_not_shared_object(void)
{
    expect_refusal(lt_fixture("fx-text"), SRT_EPLUGIN, "dlopen: ");
}

static void test_missing_file(void)
{
    expect_refusal(SRT_FIXTURE_DIR "/srt-fx-absent.so", SRT_ENOTFOUND, "no such file");
}

/* A private copy of the good fixture, so its mode and owner can be changed. */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        CU_ASSERT_EQUAL(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
    CU_ASSERT_EQUAL(chmod(to, 0755), 0);
}

static void test_file_safety(void)
{
    char dir[] = "/tmp/srt-loader-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char copy[256], link[256];
    snprintf(copy, sizeof copy, "%s/srt-monitor-fx-mask.so", dir);
    snprintf(link, sizeof link, "%s/srt-monitor-fx-link.so", dir);
    copy_file(lt_fixture("monitor-fx-mask"), copy);

    /* The copy itself is fine: the refusals below are due to the change alone. */
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_loader_open(copy, getuid(), &p, &err), SRT_OK);
    srt_loader_close(p);

    CU_ASSERT_EQUAL(chmod(copy, 0757), 0);   /* o+w */
    expect_refusal(copy, SRT_EPERM, "file safety: writable by group or others (mode 0757)");
    CU_ASSERT_EQUAL(chmod(copy, 0775), 0);   /* g+w */
    expect_refusal(copy, SRT_EPERM, "file safety: writable by group or others");
    CU_ASSERT_EQUAL(chmod(copy, 0755), 0);

    CU_ASSERT_EQUAL(symlink(copy, link), 0);
    expect_refusal(link, SRT_EPERM, "file safety: is a symbolic link");
    expect_refusal(dir, SRT_EPERM, "file safety: not a regular file");

    if (geteuid() == 0) {   /* only root can give a file away */
        CU_ASSERT_EQUAL(chown(copy, 4242, 4242), 0);
        expect_refusal(copy, SRT_EPERM, "file safety: owned by uid 4242, not root or uid 0");
        /* The invoking user named as trusted may own it. */
        CU_ASSERT_EQUAL(srt_loader_open(copy, 4242, &p, &err), SRT_OK);
        srt_loader_close(p);
    }
    unlink(link);
    unlink(copy);
    rmdir(dir);
}

/* A plugin from a newer minor is accepted, and its descriptor reads as ours. */
static void test_newer_minor(void)
{
    const char *path = lt_fixture("monitor-fx-newer");
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_loader_open(path, getuid(), &p, &err), SRT_OK);
    const struct srt_plugin_desc *d = srt_loader_desc(p);
    CU_ASSERT_EQUAL(d->abi_major, SRT_ABI_MAJOR);
    CU_ASSERT_EQUAL(d->abi_minor, SRT_ABI_MINOR + 9);
    CU_ASSERT_STRING_EQUAL(d->name, "monitor-fx-newer");
    CU_ASSERT_EQUAL(d->ops.monitor->event_mask, SRT_EV_ALL);
    CU_ASSERT_PTR_NOT_NULL(d->ops.monitor->on_event);
    CU_ASSERT_STRING_EQUAL(srt_loader_path(p), path);
    CU_ASSERT_PTR_NULL(srt_loader_inst(p));
    fake_host_reset();
    CU_ASSERT_EQUAL_FATAL(srt_loader_create(p, fake_host_get(), fake_handle(), fake_config(), &err),
                          SRT_OK);
    struct fx_state *s = srt_loader_inst(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_FS_READ, .target = "/etc/x" };
    d->ops.monitor->on_event(s, &ev);
    CU_ASSERT_EQUAL(s->n, 1);
    CU_ASSERT_STRING_EQUAL(s->targets[0], "/etc/x");
    /* Creating twice is a caller bug, refused rather than leaked. */
    CU_ASSERT_EQUAL(srt_loader_create(p, fake_host_get(), fake_handle(), fake_config(), &err),
                    SRT_EINVAL);
    srt_loader_close(p);
    CU_ASSERT_TRUE(fake_log_contains("destroyed"));
}

static void test_create_fails(void)
{
    const char *path = lt_fixture("monitor-fx-fail");
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_loader_open(path, getuid(), &p, &err), SRT_OK);
    fake_host_reset();
    int rc = srt_loader_create(p, fake_host_get(), fake_handle(), fake_config(), &err);
    CU_ASSERT_EQUAL(rc, SRT_EBACKEND);
    CU_ASSERT_EQUAL(err.code, SRT_EBACKEND);
    char want[4200];
    snprintf(want, sizeof want, "%s: create failed: cannot start fixture: refused on purpose", path);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    CU_ASSERT_PTR_NULL(srt_loader_inst(p));
    srt_loader_close(p);   /* no destroy after a failed create */
    CU_ASSERT_FALSE(fake_log_contains("destroyed"));
}

static const struct srt_plugin_desc *lt_entry_null(void) { return NULL; }

static const struct srt_plugin_desc *lt_entry_no_create(void)
{
    static const struct srt_monitor_ops ops = {
        .struct_size = sizeof ops, .event_mask = SRT_EV_ALL, .on_event = fx_on_event,
    };
    static const struct srt_plugin_desc d = {
        SRT_PLUGIN_DESC_INIT(SRT_KIND_MONITOR),
        .name = "monitor-lt", .destroy = fx_destroy, .ops.monitor = &ops,
    };
    return &d;
}

static void test_builtin(void)
{
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_loader_open_builtin(lt_entry_null, "built-in lt", &p, &err), SRT_EPLUGIN);
    CU_ASSERT_TRUE(lt_names_file(err.msg, "built-in lt"));
    CU_ASSERT_EQUAL(srt_loader_open_builtin(lt_entry_no_create, "built-in lt", &p, &err),
                    SRT_EPLUGIN);
    CU_ASSERT_STRING_EQUAL(err.msg, "built-in lt: mandatory op: create is NULL");
    CU_ASSERT_PTR_NULL(p);
    srt_loader_close(NULL);
}

static void test_name_rule(void)
{
    CU_ASSERT_TRUE(srt_loader_name_is_valid("net-http"));
    CU_ASSERT_TRUE(srt_loader_name_is_valid("a"));
    CU_ASSERT_FALSE(srt_loader_name_is_valid(""));
    CU_ASSERT_FALSE(srt_loader_name_is_valid("../net-http"));
    CU_ASSERT_FALSE(srt_loader_name_is_valid("Net-http"));
    char longname[80];
    memset(longname, 'a', sizeof longname);
    longname[63] = '\0';
    CU_ASSERT_TRUE(srt_loader_name_is_valid(longname));
    longname[63] = 'a';
    longname[64] = '\0';
    CU_ASSERT_FALSE(srt_loader_name_is_valid(longname));
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("loader", NULL, NULL);
    CU_add_test(s, "no entry symbol", test_no_entry);
    CU_add_test(s, "entry returns NULL", test_entry_null);
    CU_add_test(s, "wrong ABI major", test_wrong_major);
    CU_add_test(s, "newer minor with extra members", test_newer_minor);
    CU_add_test(s, "short struct_size", test_short_struct);
    CU_add_test(s, "short ops table", test_short_ops);
    CU_add_test(s, "unknown kind", test_unknown_kind);
    CU_add_test(s, "missing mandatory op", test_missing_op);
    CU_add_test(s, "bad names", test_bad_name);
    CU_add_test(s, "create fails with a message", test_create_fails);
    CU_add_test(s, "not a shared object", test_not_shared_object);
    CU_add_test(s, "missing file", test_missing_file);
    CU_add_test(s, "file safety", test_file_safety);
    CU_add_test(s, "built-in entries", test_builtin);
    CU_add_test(s, "name rule", test_name_rule);
    lt_register_registry();
    lt_register_event();
}
