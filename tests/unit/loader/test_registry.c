/* test_registry.c - the registry with the five real plugins and the fixtures:
 * lookup in plugin directories, duplicate and kind refusals, reverse-order
 * unload, event fan-out by mask, and the host services plugins call back. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <srt/fs.h>
#include <srt/net.h>

#include "cu_main.h"
#include "deploy_int.h"
#include "fx_common.h"
#include "loader_tests.h"
#include "registry_int.h"

static const char *const lt_dirs[] = { "/nonexistent/srt-plugins", SRT_PLUGIN_DIR };

static struct srt_registry *new_registry(void)
{
    struct srt_registry *reg = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_registry_new(getuid(), &reg, &err), SRT_OK);
    return reg;
}

static void test_real_plugins(void)
{
    static const struct { const char *name; uint32_t kind; } want[] = {
        { "fs-linux", SRT_KIND_ENFORCER }, { "fs-macos", SRT_KIND_ENFORCER },
        { "net-http", SRT_KIND_PROXY },    { "net-socks5", SRT_KIND_PROXY },
        { "monitor", SRT_KIND_MONITOR },
    };
    struct srt_registry *reg = new_registry();
    CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
    struct srt_error err = { 0 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct srt_plugin *p = NULL;
        int rc = srt_registry_load(reg, want[i].name, want[i].kind, lt_dirs, 2, NULL, &p, &err);
        CU_ASSERT_EQUAL(rc, SRT_OK);
        if (rc != SRT_OK) {
            fprintf(stderr, "\n  %s: %s\n", want[i].name, err.msg);
            continue;
        }
        const struct srt_plugin_desc *d = srt_loader_desc(p);
        CU_ASSERT_STRING_EQUAL(d->name, want[i].name);
        CU_ASSERT_EQUAL(d->kind, want[i].kind);
        CU_ASSERT_PTR_NOT_NULL(srt_loader_inst(p));
        char file[256];
        snprintf(file, sizeof file, "%s/srt-%s.so", SRT_PLUGIN_DIR, want[i].name);
        CU_ASSERT_STRING_EQUAL(srt_loader_path(p), file);
        CU_ASSERT_PTR_EQUAL(srt_registry_find(reg, want[i].name), p);
        CU_ASSERT_PTR_EQUAL(srt_registry_get(reg, i), p);
    }
    CU_ASSERT_EQUAL(srt_registry_count(reg), 5);
    CU_ASSERT_PTR_NULL(srt_registry_get(reg, 5));
    CU_ASSERT_PTR_NULL(srt_registry_find(reg, "net-ftp"));

    CU_ASSERT_EQUAL(srt_registry_load(reg, "net-http", 0, lt_dirs, 2, NULL, NULL, &err), SRT_EEXIST);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "net-http"));
    CU_ASSERT_EQUAL(srt_registry_load(reg, "net-ftp", 0, lt_dirs, 2, NULL, NULL, &err),
                    SRT_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.msg, "load plugin net-ftp: srt-net-ftp.so not found in "
                                    "/nonexistent/srt-plugins, " SRT_PLUGIN_DIR);
    CU_ASSERT_EQUAL(srt_registry_load(reg, "../lib/x", 0, lt_dirs, 2, NULL, NULL, &err), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_registry_count(reg), 5);
    srt_registry_free(reg);
}

static void test_wrong_kind(void)
{
    struct srt_registry *reg = new_registry();
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_registry_load(reg, "monitor", SRT_KIND_PROXY, lt_dirs, 2, NULL, NULL, &err),
                    SRT_EPLUGIN);
    CU_ASSERT_TRUE(lt_names_file(err.msg, SRT_PLUGIN_DIR "/srt-monitor.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "monitor is a monitor, expected a proxy"));
    CU_ASSERT_EQUAL(srt_registry_count(reg), 0);
    srt_registry_free(reg);
}

static void test_duplicate_name(void)
{
    struct srt_registry *reg = new_registry();
    struct srt_error err = { 0 };
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", lt_fixture("monitor-fx-dup-a"));
    snprintf(b, sizeof b, "%s", lt_fixture("monitor-fx-dup-b"));
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, a, SRT_KIND_MONITOR, NULL, NULL, &err), SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, b, SRT_KIND_MONITOR, NULL, NULL, &err), SRT_EEXIST);
    CU_ASSERT_EQUAL(err.code, SRT_EEXIST);
    CU_ASSERT_TRUE(lt_names_file(err.msg, b));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "duplicate name: monitor-fx-dup is already loaded from"));
    CU_ASSERT_EQUAL(srt_registry_count(reg), 1);
    srt_registry_free(reg);
}

static void test_create_failure(void)
{
    struct srt_registry *reg = new_registry();
    struct srt_error err = { 0 };
    const char *path = lt_fixture("monitor-fx-fail");
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, path, 0, NULL, NULL, &err), SRT_EBACKEND);
    CU_ASSERT_TRUE(lt_names_file(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "create failed: cannot start fixture"));
    CU_ASSERT_EQUAL(srt_registry_count(reg), 0);
    srt_registry_free(reg);
}

static void test_unload_order(void)
{
    struct srt_registry *reg = new_registry();
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-mask"), 0, NULL, NULL, &err),
                    SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-newer"), 0, NULL, NULL, &err),
                    SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-dup-a"), 0, NULL, NULL, &err),
                    SRT_OK);
    lt_log_begin();
    srt_registry_free(reg);
    const char *log = lt_log_end();
    const char *dup = strstr(log, "monitor-fx-dup: destroyed");
    const char *newer = strstr(log, "monitor-fx-newer: destroyed");
    const char *mask = strstr(log, "monitor-fx-mask: destroyed");
    CU_ASSERT_TRUE(dup && newer && mask && dup < newer && newer < mask);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void test_fan_out(void)
{
    struct srt_registry *reg = new_registry();
    struct srt_error err = { 0 };
    struct srt_plugin *mask = NULL, *all = NULL;
    CU_ASSERT_EQUAL_FATAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-mask"), 0, NULL, &mask,
                                                 &err), SRT_OK);
    CU_ASSERT_EQUAL_FATAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-newer"), 0, NULL, &all,
                                                 &err), SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_load(reg, "net-http", 0, lt_dirs, 2, NULL, NULL, &err), SRT_OK);
    static const uint32_t kinds[] = {
        SRT_EV_FS_READ, SRT_EV_FS_WRITE, SRT_EV_NET_CONNECT, SRT_EV_NET_REQUEST,
        SRT_EV_SESSION_BEGIN, SRT_EV_NET_CONNECT,
    };
    int64_t before = now_ns();
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        struct srt_event ev = { .struct_size = sizeof ev, .kind = kinds[i], .target = "t" };
        CU_ASSERT_EQUAL(srt_registry_emit(reg, "net-http", &ev), SRT_OK);
    }
    int64_t after = now_ns();
    struct fx_state *m = srt_loader_inst(mask), *a = srt_loader_inst(all);
    CU_ASSERT_EQUAL_FATAL(m->n, 3);
    CU_ASSERT_EQUAL(m->kinds[0], SRT_EV_FS_WRITE);
    CU_ASSERT_EQUAL(m->kinds[1], SRT_EV_NET_CONNECT);
    CU_ASSERT_EQUAL(m->kinds[2], SRT_EV_NET_CONNECT);
    CU_ASSERT_STRING_EQUAL(m->sources[0], "net-http");
    CU_ASSERT_TRUE(m->times[0] >= before && m->times[0] <= after);
    CU_ASSERT_EQUAL(a->n, 6);

    /* Through the host table: the source is the emitting plugin, a time the
     * producer set is kept, and malformed events reach nobody. */
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_FS_WRITE, .time_ns = 42,
                            .source = "forged" };
    CU_ASSERT_EQUAL(m->host->emit(m->self, &ev), SRT_OK);
    CU_ASSERT_EQUAL_FATAL(m->n, 4);
    CU_ASSERT_STRING_EQUAL(m->sources[3], "monitor-fx-mask");
    CU_ASSERT_EQUAL(m->times[3], 42);
    struct srt_event bad = ev;
    bad.struct_size = 16;
    CU_ASSERT_EQUAL(m->host->emit(m->self, &bad), SRT_EINVAL);
    bad = ev;
    bad.kind = SRT_EV_FS_WRITE | SRT_EV_FS_READ;
    CU_ASSERT_EQUAL(srt_registry_emit(reg, NULL, &bad), SRT_EINVAL);
    bad.kind = 0;
    CU_ASSERT_EQUAL(srt_registry_emit(reg, NULL, &bad), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_registry_emit(reg, NULL, NULL), SRT_EINVAL);
    CU_ASSERT_EQUAL(m->n, 4);
    CU_ASSERT_EQUAL(a->n, 7);
    srt_registry_free(reg);
}

