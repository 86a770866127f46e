/* http_proxy.c - the net-http protocol on top of the relay: reads request
 * heads, asks the relay to dial (the decision is the host's), answers
 * CONNECT with a tunnel and forwards absolute-form requests one at a time.
 *
 * Forwarding choice: every absolute-form request is decided again (THREATS
 * N13). The upstream connection is kept after a response that allows it
 * and serves the next request of the same client connection only when that
 * request is decided to the same canonical host and port (the relay checks,
 * srt_relay_dial); a different authority or a refusal closes it. Bodies keep
 * their own framing (Content-Length or validated chunked) in both
 * directions; the response head is parsed for its framing so the client
 * connection stays usable, or is closed after a close-delimited response. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srt/event.h>

#include "http_int.h"
#include "http_parse.h"

enum http_phase { HP_HEAD, HP_DIAL, HP_FORWARD, HP_DONE };

struct http_conn {
    enum http_phase  phase;
    bool             connect;       /* CONNECT, else absolute-form */
    bool             keep_alive;    /* the client may send another request */
    bool             resp_started;  /* bytes of the response reached the client */
    bool             resp_head_done;
    bool             passing;       /* the relay passes the response body */
    bool             req_passing;   /* the relay passes the request body */
    bool             up_keep;       /* the target may serve another request */
    char             host[HTTP_HOST_MAX];
    uint16_t         port;
    char            *line;          /* "METHOD path HTTP/1.1\r\n" */
    char            *fields;        /* end-to-end header lines to forward */
    char             method[16];    /* for events and HEAD; truncated is fine */
    struct http_body req_body;
    struct http_body resp_body;
};

static void http_conn_reset(struct http_conn *hc)
{
    free(hc->line);
    free(hc->fields);
    memset(hc, 0, sizeof *hc);
}

/* Printable ASCII only: reasons and hosts end up in replies and events. */
static void http_clean(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
    dst[i] = '\0';
}

static void http_target(const struct http_conn *hc, const struct srt_net_verdict *v,
                        char *out, size_t len)
{
    char host[HTTP_HOST_MAX];
    http_clean(host, sizeof host, v && v->host[0] ? v->host : hc->host);
    snprintf(out, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, hc->port);
}

static void http_reply(struct srt_relay_conn *c, int code, const char *status,
                       const char *proxy_error, const char *body)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n%s%s%s"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     code, status, proxy_error ? "X-Proxy-Error: " : "",
                     proxy_error ? proxy_error : "", proxy_error ? "\r\n" : "", strlen(body));
    if (srt_relay_send(c, SRT_RELAY_CLIENT, head, (size_t)n) == SRT_OK)
        srt_relay_send(c, SRT_RELAY_CLIENT, body, strlen(body));
    struct http_conn *hc = srt_relay_data(c);
    hc->phase = HP_DONE;
    srt_relay_finish(c);
}

static void http_bad_request(struct srt_relay_conn *c, const char *why)
{
    char body[160];
    snprintf(body, sizeof body, "bad request: %s\n", why ? why : "malformed");
    srt_relay_log(c, SRT_LOG_DEBUG, "400: %s", why ? why : "malformed");
    http_reply(c, 400, "Bad Request", NULL, body);
}

/* A refusal: 403 to the client, a violation to the host. */
static void http_refuse(struct srt_relay_conn *c, struct http_conn *hc, bool guard,
                        const struct srt_net_verdict *v)
{
    char target[HTTP_HOST_MAX + 16], reason[256], body[600];
    http_target(hc, v, target, sizeof target);
    http_clean(reason, sizeof reason, v->reason[0] ? v->reason : "not allowed");
    snprintf(body, sizeof body, "Connection to %s blocked by %s: %s\n", target,
             guard ? "sandbox runtime" : "network allow-list", reason);
    srt_relay_emit(c, hc->connect ? SRT_EV_NET_CONNECT : SRT_EV_NET_REQUEST, target,
                   hc->connect ? "CONNECT" : hc->method, reason);
    http_reply(c, 403, "Forbidden",
               guard ? "blocked-by-sandbox-runtime" : "blocked-by-allowlist", body);
}

