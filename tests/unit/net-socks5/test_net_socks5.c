/* test_net_socks5.c - the net-socks5 proxy: its parsers directly (suite
 * socks_parse) and the built-in plugin against the fake host and a
 * loopback echo server (suite net_socks5): address types, both methods,
 * refused commands and hosts with their events, malformed handshakes. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <srt/net.h>

#include "cu_main.h"
#include "fake_host.h"
#include "net_peers.h"
#include "proxy_harness.h"
#include "socks_parse.h"

const struct srt_plugin_desc *srt_builtin_net_socks5(void);

static struct net_peer *echo;
static struct proxy_harness px;

/* ---- parser ---- */

static void test_parse_greeting(void)
{
    size_t used = 0;
    uint8_t m = 0;
    const uint8_t both[] = { 5, 2, 0, 2 }, none[] = { 5, 1, 0 }, gss[] = { 5, 1, 1 };
    CU_ASSERT_EQUAL(socks_parse_greeting(both, 3, &used, &m), SOCKS_MORE);
    CU_ASSERT_EQUAL(socks_parse_greeting(both, 4, &used, &m), SOCKS_OK);
    CU_ASSERT_EQUAL(m, SOCKS_M_USERPASS);
    CU_ASSERT_EQUAL(used, 4);
    CU_ASSERT_EQUAL(socks_parse_greeting(none, 3, &used, &m), SOCKS_OK);
    CU_ASSERT_EQUAL(m, SOCKS_M_NONE);
    CU_ASSERT_EQUAL(socks_parse_greeting(gss, 3, &used, &m), SOCKS_OK);
    CU_ASSERT_EQUAL(m, SOCKS_M_REFUSED);
    const uint8_t v4[] = { 4, 1, 0 }, zero[] = { 5, 0 };
    CU_ASSERT_EQUAL(socks_parse_greeting(v4, 3, &used, &m), SOCKS_BAD);
    CU_ASSERT_EQUAL(socks_parse_greeting(zero, 2, &used, &m), SOCKS_BAD);
    const uint8_t auth[] = { 1, 1, 'u', 2, 'p', 'w' };
    CU_ASSERT_EQUAL(socks_parse_auth(auth, 5, &used), SOCKS_MORE);
    CU_ASSERT_EQUAL(socks_parse_auth(auth, 6, &used), SOCKS_OK);
    CU_ASSERT_EQUAL(used, 6);
    const uint8_t auth_bad[] = { 5, 1, 'u', 0 };
    CU_ASSERT_EQUAL(socks_parse_auth(auth_bad, 4, &used), SOCKS_BAD);
}

static void test_parse_request(void)
{
    struct socks_request r;
    size_t used = 0;
    const uint8_t ip4[] = { 5, 1, 0, 1, 10, 0, 0, 1, 0x01, 0xbb };
    CU_ASSERT_EQUAL(socks_parse_request(ip4, 9, &used, &r), SOCKS_MORE);
    CU_ASSERT_EQUAL(socks_parse_request(ip4, 10, &used, &r), SOCKS_OK);
    CU_ASSERT_STRING_EQUAL(r.host, "10.0.0.1");
    CU_ASSERT_EQUAL(r.port, 443);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_OK);
    uint8_t ip6[22] = { 5, 1, 0, 4 };
    inet_pton(AF_INET6, "::ffff:169.254.169.254", ip6 + 4);
    ip6[21] = 80;
    CU_ASSERT_EQUAL(socks_parse_request(ip6, 22, &used, &r), SOCKS_OK);
    CU_ASSERT_STRING_EQUAL(r.host, "::ffff:169.254.169.254");
    const uint8_t dom[] = { 5, 1, 0, 3, 6, 'a', '.', 't', 'e', 's', 't', 0, 80 };
    CU_ASSERT_EQUAL(socks_parse_request(dom, sizeof dom, &used, &r), SOCKS_OK);
    CU_ASSERT_STRING_EQUAL(r.host, "a.test");
    const uint8_t nul[] = { 5, 1, 0, 3, 6, 'a', '\0', 'b', '.', 'c', 'd', 0, 80 };
    CU_ASSERT_EQUAL(socks_parse_request(nul, sizeof nul, &used, &r), SOCKS_OK);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_NOT_ALLOWED);
    const uint8_t hi[] = { 5, 1, 0, 3, 2, 0xc3, 0xa9, 0, 80 };
    CU_ASSERT_EQUAL(socks_parse_request(hi, sizeof hi, &used, &r), SOCKS_OK);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_NOT_ALLOWED);
    const uint8_t bind[] = { 5, 2, 0, 1, 1, 2, 3, 4, 0, 80 };
    CU_ASSERT_EQUAL(socks_parse_request(bind, sizeof bind, &used, &r), SOCKS_OK);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_CMD);
    const uint8_t atyp[] = { 5, 1, 0, 9, 1 };
    CU_ASSERT_EQUAL(socks_parse_request(atyp, sizeof atyp, &used, &r), SOCKS_OK);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_ATYP);
    const uint8_t port0[] = { 5, 1, 0, 1, 1, 2, 3, 4, 0, 0 };
    CU_ASSERT_EQUAL(socks_parse_request(port0, sizeof port0, &used, &r), SOCKS_OK);
    CU_ASSERT_EQUAL(r.rep, SOCKS_REP_NOT_ALLOWED);
    const uint8_t rsv[] = { 5, 1, 1, 1 };
    CU_ASSERT_EQUAL(socks_parse_request(rsv, sizeof rsv, &used, &r), SOCKS_BAD);
}

