/* http_parse.h - strict HTTP/1.x parsing for the net-http proxy.
 *
 * Host-free and allocation-free, so unit tests and fuzzers call it directly.
 * The parser refuses every shape that two HTTP implementations could read
 * differently (THREATS N14): bare CR or LF, obs-fold, a space before a
 * header colon, control bytes, Content-Length with Transfer-Encoding,
 * duplicate Content-Length, transfer codings other than chunked, malformed
 * chunk sizes, heads over HTTP_HEAD_MAX bytes or HTTP_MAX_HEADERS lines.
 * Spans point into the caller's buffer. */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_HEAD_MAX    (64 * 1024)
#define HTTP_MAX_HEADERS 100
#define HTTP_HOST_MAX    256   /* host buffer size, NUL included */

enum http_rc {
    HTTP_OK = 0,        /* a complete, valid head */
    HTTP_MORE = 1,      /* valid so far; need more bytes */
    HTTP_BAD = -1,      /* malformed: answer 400 and close */
    HTTP_TOO_BIG = -2,  /* no end of head within HTTP_HEAD_MAX, or too many lines */
};

struct http_span {
    const char *p;
    size_t      n;
};

struct http_header {
    struct http_span name;
    struct http_span value;   /* without surrounding whitespace */
};

struct http_head {
    struct http_span   method;   /* request only */
    struct http_span   target;   /* request only */
    struct http_span   line;     /* the whole first line, without CRLF */
    int                status;   /* response only */
    int                minor;    /* HTTP/1.<minor>, 0 or 1 */
    struct http_header h[HTTP_MAX_HEADERS];
    size_t             n;
    size_t             len;      /* head bytes, final CRLF CRLF included */
};

/* Parse a request or response head at the start of buf. On HTTP_BAD,
 * *why (may be NULL) names the problem. */
int http_parse_request(const char *buf, size_t len, struct http_head *out, const char **why);
int http_parse_response(const char *buf, size_t len, struct http_head *out, const char **why);

/* Case-insensitive comparison of a span with a literal. */
bool http_span_is(struct http_span s, const char *lit);
/* The first header called `name`, or NULL; *count (may be NULL) gets how many. */
const struct http_header *http_header_find(const struct http_head *h, const char *name,
                                           size_t *count);
/* Does the comma-separated header `name` list `token` (case-insensitive)? */
bool http_header_has_token(const struct http_head *h, const char *name, const char *token);

/* How a message body is delimited. */
enum http_body_kind {
    HTTP_BODY_NONE = 0,   /* no body */
    HTTP_BODY_LENGTH,     /* Content-Length bytes */
    HTTP_BODY_CHUNKED,    /* chunked, through the trailer */
    HTTP_BODY_CLOSE,      /* response until the connection closes */
};

struct http_body {
    enum http_body_kind kind;
    uint64_t            left;     /* LENGTH: bytes left; CHUNKED: left in chunk */
    int                 st;       /* chunked parser state */
    unsigned            digits;   /* hex digits of the current size */
    size_t              trailer;  /* trailer bytes so far */
    bool                done;
};

/* The framing of a request (no framing headers: no body). */
int http_request_body(const struct http_head *h, struct http_body *b, const char **why);
/* The framing of a response to a request with method `method` (HEAD, 1xx,
 * 204 and 304 have none; no framing headers: until close). */
int http_response_body(const struct http_head *h, struct http_span method,
                       struct http_body *b, const char **why);
/* Of the len bytes at p, how many belong to the body (they are forwarded
 * unchanged); b->done once its end is reached. -1 on malformed chunking. */
ssize_t http_body_feed(struct http_body *b, const char *p, size_t len);

/* "host:port" (port 1-65535, decimal, required) or "[v6]:port", as in
 * CONNECT. The host is copied without brackets. Returns HTTP_OK or HTTP_BAD. */
int http_parse_authority(struct http_span s, uint16_t default_port, char *host,
                         size_t host_len, uint16_t *port);
/* "http://authority[/path][?query]": host, port (default 80) and the
 * origin-form path to forward ("/" when empty). Returns HTTP_OK or HTTP_BAD. */
int http_parse_absolute(struct http_span target, char *host, size_t host_len, uint16_t *port,
                        struct http_span *path);

/* Is header `name` hop-by-hop for message h: one of the fixed list or named
 * in its Connection / Proxy-Connection headers? The framing headers
 * (Content-Length, Transfer-Encoding) are never hop-by-hop here: the body is
 * forwarded with its own framing. */
bool http_header_is_hop(const struct http_head *h, struct http_span name);

#endif