/* The end-to-end header lines of h, without Host and hop-by-hop fields. */
static char *http_fields(const struct http_head *h, bool drop_host)
{
    size_t cap = h->len + 1, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (size_t i = 0; i < h->n; i++) {
        const struct http_header *f = &h->h[i];
        if (http_header_is_hop(h, f->name) || (drop_host && http_span_is(f->name, "Host")))
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%.*s: %.*s\r\n", (int)f->name.n,
                                f->name.p, (int)f->value.n, f->value.p);
    }
    out[len] = '\0';
    return out;
}

static void http_start_connect(struct srt_relay_conn *c, struct http_conn *hc,
                               const struct http_head *h)
{
    if (http_parse_authority(h->target, 0, hc->host, sizeof hc->host, &hc->port) != HTTP_OK) {
        http_bad_request(c, "malformed CONNECT authority");
        return;
    }
    hc->connect = true;
    srt_relay_consume(c, SRT_RELAY_CLIENT, h->len);
    hc->phase = HP_DIAL;
    if (srt_relay_dial(c, hc->host, hc->port) != SRT_OK)
        http_reply(c, 500, "Internal Server Error", NULL, "proxy cannot dial\n");
}

static void http_start_request(struct srt_relay_conn *c, struct http_conn *hc,
                               const struct http_head *h)
{
    const char *why = NULL;
    struct http_span path;
    if (h->target.n && (h->target.p[0] == '/' || h->target.p[0] == '*')) {
        http_bad_request(c, "origin-form request to a proxy");
        return;
    }
    if (http_parse_absolute(h->target, hc->host, sizeof hc->host, &hc->port, &path) != HTTP_OK) {
        http_bad_request(c, "request target is not an http:// URL");
        return;
    }
    if (http_request_body(h, &hc->req_body, &why) != HTTP_OK) {
        http_bad_request(c, why);
        return;
    }
    bool slash = path.n == 0 || path.p[0] == '?';
    size_t n = h->method.n + path.n + 16;
    hc->line = malloc(n);
    hc->fields = http_fields(h, true);
    if (!hc->line || !hc->fields) {
        http_reply(c, 500, "Internal Server Error", NULL, "out of memory\n");
        return;
    }
    snprintf(hc->line, n, "%.*s %s%.*s HTTP/1.1\r\n", (int)h->method.n, h->method.p,
             slash ? "/" : "", (int)path.n, path.p);
    snprintf(hc->method, sizeof hc->method, "%.*s", (int)h->method.n, h->method.p);
    hc->keep_alive = h->minor == 1 && !http_header_has_token(h, "Connection", "close") &&
                     !http_header_has_token(h, "Proxy-Connection", "close");
    srt_relay_consume(c, SRT_RELAY_CLIENT, h->len);
    hc->phase = HP_DIAL;
    if (srt_relay_dial(c, hc->host, hc->port) != SRT_OK)
        http_reply(c, 500, "Internal Server Error", NULL, "proxy cannot dial\n");
}

static bool http_step_head(struct srt_relay_conn *c, struct http_conn *hc)
{
    size_t len;
    const char *buf = srt_relay_peek(c, SRT_RELAY_CLIENT, &len);
    if (len == 0) {
        if (srt_relay_eof(c, SRT_RELAY_CLIENT))
            srt_relay_finish(c);
        return false;
    }
    struct http_head *h = malloc(sizeof *h);
    if (!h) {
        srt_relay_finish(c);
        return false;
    }
    const char *why = NULL;
    int rc = http_parse_request(buf, len, h, &why);
    if (rc == HTTP_MORE) {
        if (srt_relay_eof(c, SRT_RELAY_CLIENT))
            srt_relay_finish(c);
    } else if (rc != HTTP_OK) {
        http_bad_request(c, why);
    } else if (http_span_is(h->method, "CONNECT")) {
        http_start_connect(c, hc, h);
    } else {
        http_start_request(c, hc, h);
    }
    free(h);
    return rc == HTTP_OK;
}