/* ---- proxy ---- */

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
    if (harness_start(&px, srt_builtin_net_socks5()) != 0)
        px.inst = NULL;
}

static void teardown(void)
{
    harness_stop(&px);
}

/* Greeting (with user/pass when `user`), then the request; returns the fd
 * and the REP byte in *rep (-1 when no reply came). */
static int socks_open(const char *user, const uint8_t *req, size_t len, int *rep)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(px.inst);
    int fd = net_connect(px.port, 0);
    uint8_t buf[16];
    *rep = -1;
    if (fd < 0)
        return -1;
    if (user) {
        uint8_t g[] = { 5, 2, 0, 2 };
        net_send_all(fd, g, sizeof g);
        if (net_recv_n(fd, buf, 2) != 2 || buf[1] != 2)
            return fd;
        uint8_t a[300];
        size_t n = 0;
        a[n++] = 1;
        a[n++] = (uint8_t)strlen(user);
        memcpy(a + n, user, strlen(user));
        n += strlen(user);
        a[n++] = 6;
        memcpy(a + n, "secret", 6);
        n += 6;
        net_send_all(fd, a, n);
        if (net_recv_n(fd, buf, 2) != 2 || buf[1] != 0)
            return fd;
    } else {
        uint8_t g[] = { 5, 1, 0 };
        net_send_all(fd, g, sizeof g);
        if (net_recv_n(fd, buf, 2) != 2 || buf[1] != 0)
            return fd;
    }
    net_send_all(fd, req, len);
    if (net_recv_n(fd, buf, 10) == 10 && buf[0] == 5)
        *rep = buf[1];
    return fd;
}

static size_t req_domain(uint8_t *out, uint8_t cmd, const char *host, size_t hlen, uint16_t port)
{
    size_t n = 0;
    out[n++] = 5;
    out[n++] = cmd;
    out[n++] = 0;
    out[n++] = 3;
    out[n++] = (uint8_t)hlen;
    memcpy(out + n, host, hlen);
    n += hlen;
    out[n++] = (uint8_t)(port >> 8);
    out[n++] = (uint8_t)port;
    return n;
}

static void round_trip(int fd)
{
    CU_ASSERT_EQUAL(net_send_str(fd, "hello"), 0);
    char back[16] = "";
    CU_ASSERT_EQUAL(net_recv_n(fd, back, 5), 5);
    CU_ASSERT(memcmp(back, "hello", 5) == 0);
    shutdown(fd, SHUT_WR);
    CU_ASSERT(net_wait_eof(fd));
}

static void test_ipv4_noauth(void)
{
    uint16_t p = net_peer_port(echo);
    uint8_t req[] = { 5, 1, 0, 1, 127, 0, 0, 1, (uint8_t)(p >> 8), (uint8_t)p };
    int rep;
    int fd = socks_open(NULL, req, sizeof req, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_OK);
    round_trip(fd);
    close(fd);
    CU_ASSERT_EQUAL(fake_event_count(), 0);
}

static void test_domain_userpass(void)
{
    uint8_t req[300];
    size_t n = req_domain(req, 1, "allowed.test", 12, net_peer_port(echo));
    int rep;
    int fd = socks_open("srt.Y29tbWFuZA", req, n, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_OK);
    round_trip(fd);
    close(fd);
}

static void test_ipv6(void)
{
    /* Decided as "::1" and allowed; the echo server is IPv4-only, so the
     * dial is refused: REP 0x05 shows the address went through. */
    uint16_t p = net_peer_port(echo);
    uint8_t req[22] = { 5, 1, 0, 4 };
    inet_pton(AF_INET6, "::1", req + 4);
    req[20] = (uint8_t)(p >> 8);
    req[21] = (uint8_t)p;
    size_t decisions = harness_decisions();
    int rep;
    int fd = socks_open(NULL, req, sizeof req, &rep);
    CU_ASSERT(rep == SOCKS_REP_REFUSED || rep == SOCKS_REP_HOST_UNREACH);
    CU_ASSERT_EQUAL(harness_decisions(), decisions + 1);
    close(fd);
}

