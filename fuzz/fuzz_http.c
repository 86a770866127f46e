/* fuzz_http.c - libFuzzer target for the net-http parsers: the input is
 * read as a request head plus body, and as a response head plus body; every
 * parsed span and every consumed count must stay inside the input. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_body(struct http_body *b, const char *p, size_t n)
{
    /* Fed in pieces of 7 so state carried between calls is exercised. */
    while (n && !b->done) {
        size_t piece = n < 7 ? n : 7;
        ssize_t k = http_body_feed(b, p, piece);
        if (k < 0)
            return;
        assert((size_t)k <= piece);
        if (k == 0 && b->kind != HTTP_BODY_NONE)
            return;
        p += k;
        n -= (size_t)k;
        if (b->kind == HTTP_BODY_NONE)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    static struct http_head h;
    struct http_body b;
    char host[HTTP_HOST_MAX];
    uint16_t port;
    struct http_span path;

    if (http_parse_request(buf, size, &h, NULL) == HTTP_OK) {
        assert(h.len <= size && h.n <= HTTP_MAX_HEADERS);
        assert(h.target.p >= buf && h.target.p + h.target.n <= buf + size);
        for (size_t i = 0; i < h.n; i++)
            http_header_is_hop(&h, h.h[i].name);
        if (http_parse_authority(h.target, 0, host, sizeof host, &port) == HTTP_OK)
            assert(port != 0);
        if (http_parse_absolute(h.target, host, sizeof host, &port, &path) == HTTP_OK)
            assert(path.p + path.n <= h.target.p + h.target.n);
        if (http_request_body(&h, &b, NULL) == HTTP_OK)
            fuzz_body(&b, buf + h.len, size - h.len);
    }
    if (http_parse_response(buf, size, &h, NULL) == HTTP_OK) {
        assert(h.len <= size && h.status >= 100 && h.status <= 999);
        if (http_response_body(&h, (struct http_span){ "GET", 3 }, &b, NULL) == HTTP_OK)
            fuzz_body(&b, buf + h.len, size - h.len);
    }
    return 0;
}
