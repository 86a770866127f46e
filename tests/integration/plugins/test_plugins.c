/* test_plugins.c - the five shipped plugins, loaded for real.
 *
 * Each plugin is loaded through the registry and the real host table, once as
 * its built srt-<name>.so and once as its built-in variant (SRT_BUILTIN),
 * created, exercised with the ops it supports, destroyed and unloaded - twice
 * in a row, so state that survives an unload shows up. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include <srt/fs.h>
#include <srt/monitor.h>
#include <srt/net.h>

#include "cu_main.h"
#include "deploy_int.h"
#include "log_int.h"
#include "registry_int.h"

const struct srt_plugin_desc *srt_builtin_fs_linux(void);
const struct srt_plugin_desc *srt_builtin_fs_macos(void);
const struct srt_plugin_desc *srt_builtin_net_http(void);
const struct srt_plugin_desc *srt_builtin_net_socks5(void);
const struct srt_plugin_desc *srt_builtin_monitor(void);

struct shipped {
    const char *name;
    const char *path;                              /* the built module */
    const struct srt_plugin_desc *(*entry)(void);  /* the built-in variant */
};

static const struct shipped ip_fs_linux   = { "fs-linux", PATH_FS_LINUX, srt_builtin_fs_linux };
static const struct shipped ip_fs_macos   = { "fs-macos", PATH_FS_MACOS, srt_builtin_fs_macos };
static const struct shipped ip_net_http   = { "net-http", PATH_NET_HTTP, srt_builtin_net_http };
static const struct shipped ip_net_socks5 = { "net-socks5", PATH_NET_SOCKS5, srt_builtin_net_socks5 };
static const struct shipped ip_monitor    = { "monitor", PATH_MONITOR, srt_builtin_monitor };

static const char ip_session_id[] = "00112233aabbccdd";

static void exercise_enforcer(struct srt_plugin *p)
{
    const struct srt_enforcer_ops *ops = srt_loader_desc(p)->ops.enforcer;
    struct srt_probe probe;
    memset(&probe, 0x55, sizeof probe);   /* whatever probe leaves unset shows */
    probe.struct_size = sizeof probe;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(ops->probe(srt_loader_inst(p), NULL, &probe, &err), SRT_OK);
    CU_ASSERT_TRUE(probe.usable == 0 || probe.usable == 1);
    CU_ASSERT_TRUE(memchr(probe.mode, '\0', sizeof probe.mode) && probe.mode[0] != '\0');
    CU_ASSERT_TRUE(memchr(probe.detail, '\0', sizeof probe.detail) && probe.detail[0] != '\0');
}

/* A loopback listener on port 0, for proxies that support attach. */
static int loopback_listener(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void exercise_proxy(struct srt_plugin *p, const struct shipped *ip)
{
    const struct srt_plugin_desc *d = srt_loader_desc(p);
    const struct srt_proxy_ops *ops = d->ops.proxy;
    bool http = strcmp(ip->name, "net-http") == 0;
    CU_ASSERT_EQUAL(ops->proto, http ? SRT_PROTO_HTTP : SRT_PROTO_SOCKS5);
    CU_ASSERT_TRUE(d->caps & (http ? SRT_PROXY_CAP_HTTP : SRT_PROXY_CAP_SOCKS5));
    /* What the caller sees for attach is what the plugin declares: NULL
     * ("not supported") stays NULL through the loader's copy. */
    const struct srt_proxy_ops *own = ip->entry()->ops.proxy;
    CU_ASSERT_EQUAL(ops->attach == NULL, own->attach == NULL);
    if (!ops->attach)
        return;
    int fd = loopback_listener();
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    struct srt_policy pol = { .struct_size = sizeof pol };
    struct srt_session s = { .struct_size = sizeof s, .id = ip_session_id, .command = "true",
                             .policy = &pol };
    struct srt_error err = { 0 };
    int rc = ops->attach(srt_loader_inst(p), fd, &s, &err);
    if (rc != SRT_OK)
        fprintf(stderr, "\n  %s attach: %s\n", ip->name, err.msg);
    CU_ASSERT_EQUAL(rc, SRT_OK);
    if (rc == SRT_OK && ops->detach)
        ops->detach(srt_loader_inst(p), &s);
    if (ops->stop)
        ops->stop(srt_loader_inst(p));
}

static size_t read_text(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return n;
}

/* Emit a violation and a lifecycle event, end the session, and read the
 * trace back: exactly one JSON line, the violation. */
static void exercise_monitor(struct srt_registry *reg, struct srt_plugin *p, const char *trace)
{
    const struct srt_monitor_ops *ops = srt_loader_desc(p)->ops.monitor;
    CU_ASSERT_TRUE(ops->event_mask & SRT_EV_NET_CONNECT);
    CU_ASSERT_FALSE(ops->event_mask & SRT_EV_SESSION_BEGIN);
    struct srt_event begin = { .struct_size = sizeof begin, .kind = SRT_EV_SESSION_BEGIN,
                               .session = ip_session_id };
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_NET_CONNECT,
                            .session = ip_session_id, .command = "curl https://example.com",
                            .pid = 77, .target = "example.com:443", .operation = "CONNECT",
                            .reason = "not in allowedDomains" };
    CU_ASSERT_EQUAL(srt_registry_emit(reg, "core", &begin), SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_emit(reg, "net-http", &ev), SRT_OK);
    struct srt_session s = { .struct_size = sizeof s, .id = ip_session_id, .command = "curl" };
    struct srt_error err = { 0 };
    FILE *log = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    srt_log_set_fd(fileno(log));
    if (ops->on_session_begin)
        ops->on_session_begin(srt_loader_inst(p), &s);
    if (ops->on_session_end)
        ops->on_session_end(srt_loader_inst(p), &s, 0);
    if (ops->flush)
        CU_ASSERT_EQUAL(ops->flush(srt_loader_inst(p), &err), SRT_OK);
    srt_log_set_fd(-1);
    fclose(log);

    char text[4096];
    size_t n = read_text(trace, text, sizeof text);
    CU_ASSERT_TRUE_FATAL(n > 0);
    char *nl = strchr(text, '\n');
    CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
    CU_ASSERT_EQUAL(nl[1], '\0');   /* one line: session.begin is not in the mask */
    *nl = '\0';
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "kind")), "net.connect");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "target")), "example.com:443");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "session")), ip_session_id);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "source")), "net-http");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "pid")), 77);
    const char *when = json_string_value(json_object_get(j, "time"));
    CU_ASSERT_TRUE(when && strlen(when) == 24 && when[23] == 'Z');
    json_decref(j);
}

