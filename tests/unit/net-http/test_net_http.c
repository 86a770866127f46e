/* test_net_http.c - the net-http proxy: its parsers directly (suite
 * http_parse) and the built-in plugin against the fake host with loopback
 * peers (suite net_http): forwarding, tunnels, refusals and their events,
 * malformed requests, timeouts, load and descriptor hygiene. */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <srt/net.h>

#include "cu_main.h"
#include "fake_host.h"
#include "http_parse.h"
#include "net_peers.h"
#include "proxy_harness.h"

const struct srt_plugin_desc *srt_builtin_net_http(void);

static struct net_peer *origin, *echo;
static struct proxy_harness px;

/* ---- parser ---- */

static int parse(const char *s, struct http_head *h)
{
    return http_parse_request(s, strlen(s), h, NULL);
}

static void test_parse_request(void)
{
    struct http_head h;
    CU_ASSERT_EQUAL(parse("GET http://a.test/x HTTP/1.1\r\nHost: b\r\nX-A:  v \r\n\r\n", &h),
                    HTTP_OK);
    CU_ASSERT(http_span_is(h.method, "GET"));
    CU_ASSERT(http_span_is(h.target, "http://a.test/x"));
    CU_ASSERT_EQUAL(h.minor, 1);
    CU_ASSERT_EQUAL(h.n, 2);
    CU_ASSERT(http_span_is(h.h[1].value, "v"));
    CU_ASSERT_EQUAL(parse("GET http://a.test/ HTTP/1.1\r\nHost: b\r\n", &h), HTTP_MORE);
    CU_ASSERT_EQUAL(parse("GET http://a.test/ HTTP/1.1\nHost: b", &h), HTTP_BAD);
}