static void test_bind_udp(void)
{
    uint8_t req[300];
    int rep;
    for (uint8_t cmd = 2; cmd <= 3; cmd++) {
        size_t n = req_domain(req, cmd, "allowed.test", 12, 80);
        int fd = socks_open(NULL, req, n, &rep);
        CU_ASSERT_EQUAL(rep, SOCKS_REP_CMD);
        CU_ASSERT(net_wait_eof(fd));
        close(fd);
    }
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, "allowed.test:80"), 2);
    struct fake_event ev;
    CU_ASSERT_EQUAL(fake_event_get(0, &ev), 0);
    CU_ASSERT_STRING_EQUAL(ev.operation, "BIND");
    CU_ASSERT_EQUAL(fake_event_get(1, &ev), 0);
    CU_ASSERT_STRING_EQUAL(ev.operation, "UDP ASSOCIATE");
}

static void test_nul_domain(void)
{
    static const char host[] = "evil.test\0.allowed.test";
    uint8_t req[300];
    size_t n = req_domain(req, 1, host, sizeof host - 1, net_peer_port(echo));
    size_t decisions = harness_decisions(), accepts = net_peer_accepts(echo);
    int rep;
    int fd = socks_open(NULL, req, n, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_NOT_ALLOWED);
    close(fd);
    CU_ASSERT_EQUAL(harness_decisions(), decisions);
    CU_ASSERT_EQUAL(net_peer_accepts(echo), accepts);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, NULL), 1);
}

static void test_refusals(void)
{
    uint16_t p = net_peer_port(echo);
    size_t accepts = net_peer_accepts(echo);
    uint8_t req[300];
    int rep;
    size_t n = req_domain(req, 1, "denied.test", 11, p);
    int fd = socks_open(NULL, req, n, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_NOT_ALLOWED);
    close(fd);
    n = req_domain(req, 1, "guarded.test", 12, p);
    fd = socks_open(NULL, req, n, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_NOT_ALLOWED);
    close(fd);
    CU_ASSERT_EQUAL(net_peer_accepts(echo), accepts);
    char target[64];
    snprintf(target, sizeof target, "denied.test:%u", p);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, target), 1);
    snprintf(target, sizeof target, "guarded.test:%u", p);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, target), 1);

    n = req_domain(req, 1, "nowhere.test", 12, p);
    fd = socks_open(NULL, req, n, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_HOST_UNREACH);
    close(fd);
    uint16_t dead;
    int l = net_listen(&dead);
    close(l);
    uint8_t ip4[] = { 5, 1, 0, 1, 127, 0, 0, 1, (uint8_t)(dead >> 8), (uint8_t)dead };
    fd = socks_open(NULL, ip4, sizeof ip4, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_REFUSED);
    close(fd);
}

static void test_malformed(void)
{
    const uint8_t v4[] = { 4, 1, 0, 80, 127, 0, 0, 1, 0 };
    int fd = net_connect(px.port, 0);
    net_send_all(fd, v4, sizeof v4);
    char buf[16];
    CU_ASSERT_EQUAL(net_recv_all(fd, buf, sizeof buf), 0);
    close(fd);

    const uint8_t gss[] = { 5, 1, 1 };
    fd = net_connect(px.port, 0);
    net_send_all(fd, gss, sizeof gss);
    CU_ASSERT_EQUAL(net_recv_all(fd, buf, sizeof buf), 2);
    CU_ASSERT_EQUAL((uint8_t)buf[1], SOCKS_M_REFUSED);
    close(fd);

    /* Still serving. */
    uint16_t p = net_peer_port(echo);
    uint8_t req[] = { 5, 1, 0, 1, 127, 0, 0, 1, (uint8_t)(p >> 8), (uint8_t)p };
    int rep;
    fd = socks_open(NULL, req, sizeof req, &rep);
    CU_ASSERT_EQUAL(rep, SOCKS_REP_OK);
    round_trip(fd);
    close(fd);
}

/* network.socksProxyPort: relayed byte for byte, never filtered. */
static void test_external_port(void)
{
    harness_check_forward(srt_builtin_net_socks5(), false, "socksProxyPort");
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("socks_parse", NULL, NULL);
    CU_add_test(s, "greeting and RFC 1929", test_parse_greeting);
    CU_add_test(s, "requests", test_parse_request);

    s = CU_add_suite_with_setup_and_teardown("net_socks5", suite_init, suite_clean, setup,
                                             teardown);
    CU_add_test(s, "IPv4 without authentication", test_ipv4_noauth);
    CU_add_test(s, "domain with username/password", test_domain_userpass);
    CU_add_test(s, "IPv6 address type", test_ipv6);
    CU_add_test(s, "BIND and UDP ASSOCIATE refused", test_bind_udp);
    CU_add_test(s, "domain with NUL refused", test_nul_domain);
    CU_add_test(s, "policy, guard and dial refusals", test_refusals);
    CU_add_test(s, "malformed handshakes", test_malformed);
    CU_add_test(s, "socksProxyPort relays unfiltered", test_external_port);
}