/* A registry with the mask fixture; *s is its instance (to reach host, self). */
static struct srt_registry *with_fixture(struct fx_state **s)
{
    struct srt_registry *reg = new_registry();
    struct srt_plugin *p = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, lt_fixture("monitor-fx-mask"), 0, NULL, &p, &err),
                    SRT_OK);
    *s = p ? srt_loader_inst(p) : NULL;
    return reg;
}

static void test_host_log_fail(void)
{
    struct fx_state *s;
    struct srt_registry *reg = with_fixture(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct srt_host *h = s->host;
    CU_ASSERT_PTR_EQUAL(h, srt_host_table());
    CU_ASSERT_EQUAL(h->struct_size, sizeof(struct srt_host));
    CU_ASSERT_EQUAL(h->abi_major, SRT_ABI_MAJOR);
    lt_log_begin();
    SRT_LOG_WARN(h, s->self, "listener %d closed", 7);
    const char *log = lt_log_end();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "srt: warning: monitor-fx-mask: listener 7 closed\n"));

    struct srt_error err = { 0 };
    errno = ENOENT;
    h->fail(&err, SRT_EIO, "cannot open %s", "/x");
    CU_ASSERT_EQUAL(err.code, SRT_EIO);
    CU_ASSERT_EQUAL(err.sys_errno, ENOENT);
    CU_ASSERT_STRING_EQUAL(err.msg, "cannot open /x");
    h->fail(&err, SRT_EINVAL, "bad %s", "value");
    CU_ASSERT_EQUAL(err.sys_errno, 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "bad value");
    h->fail(NULL, SRT_EINVAL, "ignored");
    srt_registry_free(reg);
}