static void test_parse_framing(void)
{
    struct http_head h;
    struct http_body b;
    CU_ASSERT_EQUAL(parse("POST http://a/ HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &h), HTTP_OK);
    CU_ASSERT_EQUAL(http_request_body(&h, &b, NULL), HTTP_OK);
    CU_ASSERT_EQUAL(b.kind, HTTP_BODY_LENGTH);
    CU_ASSERT_EQUAL(http_body_feed(&b, "helloEXTRA", 10), 5);
    CU_ASSERT(b.done);

    CU_ASSERT_EQUAL(parse("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h),
                    HTTP_OK);
    CU_ASSERT_EQUAL(http_request_body(&h, &b, NULL), HTTP_OK);
    const char *body = "5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    /* Byte by byte: the state machine must not depend on chunk boundaries. */
    size_t used = 0;
    for (size_t i = 0; i < strlen(body) && !b.done; i++) {
        ssize_t k = http_body_feed(&b, body + i, 1);
        CU_ASSERT_EQUAL(k, 1);
        used += (size_t)k;
    }
    CU_ASSERT(b.done);
    CU_ASSERT_EQUAL(used, strlen(body) - 4);

    const char *bad[] = { "zz\r\n", "5\r\nhelloX", "\r\n", "10000000000000000\r\n", "5\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_request_body(&h, &b, NULL);
        CU_ASSERT_EQUAL(http_body_feed(&b, bad[i], strlen(bad[i])), -1);
    }

    CU_ASSERT_EQUAL(http_parse_response("HTTP/1.1 204 No Content\r\n\r\n", 27, &h, NULL), HTTP_OK);
    CU_ASSERT_EQUAL(http_response_body(&h, (struct http_span){ "GET", 3 }, &b, NULL), HTTP_OK);
    CU_ASSERT(b.done);
    CU_ASSERT_EQUAL(http_parse_response("HTTP/1.1 200 OK\r\n\r\n", 19, &h, NULL), HTTP_OK);
    CU_ASSERT_EQUAL(http_response_body(&h, (struct http_span){ "GET", 3 }, &b, NULL), HTTP_OK);
    CU_ASSERT_EQUAL(b.kind, HTTP_BODY_CLOSE);
}

static void test_parse_authority(void)
{
    char host[HTTP_HOST_MAX];
    uint16_t port = 0;
    struct http_span s;
#define AUTH(str, def) (s = (struct http_span){ str, strlen(str) }, \
                        http_parse_authority(s, def, host, sizeof host, &port))
    CU_ASSERT_EQUAL(AUTH("example.com:443", 0), HTTP_OK);
    CU_ASSERT_STRING_EQUAL(host, "example.com");
    CU_ASSERT_EQUAL(port, 443);
    CU_ASSERT_EQUAL(AUTH("[::1]:8080", 0), HTTP_OK);
    CU_ASSERT_STRING_EQUAL(host, "::1");
    CU_ASSERT_EQUAL(port, 8080);
    CU_ASSERT_EQUAL(AUTH("a.test", 80), HTTP_OK);
    CU_ASSERT_EQUAL(port, 80);
    const char *bad[] = { "a.test", "a.test:0", "a.test:65536", "a.test:+443", "a.test:443x",
                          "a.test:", ":443", "[::1:443", "::1:443", "[::1]x", "[g::1]:1",
                          "a.test:-1", "a.test:123456" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL_FATAL(AUTH(bad[i], 0), HTTP_BAD);
#undef AUTH
    struct http_span path;
    s = (struct http_span){ "http://A.test:8080?q=1", 22 };
    CU_ASSERT_EQUAL(http_parse_absolute(s, host, sizeof host, &port, &path), HTTP_OK);
    CU_ASSERT_STRING_EQUAL(host, "A.test");
    CU_ASSERT_EQUAL(port, 8080);
    CU_ASSERT(http_span_is(path, "?q=1"));
}

static void test_parse_hop(void)
{
    struct http_head h;
    CU_ASSERT_EQUAL(parse("GET http://a/ HTTP/1.1\r\nConnection: close, X-Secret\r\n"
                          "X-Secret: 1\r\nKeep-Alive: 5\r\nContent-Length: 0\r\nX-Ok: 1\r\n\r\n", &h),
                    HTTP_OK);
    CU_ASSERT(http_header_is_hop(&h, h.h[0].name));
    CU_ASSERT(http_header_is_hop(&h, h.h[1].name));
    CU_ASSERT(http_header_is_hop(&h, h.h[2].name));
    CU_ASSERT_FALSE(http_header_is_hop(&h, h.h[3].name));
    CU_ASSERT_FALSE(http_header_is_hop(&h, h.h[4].name));
}

/* ---- proxy ---- */

static int suite_init(void)
{
    origin = net_origin_start();
    echo = net_echo_start();
    return origin && echo ? 0 : -1;
}

static int suite_clean(void)
{
    net_peer_stop(origin);
    net_peer_stop(echo);
    return 0;
}

static void start_proxy(void)
{
    CU_ASSERT_FATAL(harness_start(&px, srt_builtin_net_http()) == 0);
}

static void setup(void)
{
    fake_host_reset();
}

static void teardown(void)
{
    harness_stop(&px);
}

/* Reads one response (head and its framed body) into buf. */
static ssize_t read_response(int fd, char *buf, size_t cap)
{
    ssize_t n = net_recv_until(fd, buf, cap, "\r\n\r\n");
    char *end = strstr(buf, "\r\n\r\n");
    if (n <= 0 || !end)
        return n;
    size_t head = (size_t)(end - buf) + 4;
    const char *cl = strcasestr(buf, "Content-Length:");
    if (cl && cl < end) {
        size_t want = head + strtoul(cl + 15, NULL, 10);
        if ((size_t)n < want && want < cap)
            n += net_recv_n(fd, buf + n, want - (size_t)n);
    } else if (strcasestr(buf, "Transfer-Encoding: chunked")) {
        if (!strstr(end, "0\r\n\r\n"))
            n += net_recv_until(fd, buf + n, cap - (size_t)n, "0\r\n\r\n");
    } else {
        n += net_recv_all(fd, buf + n, cap - (size_t)n);
    }
    buf[n] = '\0';
    return n;
}

static void test_forward_keepalive(void)
{
    start_proxy();
    uint16_t op = net_peer_port(origin);
    size_t before = net_origin_requests(origin);
    char req[1024], resp[8192], expect[256], head[4096];
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);

    snprintf(req, sizeof req, "GET http://ALLOWED.test:%u/a?x=1 HTTP/1.1\r\nHost: evil.test\r\n"
             "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\n"
             "Connection: X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\n\r\n", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT(read_response(fd, resp, sizeof resp) > 0);
    snprintf(expect, sizeof expect, "GET /a?x=1 host=allowed.test:%u body=", op);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 200", 12) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, expect));
    net_origin_head(origin, before, head, sizeof head);
    CU_ASSERT_PTR_NULL(strcasestr(head, "Proxy-Authorization"));
    CU_ASSERT_PTR_NULL(strcasestr(head, "X-Drop"));
    CU_ASSERT_PTR_NULL(strcasestr(head, "evil.test"));
    CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "X-Keep: 2"));
    /* The client keeps its connection, so the upstream one may be kept too. */
    CU_ASSERT_PTR_NULL(strcasestr(head, "Connection: close"));
    size_t accepts = net_peer_accepts(origin), decided = harness_decisions();

    snprintf(req, sizeof req, "POST http://allowed.test:%u/p HTTP/1.1\r\nContent-Length: 5\r\n"
             "\r\nhello", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    read_response(fd, resp, sizeof resp);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "POST /p host="));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "body=hello"));

    snprintf(req, sizeof req, "POST http://allowed.test:%u/c HTTP/1.1\r\n"
             "Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    read_response(fd, resp, sizeof resp);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "body=hello world"));

    snprintf(req, sizeof req, "GET http://127.0.0.1:%u/chunked HTTP/1.1\r\n\r\n", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    read_response(fd, resp, sizeof resp);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Transfer-Encoding: chunked"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "GET /chunked host=127.0.0.1"));
    /* Both POSTs were decided again and reused the allowed.test connection;
     * 127.0.0.1 is another authority, so it got a new one. */
    CU_ASSERT_EQUAL(harness_decisions(), decided + 3);
    CU_ASSERT_EQUAL(net_peer_accepts(origin), accepts + 1);

    /* Same connection, denied host: decided again and refused. */
    size_t seen = net_origin_requests(origin);
    snprintf(req, sizeof req, "GET http://denied.test:%u/ HTTP/1.1\r\n\r\n", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    read_response(fd, resp, sizeof resp);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 403", 12) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "X-Proxy-Error: blocked-by-allowlist"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Content-Type: text/plain"));
    CU_ASSERT_EQUAL(net_origin_requests(origin), seen);
    char target[64];
    snprintf(target, sizeof target, "denied.test:%u", op);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_REQUEST, target), 1);
    struct fake_event ev;
    CU_ASSERT_EQUAL(fake_event_get(0, &ev), 0);
    CU_ASSERT_STRING_EQUAL(ev.operation, "GET");
    CU_ASSERT_STRING_EQUAL(ev.session, "00112233aabbccdd");
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    CU_ASSERT_EQUAL(net_origin_requests(origin), before + 4);
}