/* Load, exercise and unload one shipped plugin, as a module or a built-in. */
static void run_once(const struct shipped *ip, bool builtin)
{
    char dir[] = "/tmp/srt-integ-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char trace[256], conf[512];
    snprintf(trace, sizeof trace, "%s/trace.jsonl", dir);
    snprintf(conf, sizeof conf, "plugins: { monitor: { trace = \"%s\"; summary = true; }; };", trace);
    struct srt_deploy *dep = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_deploy_parse(conf, "integration.conf", "/root", &dep, &err), SRT_OK);
    struct srt_registry *reg = NULL;
    CU_ASSERT_EQUAL_FATAL(srt_registry_new(getuid(), &reg, &err), SRT_OK);

    struct srt_plugin *p = NULL;
    const struct srt_config *cfg = srt_deploy_config(dep, ip->name);
    char label[64];
    snprintf(label, sizeof label, "built-in %s", ip->name);
    int rc = builtin ? srt_registry_load_builtin(reg, ip->entry, label, cfg, &p, &err)
                     : srt_registry_load_path(reg, ip->path, 0, cfg, &p, &err);
    if (rc != SRT_OK)
        fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL(rc, SRT_OK);
    if (rc == SRT_OK) {
        const struct srt_plugin_desc *d = srt_loader_desc(p);
        CU_ASSERT_STRING_EQUAL(d->name, ip->name);
        CU_ASSERT_STRING_EQUAL(srt_loader_path(p), builtin ? label : ip->path);
        CU_ASSERT_PTR_NOT_NULL(srt_loader_inst(p));
        if (d->kind == SRT_KIND_ENFORCER)
            exercise_enforcer(p);
        else if (d->kind == SRT_KIND_PROXY)
            exercise_proxy(p, ip);
        else
            exercise_monitor(reg, p, trace);
    }
    srt_registry_free(reg);
    srt_deploy_free(dep);
    unlink(trace);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static void run_twice(const struct shipped *ip, bool builtin)
{
    run_once(ip, builtin);
    run_once(ip, builtin);
}

static void test_fs_linux(void)          { run_twice(&ip_fs_linux, false); }
static void test_fs_linux_builtin(void)  { run_twice(&ip_fs_linux, true); }
static void test_fs_macos(void)          { run_twice(&ip_fs_macos, false); }
static void test_fs_macos_builtin(void)  { run_twice(&ip_fs_macos, true); }
static void test_net_http(void)          { run_twice(&ip_net_http, false); }
static void test_net_http_builtin(void)  { run_twice(&ip_net_http, true); }
static void test_net_socks5(void)        { run_twice(&ip_net_socks5, false); }
static void test_net_socks5_builtin(void) { run_twice(&ip_net_socks5, true); }
static void test_monitor(void)           { run_twice(&ip_monitor, false); }
static void test_monitor_builtin(void)   { run_twice(&ip_monitor, true); }

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("modules", NULL, NULL);
    CU_add_test(s, "fs-linux", test_fs_linux);
    CU_add_test(s, "fs-macos", test_fs_macos);
    CU_add_test(s, "net-http", test_net_http);
    CU_add_test(s, "net-socks5", test_net_socks5);
    CU_add_test(s, "monitor", test_monitor);
    s = CU_add_suite("built-ins", NULL, NULL);
    CU_add_test(s, "fs-linux", test_fs_linux_builtin);
    CU_add_test(s, "fs-macos", test_fs_macos_builtin);
    CU_add_test(s, "net-http", test_net_http_builtin);
    CU_add_test(s, "net-socks5", test_net_socks5_builtin);
    CU_add_test(s, "monitor", test_monitor_builtin);
}