static void test_host_net(void)
{
    struct fx_state *s;
    struct srt_registry *reg = with_fixture(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct srt_host *h = s->host;
    struct srt_net_verdict v = { .struct_size = sizeof v, .allow = 1 };

    /* No policy anywhere: everything is refused. */
    CU_ASSERT_EQUAL(h->net_decide(s->self, NULL, "example.com", 443, &v), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_EQUAL(v.reason, "no network policy");
    CU_ASSERT_EQUAL(v.port, 443);
    v.allow = 1;
    static const uint8_t addr[4] = { 93, 184, 216, 34 };
    CU_ASSERT_EQUAL(h->net_vet(s->self, NULL, &v, 4, addr), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_EQUAL(v.reason, "no network policy");

    /* The registry's policy applies when no session is given... */
    static const char *const allowed[] = { "example.com" };
    struct srt_policy pol = { .struct_size = sizeof pol };
    pol.allowed_domains.v = allowed;
    pol.allowed_domains.n = 1;
    srt_registry_set_policy(reg, &pol);
    CU_ASSERT_EQUAL(h->net_decide(s->self, NULL, "Example.COM.", 443, &v), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 1);
    CU_ASSERT_STRING_EQUAL(v.host, "example.com");
    CU_ASSERT_EQUAL(h->net_decide(s->self, NULL, "evil.example", 443, &v), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_NOT_EQUAL(v.reason, "");

    /* ...and a session's own policy (here none) when one is given. */
    struct srt_session sess = { .struct_size = sizeof sess, .id = "0123456789abcdef" };
    CU_ASSERT_EQUAL(h->net_decide(s->self, &sess, "example.com", 443, &v), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_EQUAL(v.reason, "no network policy");
    sess.policy = &pol;
    CU_ASSERT_EQUAL(h->net_decide(s->self, &sess, "example.com", 443, &v), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 1);

    struct srt_net_verdict short_v = { .struct_size = 8 };
    CU_ASSERT_EQUAL(h->net_decide(s->self, NULL, "example.com", 443, &short_v), SRT_EINVAL);
    CU_ASSERT_EQUAL(h->net_decide(s->self, NULL, "example.com", 443, NULL), SRT_EINVAL);
    CU_ASSERT_EQUAL(h->net_vet(s->self, NULL, &v, 5, addr), SRT_EINVAL);
    srt_registry_free(reg);
}

static void test_host_cfg(void)
{
    struct fx_state *s;
    struct srt_registry *reg = with_fixture(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct srt_deploy *d = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_deploy_parse("plugins: { monitor-fx-mask: { trace = \"/t\"; n = 5; "
                                           "on = true; }; };", "test.conf", "/root", &d, &err),
                          SRT_OK);
    const struct srt_config *cfg = srt_deploy_config(d, "monitor-fx-mask");
    const char *str = NULL;
    int64_t n = 0;
    int on = 0;
    CU_ASSERT_EQUAL(s->host->cfg_str(cfg, "trace", &str), SRT_OK);
    CU_ASSERT_STRING_EQUAL(str, "/t");
    CU_ASSERT_EQUAL(s->host->cfg_int(cfg, "n", &n), SRT_OK);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(s->host->cfg_bool(cfg, "on", &on), SRT_OK);
    CU_ASSERT_EQUAL(on, 1);
    CU_ASSERT_EQUAL(s->host->cfg_str(cfg, "absent", &str), SRT_ENOTFOUND);
    CU_ASSERT_EQUAL(s->host->cfg_int(cfg, "trace", &n), SRT_ETYPE);
    srt_deploy_free(d);
    srt_registry_free(reg);
}

void lt_register_registry(void)
{
    CU_pSuite s = CU_add_suite("registry", NULL, NULL);
    CU_add_test(s, "the five real plugins", test_real_plugins);
    CU_add_test(s, "wrong kind", test_wrong_kind);
    CU_add_test(s, "duplicate name", test_duplicate_name);
    CU_add_test(s, "create failure", test_create_failure);
    CU_add_test(s, "unload in reverse order", test_unload_order);
    CU_add_test(s, "event fan-out by mask", test_fan_out);
    s = CU_add_suite("host", NULL, NULL);
    CU_add_test(s, "log and fail", test_host_log_fail);
    CU_add_test(s, "net_decide and net_vet", test_host_net);
    CU_add_test(s, "cfg services", test_host_cfg);
}