static void test_forward_close_delimited(void)
{
    start_proxy();
    char req[256], resp[4096];
    int fd = net_connect(px.port, 0);
    snprintf(req, sizeof req, "GET http://allowed.test:%u/eof HTTP/1.1\r\n\r\n",
             net_peer_port(origin));
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT(net_recv_all(fd, resp, sizeof resp) > 0);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 200", 12) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Connection: close"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "GET /eof host="));
    close(fd);
}

/* A response head followed by `body` pattern bytes of which `sent` are
 * sent; *len gets the whole size. */
static char *big_reply(const char *head, size_t body, size_t sent, size_t *len)
{
    size_t h = strlen(head);
    char *r = malloc(h + body);
    if (!r)
        return NULL;
    memcpy(r, head, h);
    for (size_t i = 0; i < body; i++)
        r[h + i] = (char)harness_byte(1, i);
    *len = h + sent;
    return r;
}

/* Reads a head, then n body bytes; true when they are the pattern. */
static bool read_big(int fd, size_t n, char *head, size_t cap)
{
    ssize_t got = net_recv_until(fd, head, cap, "\r\n\r\n");
    char *end = got > 0 ? strstr(head, "\r\n\r\n") : NULL;
    if (!end)
        return false;
    size_t extra = (size_t)got - (size_t)(end + 4 - head);
    char *body = malloc(n + 1);
    if (!body)
        return false;
    memcpy(body, end + 4, extra);
    bool ok = extra <= n && net_recv_n(fd, body + extra, n - extra) == (ssize_t)(n - extra);
    for (size_t i = 0; ok && i < n; i++)
        ok = (uint8_t)body[i] == harness_byte(1, i);
    free(body);
    return ok;
}

