/* test_relay.c - the relay engine under a minimal line protocol: the
 * client sends "host port\n", the relay decides and dials through the fake
 * host, the protocol answers "ok\n" and tunnels, or "no <how>\n" and
 * closes. Covers option loading, the connection limit, the idle timeout,
 * detach and stop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <srt_relay.h>

#include "cu_main.h"
#include "fake_host.h"
#include "net_peers.h"
#include "proxy_harness.h"

static struct net_peer *echo;

static int line_open(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    (void)c;
    return SRT_OK;
}

static void line_step(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    size_t len;
    const char *p = srt_relay_peek(c, SRT_RELAY_CLIENT, &len);
    const char *nl = memchr(p, '\n', len);
    if (!nl && srt_relay_eof(c, SRT_RELAY_CLIENT))
        srt_relay_finish(c);
    if (!nl || srt_relay_data(c))
        return;
    char host[256];
    unsigned port = 0;
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
    srt_relay_consume(c, SRT_RELAY_CLIENT, (size_t)(nl - p) + 1);
    srt_relay_set_data(c, c);   /* dial asked */
    if (sscanf(line, "%255s %u", host, &port) != 2 || srt_relay_dial(c, host, (uint16_t)port)) {
        srt_relay_send(c, SRT_RELAY_CLIENT, "bad\n", 4);
        srt_relay_finish(c);
    }
}

static void line_dialed(void *ctx, struct srt_relay_conn *c, enum srt_relay_dial how,
                        const struct srt_net_verdict *v)
{
    (void)ctx;
    (void)v;
    char msg[16];
    if (how == SRT_RELAY_DIAL_OK) {
        srt_relay_send(c, SRT_RELAY_CLIENT, "ok\n", 3);
        srt_relay_tunnel(c);
        return;
    }
    int n = snprintf(msg, sizeof msg, "no %d\n", (int)how);
    srt_relay_send(c, SRT_RELAY_CLIENT, msg, (size_t)n);
    srt_relay_finish(c);
}

static void line_close(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    (void)c;
}

static const struct srt_relay_proto line_proto = {
    .on_open = line_open, .on_step = line_step, .on_dialed = line_dialed,
    .on_close = line_close,
};

static struct srt_relay *relay;
static struct srt_session session = { .struct_size = sizeof session, .id = "feedfacefeedface" };
static uint16_t relay_port;

static void start_relay(void)
{
    harness_install();
    struct srt_relay_limits lim;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_relay_limits_load(fake_host_get(), fake_config(), &lim, &err),
                          SRT_OK);
    CU_ASSERT_EQUAL_FATAL(srt_relay_new(fake_host_get(), fake_handle(), "line", &lim,
                                        &line_proto, NULL, &relay, &err), SRT_OK);
    int fd = net_listen(&relay_port);
    CU_ASSERT_EQUAL_FATAL(srt_relay_attach(relay, fd, &session, &err), SRT_OK);
}

static int dial_line(const char *line, char *resp, size_t cap)
{
    int fd = net_connect(relay_port, 0);
    if (fd < 0)
        return -1;
    net_send_str(fd, line);
    net_recv_until(fd, resp, cap, "\n");
    return fd;
}

static int suite_init(void)
{
    echo = net_echo_start();
    return echo ? 0 : -1;
}

static int suite_clean(void)
{
    net_peer_stop(echo);
    return 0;
}

static void setup(void)
{
    fake_host_reset();
    relay = NULL;
}

static void teardown(void)
{
    srt_relay_free(relay);
    relay = NULL;
    srt_relay_set_resolver(NULL);
}

static void test_limits(void)
{
    struct srt_relay_limits lim;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_relay_limits_load(fake_host_get(), fake_config(), &lim, &err), SRT_OK);
    CU_ASSERT_EQUAL(lim.handshake_ms, 10000);
    CU_ASSERT_EQUAL(lim.max_conns, 4096);
    CU_ASSERT_EQUAL(lim.head_max, 64 * 1024);
    fake_config_set("handshake_timeout_ms", "200");
    CU_ASSERT_EQUAL(srt_relay_limits_load(fake_host_get(), fake_config(), &lim, &err), SRT_OK);
    CU_ASSERT_EQUAL(lim.handshake_ms, 200);
    fake_config_set("max_connections", "0");
    CU_ASSERT_EQUAL(srt_relay_limits_load(fake_host_get(), fake_config(), &lim, &err),
                    SRT_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_connections"));
    fake_config_set("max_connections", "many");
    CU_ASSERT_EQUAL(srt_relay_limits_load(fake_host_get(), fake_config(), &lim, &err),
                    SRT_ETYPE);
}

static void test_dial_and_deny(void)
{
    fake_config_set("resolver_threads", "1");
    start_relay();
    char line[64], resp[64];
    snprintf(line, sizeof line, "allowed.test %u\n", net_peer_port(echo));
    int fd = dial_line(line, resp, sizeof resp);
    CU_ASSERT_STRING_EQUAL(resp, "ok\n");
    net_send_str(fd, "abc");
    CU_ASSERT_EQUAL(net_recv_n(fd, resp, 3), 3);
    close(fd);
    fd = dial_line("denied.test 80\n", resp, sizeof resp);
    CU_ASSERT_STRING_EQUAL(resp, "no 1\n");
    close(fd);
    fd = dial_line("guarded.test 80\n", resp, sizeof resp);
    CU_ASSERT_STRING_EQUAL(resp, "no 2\n");
    close(fd);
    fd = dial_line("nowhere.test 80\n", resp, sizeof resp);
    CU_ASSERT_STRING_EQUAL(resp, "no 3\n");
    close(fd);
}

static void test_connection_limit(void)
{
    fake_config_set("max_connections", "2");
    start_relay();
    int a = net_connect(relay_port, 1000), b = net_connect(relay_port, 1000);
    int c = net_connect(relay_port, 1000);
    char buf[8];
    /* The third is accepted by the kernel, then closed by the relay. */
    CU_ASSERT_EQUAL(recv(c, buf, sizeof buf, 0), 0);
    close(c);
    close(a);
    usleep(100000);
    int d = net_connect(relay_port, 300);
    CU_ASSERT(recv(d, buf, sizeof buf, 0) < 0);   /* kept open: times out */
    close(d);
    close(b);
}

static void test_idle_timeout(void)
{
    fake_config_set("idle_timeout_ms", "200");
    start_relay();
    char line[64], resp[64];
    snprintf(line, sizeof line, "127.0.0.1 %u\n", net_peer_port(echo));
    int fd = dial_line(line, resp, sizeof resp);
    CU_ASSERT_STRING_EQUAL(resp, "ok\n");
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
}

static void test_detach_and_stop(void)
{
    start_relay();
    int fd = net_connect(relay_port, 0);
    CU_ASSERT(fd >= 0);
    net_send_str(fd, "partial");
    srt_relay_detach(relay, &session);
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    CU_ASSERT(net_connect(relay_port, 0) < 0);
    srt_relay_stop(relay);
    srt_relay_stop(relay);
    struct srt_error err = { 0 };
    uint16_t port;
    int l = net_listen(&port);
    CU_ASSERT_EQUAL(srt_relay_attach(relay, l, &session, &err), SRT_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stopped"));
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("relay", suite_init, suite_clean, setup,
                                                       teardown);
    CU_add_test(s, "limits from options", test_limits);
    CU_add_test(s, "dial outcomes", test_dial_and_deny);
    CU_add_test(s, "connection limit", test_connection_limit);
    CU_add_test(s, "idle timeout", test_idle_timeout);
    CU_add_test(s, "detach and stop", test_detach_and_stop);
}