/* Client body bytes to the target, as far as the framing and room allow. */
static bool http_copy_request_body(struct srt_relay_conn *c, struct http_conn *hc)
{
    size_t len;
    const char *buf = srt_relay_peek(c, SRT_RELAY_CLIENT, &len);
    size_t room = srt_relay_room(c, SRT_RELAY_UPSTREAM);
    if (len > room)
        len = room;
    if (len == 0) {
        if (srt_relay_eof(c, SRT_RELAY_CLIENT) && srt_relay_room(c, SRT_RELAY_UPSTREAM))
            srt_relay_finish(c);   /* the body ended early */
        return false;
    }
    ssize_t k = http_body_feed(&hc->req_body, buf, len);
    if (k < 0) {
        if (hc->resp_started)
            srt_relay_finish(c);
        else
            http_bad_request(c, "malformed chunked body");
        return false;
    }
    srt_relay_send(c, SRT_RELAY_UPSTREAM, buf, (size_t)k);
    srt_relay_consume(c, SRT_RELAY_CLIENT, (size_t)k);
    return k > 0;
}

/* A body the relay can splice from `from` (one of known length, or a
 * response up to close): start the pass, then wait for it and settle the
 * body once it ended. A body cut short ends the connection, so the other
 * side never waits for bytes that will not come. Returns -1 when the relay
 * cannot pass it (the caller copies it instead), else whether it moved. */
static int http_pass_body(struct srt_relay_conn *c, enum srt_relay_side from,
                          struct http_body *b, bool *passing)
{
    if (!*passing) {
        uint64_t n = b->kind == HTTP_BODY_LENGTH ? b->left : UINT64_MAX;
        if (srt_relay_pass(c, from, n) != SRT_OK)
            return -1;
        *passing = true;
        return 1;
    }
    if (srt_relay_passing(c, from))
        return 0;
    *passing = false;
    if (srt_relay_pass_left(c, from) != 0 && b->kind != HTTP_BODY_CLOSE) {
        srt_relay_finish(c);
        return 0;
    }
    b->left = 0;
    b->done = true;
    return 1;
}

/* A request body of known length is spliced to the target; chunked ones
 * are copied for their framing. */
static bool http_step_request_body(struct srt_relay_conn *c, struct http_conn *hc)
{
    struct http_body *b = &hc->req_body;
    if (b->done)
        return false;
    int r = b->kind == HTTP_BODY_LENGTH ? http_pass_body(c, SRT_RELAY_CLIENT, b, &hc->req_passing)
                                        : -1;
    return r < 0 ? http_copy_request_body(c, hc) : r > 0;
}

static void http_bad_gateway(struct srt_relay_conn *c, struct http_conn *hc, const char *why)
{
    srt_relay_log(c, SRT_LOG_DEBUG, "502: %s", why);
    if (hc->resp_started) {
        srt_relay_finish(c);
        hc->phase = HP_DONE;
        return;
    }
    char body[400];
    snprintf(body, sizeof body, "bad gateway: %s\n", why);
    http_reply(c, 502, "Bad Gateway", NULL, body);
}