/* A large Content-Length body is passed through byte for byte, and the
 * client connection then serves the next request, decided again, over the
 * same upstream connection. */
static void test_pass_length(void)
{
    size_t n = 3 << 20, len = 0;
    char head[512];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nX-A: 1\r\n\r\n", n);
    char *reply = big_reply(head, n, n, &len);
    struct harness_peer *peer = harness_peer_start("\r\n\r\n", 0, reply, len, false);
    CU_ASSERT_FATAL(peer != NULL);
    start_proxy();
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    char req[256], resp[4096];
    snprintf(req, sizeof req, "GET http://127.0.0.1:%u/big HTTP/1.1\r\n\r\n",
             harness_peer_port(peer));
    size_t decided = harness_decisions();
    for (int round = 0; round < 2; round++) {
        CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
        CU_ASSERT(read_big(fd, n, resp, sizeof resp));
        CU_ASSERT(strncmp(resp, "HTTP/1.1 200", 12) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(resp, "X-A: 1"));
        CU_ASSERT_PTR_NULL(strstr(resp, "Connection: close"));
    }
    CU_ASSERT_EQUAL(harness_decisions(), decided + 2);
    CU_ASSERT_EQUAL(harness_peer_conns(peer), 1);
    char got[1024];
    size_t got_n = harness_peer_got(peer, got, sizeof got - 1);
    got[got_n < sizeof got ? got_n : sizeof got - 1] = '\0';
    const char *first = strstr(got, "GET /big");
    CU_ASSERT_FATAL(first != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(first + 1, "GET /big"));
    close(fd);
    harness_stop(&px);
    harness_peer_stop(peer);
    free(reply);
}

/* A large Content-Length request body reaches the target byte for byte (the
 * relay splices it), the connection then serves the next request, and a
 * client that stops halfway through a body ends its connection instead of
 * leaving the target waiting with a request that never completes. */
static void test_pass_request_body(void)
{
    start_proxy();
    uint16_t op = net_peer_port(origin);
    size_t n = 600 * 1024;
    char *body = malloc(n + 1);
    char *resp = malloc(n + 4096);
    CU_ASSERT_FATAL(body && resp);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + harness_byte(2, i) % 26);
    body[n] = '\0';
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    char req[256];
    snprintf(req, sizeof req, "POST http://allowed.test:%u/up HTTP/1.1\r\nContent-Length: %zu\r\n\r\n",
             op, n);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT_EQUAL(net_send_str(fd, body), 0);
    CU_ASSERT(read_response(fd, resp, n + 4096) > (ssize_t)n);
    const char *got = strstr(resp, "body=");
    CU_ASSERT(got && strlen(got + 5) == n && memcmp(got + 5, body, n) == 0);
    snprintf(req, sizeof req, "POST http://allowed.test:%u/next HTTP/1.1\r\nContent-Length: 2\r\n\r\nok",
             op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT(read_response(fd, resp, 4096) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "POST /next host=allowed.test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "body=ok"));
    close(fd);

    fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    snprintf(req, sizeof req, "POST http://allowed.test:%u/half HTTP/1.1\r\nContent-Length: 100\r\n\r\n"
             "only forty bytes of the hundred promised", op);
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    shutdown(fd, SHUT_WR);
    CU_ASSERT(net_wait_eof(fd));   /* no response, and no hang */
    close(fd);
    harness_stop(&px);
    free(body);
    free(resp);
}

/* Target closes halfway through a Content-Length body: the client gets
 * what came, then EOF, never a silent wait. */
static void test_pass_truncated(void)
{
    size_t n = 2 << 20, len = 0;
    char head[512];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
    char *reply = big_reply(head, n, n / 2, &len);
    struct harness_peer *peer = harness_peer_start("\r\n\r\n", 0, reply, len, true);
    CU_ASSERT_FATAL(peer != NULL);
    start_proxy();
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    char req[256], resp[4096];
    snprintf(req, sizeof req, "GET http://127.0.0.1:%u/half HTTP/1.1\r\n\r\n",
             harness_peer_port(peer));
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT(read_big(fd, n / 2, resp, sizeof resp));
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    harness_stop(&px);
    harness_peer_stop(peer);
    free(reply);
}

/* A large body delimited by close is passed through to the end. */
static void test_pass_close_delimited(void)
{
    size_t n = 2 << 20, len = 0;
    char *reply = big_reply("HTTP/1.1 200 OK\r\n\r\n", n, n, &len);
    struct harness_peer *peer = harness_peer_start("\r\n\r\n", 0, reply, len, true);
    CU_ASSERT_FATAL(peer != NULL);
    start_proxy();
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    char req[256], resp[4096];
    snprintf(req, sizeof req, "GET http://127.0.0.1:%u/all HTTP/1.1\r\n\r\n",
             harness_peer_port(peer));
    CU_ASSERT_EQUAL(net_send_str(fd, req), 0);
    CU_ASSERT(read_big(fd, n, resp, sizeof resp));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Connection: close"));
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    harness_stop(&px);
    harness_peer_stop(peer);
    free(reply);
}

/* network.httpProxyPort: relayed byte for byte, never filtered. */
static void test_external_port(void)
{
    harness_check_forward(srt_builtin_net_http(), true, "httpProxyPort");
}

static int connect_tunnel(const char *authority, char *resp, size_t cap)
{
    int fd = net_connect(px.port, 0);
    char req[512];
    snprintf(req, sizeof req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", authority, authority);
    if (fd < 0 || net_send_str(fd, req) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    net_recv_until(fd, resp, cap, "\r\n\r\n");
    return fd;
}

static void test_connect_echo(void)
{
    start_proxy();
    char auth[64], resp[4096];
    const char *names[] = { "127.0.0.1", "allowed.test" };
    for (int i = 0; i < 2; i++) {
        snprintf(auth, sizeof auth, "%s:%u", names[i], net_peer_port(echo));
        int fd = connect_tunnel(auth, resp, sizeof resp);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_STRING_EQUAL(resp, "HTTP/1.1 200 Connection Established\r\n\r\n");
        static char big[200000];
        for (size_t k = 0; k < sizeof big; k++)
            big[k] = (char)(k * 7);
        CU_ASSERT_EQUAL(net_send_all(fd, big, sizeof big / 2), 0);
        static char back[200000];
        CU_ASSERT_EQUAL(net_recv_n(fd, back, sizeof big / 2), (ssize_t)sizeof big / 2);
        CU_ASSERT(memcmp(big, back, sizeof big / 2) == 0);
        /* Half-close: the last bytes still come back, then EOF. */
        CU_ASSERT_EQUAL(net_send_str(fd, "tail"), 0);
        shutdown(fd, SHUT_WR);
        CU_ASSERT_EQUAL(net_recv_all(fd, back, sizeof back), 4);
        CU_ASSERT(memcmp(back, "tail", 4) == 0);
        close(fd);
    }
    CU_ASSERT_EQUAL(fake_event_count(), 0);
}

static void test_connect_denied(void)
{
    start_proxy();
    size_t accepts = net_peer_accepts(echo);
    char auth[64], resp[4096];
    snprintf(auth, sizeof auth, "denied.test:%u", net_peer_port(echo));
    int fd = connect_tunnel(auth, resp, sizeof resp);
    read_response(fd, resp + strlen(resp), sizeof resp - strlen(resp));
    CU_ASSERT(strncmp(resp, "HTTP/1.1 403", 12) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "X-Proxy-Error: blocked-by-allowlist\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Content-Type: text/plain\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "not on the allow list"));
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    CU_ASSERT_EQUAL(net_peer_accepts(echo), accepts);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, auth), 1);
    struct fake_event ev;
    CU_ASSERT_EQUAL(fake_event_get(0, &ev), 0);
    CU_ASSERT_STRING_EQUAL(ev.operation, "CONNECT");
}

static void test_connect_guard(void)
{
    start_proxy();
    size_t accepts = net_peer_accepts(echo);
    char auth[64], resp[4096];
    snprintf(auth, sizeof auth, "guarded.test:%u", net_peer_port(echo));
    int fd = connect_tunnel(auth, resp, sizeof resp);
    read_response(fd, resp + strlen(resp), sizeof resp - strlen(resp));
    CU_ASSERT(strncmp(resp, "HTTP/1.1 403", 12) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "X-Proxy-Error: blocked-by-sandbox-runtime\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "guarded.test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "loopback"));
    close(fd);
    CU_ASSERT_EQUAL(net_peer_accepts(echo), accepts);
    CU_ASSERT_EQUAL(harness_events(SRT_EV_NET_CONNECT, auth), 1);
}

static void test_connect_bad_gateway(void)
{
    start_proxy();
    uint16_t dead;
    int l = net_listen(&dead);
    close(l);   /* nobody listens there now */
    char auth[64], resp[4096];
    snprintf(auth, sizeof auth, "127.0.0.1:%u", dead);
    int fd = connect_tunnel(auth, resp, sizeof resp);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 502", 12) == 0);
    close(fd);
    fd = connect_tunnel("nowhere.test:80", resp, sizeof resp);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 502", 12) == 0);
    close(fd);
    CU_ASSERT_EQUAL(fake_event_count(), 0);
}

static const char *const malformed[] = {
    "GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n",
    "GET * HTTP/1.1\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\n\r\n",
    "GET https://allowed.test/ HTTP/1.1\r\n\r\n",
    "GET ftp://allowed.test/ HTTP/1.1\r\n\r\n",
    "GET http:/// HTTP/1.1\r\n\r\n",
    "GET http://allowed.test:0/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test:65536/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test:+80/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test:80x/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test:/ HTTP/1.1\r\n\r\n",
    "GET http://[::1/ HTTP/1.1\r\n\r\n",
    "GET http://a[b]/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test/#frag HTTP/1.1\r\n\r\n",
    "CONNECT allowed.test HTTP/1.1\r\n\r\n",
    "CONNECT allowed.test:0 HTTP/1.1\r\n\r\n",
    "CONNECT allowed.test:65536 HTTP/1.1\r\n\r\n",
    "CONNECT allowed.test:+443 HTTP/1.1\r\n\r\n",
    "CONNECT allowed.test:443x HTTP/1.1\r\n\r\n",
    "CONNECT [::1:443 HTTP/1.1\r\n\r\n",
    "CONNECT ::1:443 HTTP/1.1\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\nHost: a\n\n",
    "GET http://allowed.test/ HTTP/1.1\rHost: a\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nHost : a\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3a\r\n\r\nabc",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc",
    "POST http://allowed.test/ HTTP/1.1\r\nContent-Length:\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    "POST http://allowed.test/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET http://allowed.test/ HTTP/2.0\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1x\r\n\r\n",
    "GET http://allowed.test/ http/1.1\r\n\r\n",
    "G ET http://allowed.test/ HTTP/1.1\r\n\r\n",
    " GET http://allowed.test/ HTTP/1.1\r\n\r\n",
    "GET  http://allowed.test/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nX-A: \x01\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nX-A: a\x7f\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nFoo\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\n: v\r\n\r\n",
    "\r\nGET http://allowed.test/ HTTP/1.1\r\n\r\n",
    "GET http://allowed.test/\xc3\xa9 HTTP/1.1\r\n\r\n",
    "GET http://allowed.test/ HTTP/1.1\r\nX\xc3\xa9: 1\r\n\r\n",
};

/* Malformed chunked bodies are found after the head was accepted. */
static const char *const malformed_bodies[] = {
    "zz\r\n",
    "5\r\nhelloXX",
    "fffffffffffffffff\r\n",
    "5 \r\nhello\r\n0\r\n\r\n",
};

static void expect_400(const char *what, const char *req, size_t len)
{
    char resp[4096];
    int fd = net_connect(px.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    net_send_all(fd, req, len);
    ssize_t n = net_recv_all(fd, resp, sizeof resp);
    if (n <= 0 || strncmp(resp, "HTTP/1.1 400", 12) != 0)
        fprintf(stderr, "\n  not refused with 400: %s\n", what);
    CU_ASSERT(n > 0 && strncmp(resp, "HTTP/1.1 400", 12) == 0);
    close(fd);
}

static void test_malformed(void)
{
    start_proxy();
    size_t seen = net_origin_requests(origin);
    size_t n = sizeof malformed / sizeof malformed[0];
    CU_ASSERT(n + 4 + 2 >= 40);
    for (size_t i = 0; i < n; i++)
        expect_400(malformed[i], malformed[i], strlen(malformed[i]));
    /* A NUL byte in the target and an oversize head. */
    static const char nul[] = "GET http://allowed.test/\0x HTTP/1.1\r\n\r\n";
    expect_400("NUL in target", nul, sizeof nul - 1);
    char *big = malloc(70 * 1024);
    int k = sprintf(big, "GET http://allowed.test/ HTTP/1.1\r\nX-Big: ");
    memset(big + k, 'a', 70 * 1024 - (size_t)k);
    expect_400("head over 64 KiB", big, 70 * 1024);
    free(big);
    char many[8192];
    k = sprintf(many, "GET http://allowed.test/ HTTP/1.1\r\n");
    for (int i = 0; i < 101; i++)
        k += sprintf(many + k, "X-%d: 1\r\n", i);
    k += sprintf(many + k, "\r\n");
    expect_400("101 header lines", many, (size_t)k);
    for (size_t i = 0; i < sizeof malformed_bodies / sizeof malformed_bodies[0]; i++) {
        char req[512];
        int m = snprintf(req, sizeof req, "POST http://allowed.test:%u/ HTTP/1.1\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n%s", net_peer_port(origin),
                         malformed_bodies[i]);
        expect_400(malformed_bodies[i], req, (size_t)m);
    }
    CU_ASSERT_EQUAL(net_origin_requests(origin), seen);

    /* Still serving. */
    char req[256], resp[4096];
    int fd = net_connect(px.port, 0);
    snprintf(req, sizeof req, "GET http://allowed.test:%u/ok HTTP/1.1\r\n\r\n",
             net_peer_port(origin));
    net_send_str(fd, req);
    read_response(fd, resp, sizeof resp);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "GET /ok host="));
    close(fd);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_slow_client(void)
{
    fake_config_set("handshake_timeout_ms", "200");
    start_proxy();
    int fd = net_connect(px.port, 3000);
    int64_t t0 = now_ms();
    CU_ASSERT_EQUAL(net_send_str(fd, "GET http://allowed.test/ HT"), 0);
    CU_ASSERT(net_wait_eof(fd));
    int64_t took = now_ms() - t0;
    CU_ASSERT(took >= 150 && took < 2000);
    close(fd);
}

static void test_concurrent(void)
{
    enum { N = 1000 };
    start_proxy();
    static int fds[N];
    char req[128], resp[256];
    snprintf(req, sizeof req, "CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\n", net_peer_port(echo));
    int ok = 0;
    for (int i = 0; i < N; i++) {
        fds[i] = net_connect(px.port, 0);
        if (fds[i] >= 0)
            net_send_str(fds[i], req);
    }
    for (int i = 0; i < N; i++) {
        if (fds[i] < 0)
            continue;
        net_recv_until(fds[i], resp, sizeof resp, "\r\n\r\n");
        char msg[16];
        int m = snprintf(msg, sizeof msg, "n%d", i);
        net_send_all(fds[i], msg, (size_t)m);
        if (strncmp(resp, "HTTP/1.1 200", 12) == 0 &&
            net_recv_n(fds[i], resp, (size_t)m) == m && memcmp(resp, msg, (size_t)m) == 0)
            ok++;
    }
    for (int i = 0; i < N; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    CU_ASSERT_EQUAL(ok, N);
}

static void test_no_fd_growth(void)
{
    enum { N = 10000 };
    start_proxy();
    char req[128], resp[256];
    snprintf(req, sizeof req, "CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\nx", net_peer_port(echo));
    /* One round first so lazily opened descriptors are in the baseline. */
    int fd = net_connect(px.port, 0);
    net_send_str(fd, req);
    net_recv_until(fd, resp, sizeof resp, "\r\n\r\nx");
    close(fd);
    usleep(100000);
    int before = net_count_fds();
    int ok = 0;
    for (int i = 0; i < N; i++) {
        fd = net_connect(px.port, 0);
        if (fd < 0)
            continue;
        net_send_str(fd, req);
        ssize_t n = net_recv_until(fd, resp, sizeof resp, "\r\n\r\nx");
        ok += n > 0 && strstr(resp, "\r\n\r\nx") != NULL;
        close(fd);
    }
    CU_ASSERT_EQUAL(ok, N);
    int after = net_count_fds();
    for (int i = 0; i < 50 && after > before; i++) {
        usleep(20000);
        after = net_count_fds();
    }
    CU_ASSERT_EQUAL(after, before);
}

static void test_detach_closes(void)
{
    start_proxy();
    char auth[64], resp[256];
    snprintf(auth, sizeof auth, "127.0.0.1:%u", net_peer_port(echo));
    int fd = connect_tunnel(auth, resp, sizeof resp);
    CU_ASSERT(strncmp(resp, "HTTP/1.1 200", 12) == 0);
    px.desc->ops.proxy->detach(px.inst, &px.session);
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    CU_ASSERT(net_connect(px.port, 0) < 0);
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("http_parse", NULL, NULL);
    CU_add_test(s, "request head", test_parse_request);
    CU_add_test(s, "body framing and chunked", test_parse_framing);
    CU_add_test(s, "authority and absolute-form", test_parse_authority);
    CU_add_test(s, "hop-by-hop headers", test_parse_hop);

    s = CU_add_suite_with_setup_and_teardown("net_http", suite_init, suite_clean, setup,
                                             teardown);
    CU_add_test(s, "forward with keep-alive, re-decided", test_forward_keepalive);
    CU_add_test(s, "close-delimited response", test_forward_close_delimited);
    CU_add_test(s, "3 MiB Content-Length body spliced, then keep-alive", test_pass_length);
    CU_add_test(s, "truncated Content-Length body ends the connection", test_pass_truncated);
    CU_add_test(s, "600 KiB request body spliced, then keep-alive", test_pass_request_body);
    CU_add_test(s, "2 MiB close-delimited body spliced", test_pass_close_delimited);
    CU_add_test(s, "httpProxyPort relays unfiltered", test_external_port);
    CU_add_test(s, "CONNECT tunnel with half-close", test_connect_echo);
    CU_add_test(s, "CONNECT denied by policy", test_connect_denied);
    CU_add_test(s, "CONNECT refused by the guard", test_connect_guard);
    CU_add_test(s, "dial failures give 502", test_connect_bad_gateway);
    CU_add_test(s, "malformed requests give 400", test_malformed);
    CU_add_test(s, "slow client timed out", test_slow_client);
    CU_add_test(s, "1000 concurrent tunnels", test_concurrent);
    CU_add_test(s, "no descriptor growth", test_no_fd_growth);
    CU_add_test(s, "detach closes connections", test_detach_closes);
}