static bool http_step_response_head(struct srt_relay_conn *c, struct http_conn *hc)
{
    size_t len;
    const char *buf = srt_relay_peek(c, SRT_RELAY_UPSTREAM, &len);
    struct http_head *h = malloc(sizeof *h);
    if (!h) {
        srt_relay_finish(c);
        return false;
    }
    const char *why = NULL;
    bool moved = false;
    int rc = http_parse_response(buf, len, h, &why);
    if (rc == HTTP_MORE) {
        if (srt_relay_eof(c, SRT_RELAY_UPSTREAM))
            http_bad_gateway(c, hc, "target closed before a response");
    } else if (rc != HTTP_OK) {
        http_bad_gateway(c, hc, why ? why : "malformed response");
    } else if (h->status == 101) {
        http_bad_gateway(c, hc, "protocol switch refused");
    } else if (http_response_body(h, (struct http_span){ hc->method, strlen(hc->method) },
                                  &hc->resp_body, &why) != HTTP_OK) {
        http_bad_gateway(c, hc, why);
    } else {
        char *fields = http_fields(h, false);
        bool close_after = hc->resp_body.kind == HTTP_BODY_CLOSE || !hc->keep_alive;
        if (!fields) {
            srt_relay_finish(c);
        } else {
            char line[HTTP_HEAD_MAX / 8];
            int n = snprintf(line, sizeof line, "%.*s\r\n", (int)h->line.n, h->line.p);
            const char *tail = close_after && h->status >= 200 ? "Connection: close\r\n\r\n"
                                                               : "\r\n";
            if (n < 0 || (size_t)n >= sizeof line ||
                srt_relay_send(c, SRT_RELAY_CLIENT, line, (size_t)n) != SRT_OK ||
                srt_relay_send(c, SRT_RELAY_CLIENT, fields, strlen(fields)) != SRT_OK ||
                srt_relay_send(c, SRT_RELAY_CLIENT, tail, strlen(tail)) != SRT_OK) {
                srt_relay_finish(c);
            } else {
                hc->resp_started = true;
                hc->keep_alive = !close_after;
                hc->up_keep = !close_after && h->minor == 1 &&
                              !http_header_has_token(h, "Connection", "close");
                srt_relay_consume(c, SRT_RELAY_UPSTREAM, h->len);
                /* An interim 1xx is followed by the real response head. */
                hc->resp_head_done = h->status >= 200;
                moved = true;
            }
            free(fields);
        }
    }
    free(h);
    return moved;
}

/* Copies what the framing allows of the response body to the client. */
static bool http_copy_response_body(struct srt_relay_conn *c, struct http_conn *hc)
{
    size_t len;
    const char *buf = srt_relay_peek(c, SRT_RELAY_UPSTREAM, &len);
    size_t room = srt_relay_room(c, SRT_RELAY_CLIENT);
    if (len > room)
        len = room;
    if (len == 0 && srt_relay_eof(c, SRT_RELAY_UPSTREAM) && room) {
        if (hc->resp_body.kind == HTTP_BODY_CLOSE)
            hc->resp_body.done = true;
        else
            srt_relay_finish(c);   /* truncated: the client must not wait for more */
        return hc->resp_body.done;
    }
    if (len == 0)
        return false;
    ssize_t k = http_body_feed(&hc->resp_body, buf, len);
    if (k < 0) {
        srt_relay_finish(c);
        return false;
    }
    srt_relay_send(c, SRT_RELAY_CLIENT, buf, (size_t)k);
    srt_relay_consume(c, SRT_RELAY_UPSTREAM, (size_t)k);
    return k > 0;
}

/* A body of known length, or one delimited by close, needs no parsing: the
 * relay splices it through. Chunked bodies are copied for their framing. */
static bool http_step_response_body(struct srt_relay_conn *c, struct http_conn *hc)
{
    struct http_body *b = &hc->resp_body;
    int r = b->kind == HTTP_BODY_LENGTH || b->kind == HTTP_BODY_CLOSE
                ? http_pass_body(c, SRT_RELAY_UPSTREAM, b, &hc->passing) : -1;
    return r < 0 ? http_copy_response_body(c, hc) : r > 0;
}

static bool http_step_forward(struct srt_relay_conn *c, struct http_conn *hc)
{
    bool moved = http_step_request_body(c, hc);
    if (hc->phase != HP_FORWARD)
        return false;
    if (!hc->resp_head_done) {
        moved |= http_step_response_head(c, hc);
        if (hc->phase != HP_FORWARD || !hc->resp_head_done)
            return moved;
    }
    if (!hc->resp_body.done)
        moved |= http_step_response_body(c, hc);
    if (!hc->resp_body.done || hc->phase != HP_FORWARD)
        return moved;

    if (!hc->up_keep || !hc->req_body.done || !hc->keep_alive)
        srt_relay_drop_upstream(c);
    if (!hc->req_body.done || !hc->keep_alive) {
        hc->phase = HP_DONE;
        srt_relay_finish(c);
        return false;
    }
    http_conn_reset(hc);
    srt_relay_head_timer(c, true);
    return true;   /* a pipelined request may already be waiting */
}

static int http_on_open(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    struct http_conn *hc = calloc(1, sizeof *hc);
    if (!hc)
        return SRT_ENOMEM;
    srt_relay_set_data(c, hc);
    return SRT_OK;
}

static void http_on_step(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    struct http_conn *hc = srt_relay_data(c);
    bool moved = true;
    while (moved) {
        switch (hc->phase) {
        case HP_HEAD:
            moved = http_step_head(c, hc);
            break;
        case HP_FORWARD:
            moved = http_step_forward(c, hc);
            break;
        default:
            moved = false;
            break;
        }
    }
}

static void http_on_dialed(void *ctx, struct srt_relay_conn *c, enum srt_relay_dial how,
                           const struct srt_net_verdict *v)
{
    (void)ctx;
    struct http_conn *hc = srt_relay_data(c);
    if (how == SRT_RELAY_DIAL_DENIED || how == SRT_RELAY_DIAL_GUARD) {
        http_refuse(c, hc, how == SRT_RELAY_DIAL_GUARD, v);
        return;
    }
    if (how != SRT_RELAY_DIAL_OK) {
        char target[HTTP_HOST_MAX + 16], why[HTTP_HOST_MAX + 64];
        http_target(hc, v, target, sizeof target);
        snprintf(why, sizeof why, "cannot connect to %s", target);
        http_bad_gateway(c, hc, why);
        return;
    }
    if (hc->connect) {
        static const char ok[] = "HTTP/1.1 200 Connection Established\r\n\r\n";
        srt_relay_send(c, SRT_RELAY_CLIENT, ok, sizeof ok - 1);
        hc->phase = HP_DONE;
        srt_relay_tunnel(c);
        return;
    }
    /* The authority is rebuilt from the canonical host that was decided. */
    char host[HTTP_HOST_MAX + 16], port[8] = "";
    snprintf(host, sizeof host, strchr(v->host, ':') ? "[%s]" : "%s", v->host);
    if (hc->port != 80)
        snprintf(port, sizeof port, ":%u", hc->port);
    char hostline[HTTP_HOST_MAX + 32];
    int n = snprintf(hostline, sizeof hostline, "Host: %s%s\r\n", host, port);
    /* A client that ends after this request needs no kept upstream either. */
    const char *tail = hc->keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
    if (srt_relay_send(c, SRT_RELAY_UPSTREAM, hc->line, strlen(hc->line)) != SRT_OK ||
        srt_relay_send(c, SRT_RELAY_UPSTREAM, hostline, (size_t)n) != SRT_OK ||
        srt_relay_send(c, SRT_RELAY_UPSTREAM, hc->fields, strlen(hc->fields)) != SRT_OK ||
        srt_relay_send(c, SRT_RELAY_UPSTREAM, tail, strlen(tail)) != SRT_OK) {
        http_reply(c, 500, "Internal Server Error", NULL, "request head too large\n");
        return;
    }
    hc->phase = HP_FORWARD;
    http_on_step(ctx, c);
}

static void http_on_close(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    struct http_conn *hc = srt_relay_data(c);
    if (hc) {
        http_conn_reset(hc);
        free(hc);
    }
}

const struct srt_relay_proto http_proto = {
    .on_open = http_on_open,
    .on_step = http_on_step,
    .on_dialed = http_on_dialed,
    .on_close = http_on_close,
};
