/* http_parse.c - the strict HTTP/1.x head, framing and target parsers of
 * http_parse.h. Pure functions over caller buffers: no allocation, no I/O. */
#include <string.h>
#include <strings.h>

#include "http_parse.h"

enum {
    CS_SIZE, CS_EXT, CS_SIZE_LF, CS_DATA, CS_DATA_CR, CS_DATA_LF,
    CS_TRAILER_BOL, CS_TRAILER, CS_TRAILER_LF, CS_END_LF,
};

static void http_why(const char **why, const char *text)
{
    if (why)
        *why = text;
}

static bool http_is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field values and reason phrases: HTAB, SP, VCHAR, obs-text. */
static bool http_is_vchar(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

bool http_span_is(struct http_span s, const char *lit)
{
    return strlen(lit) == s.n && strncasecmp(s.p, lit, s.n) == 0;
}

/* Finds the end of the head and rejects bare CR or LF anywhere before it,
 * including in a head that is still incomplete. */
static int http_head_end(const char *buf, size_t len, size_t *head_len, const char **why)
{
    size_t lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    for (size_t i = 0; i < lim; i++) {
        if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r')) {
            http_why(why, "bare LF");
            return HTTP_BAD;
        }
        if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n') {
            http_why(why, "bare CR");
            return HTTP_BAD;
        }
        if (buf[i] == '\n' && i >= 3 && buf[i - 2] == '\n') {
            *head_len = i + 1;
            return HTTP_OK;
        }
    }
    if (len >= HTTP_HEAD_MAX) {
        http_why(why, "head too large");
        return HTTP_TOO_BIG;
    }
    return HTTP_MORE;
}

static int http_parse_fields(const char *p, const char *end, struct http_head *out,
                             const char **why)
{
    out->n = 0;
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol == p)
            break;   /* the empty line */
        if (*p == ' ' || *p == '\t') {
            http_why(why, "obs-fold line");
            return HTTP_BAD;
        }
        if (out->n == HTTP_MAX_HEADERS) {
            http_why(why, "too many header lines");
            return HTTP_TOO_BIG;
        }
        const char *q = p;
        while (q < eol && http_is_tchar((unsigned char)*q))
            q++;
        if (q == p || q == eol || *q != ':') {
            http_why(why, q < eol && (*q == ' ' || *q == '\t') ? "space before header colon"
                                                             : "malformed header name");
            return HTTP_BAD;
        }
        struct http_header *hd = &out->h[out->n++];
        hd->name = (struct http_span){ p, (size_t)(q - p) };
        q++;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        const char *ve = eol;
        while (ve > q && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (const char *v = q; v < ve; v++) {
            if (!http_is_vchar((unsigned char)*v)) {
                http_why(why, "control byte in header value");
                return HTTP_BAD;
            }
        }
        hd->value = (struct http_span){ q, (size_t)(ve - q) };
        p = eol + 2;
    }
    return HTTP_OK;
}

static int http_parse_version(const char *p, const char *end, int *minor)
{
    if (end - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
        return HTTP_BAD;
    *minor = p[7] - '0';
    return HTTP_OK;
}

/* Find the end of the head, reset *out and record the first line. On
 * HTTP_OK, *eol points at the first line's CR and *end past the head. */
static int http_head_begin(const char *buf, size_t len, struct http_head *out, const char **eol,
                           const char **end, const char **why)
{
    size_t head_len;
    int rc = http_head_end(buf, len, &head_len, why);
    if (rc != HTTP_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->len = head_len;
    *end = buf + head_len;
    *eol = memchr(buf, '\r', head_len);
    out->line = (struct http_span){ buf, (size_t)(*eol - buf) };
    return HTTP_OK;
}

int http_parse_request(const char *buf, size_t len, struct http_head *out, const char **why)
{
    const char *eol, *end;
    int rc = http_head_begin(buf, len, out, &eol, &end, why);
    if (rc != HTTP_OK)
        return rc;

    const char *p = buf;
    while (p < eol && http_is_tchar((unsigned char)*p))
        p++;
    if (p == buf || p == eol || *p != ' ') {
        http_why(why, "malformed method");
        return HTTP_BAD;
    }
    out->method = (struct http_span){ buf, (size_t)(p - buf) };
    const char *t = ++p;
    while (p < eol && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
        p++;
    if (p == t || p == eol || *p != ' ') {
        http_why(why, "malformed request target");
        return HTTP_BAD;
    }
    out->target = (struct http_span){ t, (size_t)(p - t) };
    if (http_parse_version(p + 1, eol, &out->minor) != HTTP_OK) {
        http_why(why, "unsupported HTTP version");
        return HTTP_BAD;
    }
    return http_parse_fields(eol + 2, end, out, why);
}

int http_parse_response(const char *buf, size_t len, struct http_head *out, const char **why)
{
    const char *eol, *end;
    int rc = http_head_begin(buf, len, out, &eol, &end, why);
    if (rc != HTTP_OK)
        return rc;
    if (eol - buf < 12 || http_parse_version(buf, buf + 8, &out->minor) != HTTP_OK ||
        buf[8] != ' ') {
        http_why(why, "malformed status line");
        return HTTP_BAD;
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9') {
            http_why(why, "malformed status code");
            return HTTP_BAD;
        }
        status = status * 10 + (buf[i] - '0');
    }
    if (status < 100 || (eol - buf > 12 && buf[12] != ' ')) {
        http_why(why, "malformed status line");
        return HTTP_BAD;
    }
    for (const char *r = buf + 12; r < eol; r++) {
        if (!http_is_vchar((unsigned char)*r)) {
            http_why(why, "control byte in reason phrase");
            return HTTP_BAD;
        }
    }
    out->status = status;
    return http_parse_fields(eol + 2, end, out, why);
}

const struct http_header *http_header_find(const struct http_head *h, const char *name,
                                           size_t *count)
{
    const struct http_header *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (http_span_is(h->h[i].name, name)) {
            if (!first)
                first = &h->h[i];
            n++;
        }
    }
    if (count)
        *count = n;
    return first;
}

static bool http_list_has(struct http_span v, struct http_span token)
{
    const char *p = v.p, *end = v.p + v.n;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const char *s = p;
        while (p < end && *p != ',')
            p++;
        const char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - s) == token.n && token.n && strncasecmp(s, token.p, token.n) == 0)
            return true;
    }
    return false;
}

bool http_header_has_token(const struct http_head *h, const char *name, const char *token)
{
    struct http_span t = { token, strlen(token) };
    for (size_t i = 0; i < h->n; i++)
        if (http_span_is(h->h[i].name, name) && http_list_has(h->h[i].value, t))
            return true;
    return false;
}

bool http_header_is_hop(const struct http_head *h, struct http_span name)
{
    static const char *const fixed[] = {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
        "Proxy-Connection", "TE", "Trailer", "Upgrade",
    };
    if (http_span_is(name, "Content-Length") || http_span_is(name, "Transfer-Encoding"))
        return false;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (http_span_is(name, fixed[i]))
            return true;
    for (size_t i = 0; i < h->n; i++)
        if ((http_span_is(h->h[i].name, "Connection") ||
             http_span_is(h->h[i].name, "Proxy-Connection")) &&
            http_list_has(h->h[i].value, name))
            return true;
    return false;
}

/* Content-Length and Transfer-Encoding, refusing every ambiguous mix. */
static int http_framing(const struct http_head *h, struct http_body *b, bool *framed,
                        const char **why)
{
    size_t n_cl, n_te;
    const struct http_header *cl = http_header_find(h, "Content-Length", &n_cl);
    const struct http_header *te = http_header_find(h, "Transfer-Encoding", &n_te);
    memset(b, 0, sizeof *b);
    *framed = true;
    if (cl && te) {
        http_why(why, "both Content-Length and Transfer-Encoding");
        return HTTP_BAD;
    }
    if (n_cl > 1 || n_te > 1) {
        http_why(why, n_cl > 1 ? "duplicate Content-Length" : "duplicate Transfer-Encoding");
        return HTTP_BAD;
    }
    if (te) {
        if (!http_span_is(te->value, "chunked") || h->minor == 0) {
            http_why(why, "unsupported Transfer-Encoding");
            return HTTP_BAD;
        }
        b->kind = HTTP_BODY_CHUNKED;
        b->st = CS_SIZE;
        return HTTP_OK;
    }
    if (cl) {
        if (cl->value.n == 0 || cl->value.n > 18) {
            http_why(why, "invalid Content-Length");
            return HTTP_BAD;
        }
        uint64_t v = 0;
        for (size_t i = 0; i < cl->value.n; i++) {
            char c = cl->value.p[i];
            if (c < '0' || c > '9') {
                http_why(why, "invalid Content-Length");
                return HTTP_BAD;
            }
            v = v * 10 + (uint64_t)(c - '0');
        }
        b->kind = v ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
        b->left = v;
        b->done = v == 0;
        return HTTP_OK;
    }
    *framed = false;
    return HTTP_OK;
}

int http_request_body(const struct http_head *h, struct http_body *b, const char **why)
{
    bool framed;
    int rc = http_framing(h, b, &framed, why);
    if (rc == HTTP_OK && !framed) {
        b->kind = HTTP_BODY_NONE;
        b->done = true;
    }
    return rc;
}

int http_response_body(const struct http_head *h, struct http_span method,
                       struct http_body *b, const char **why)
{
    bool framed;
    int rc = http_framing(h, b, &framed, why);
    if (rc != HTTP_OK)
        return rc;
    if (http_span_is(method, "HEAD") || h->status < 200 || h->status == 204 ||
        h->status == 304) {
        memset(b, 0, sizeof *b);
        b->kind = HTTP_BODY_NONE;
        b->done = true;
    } else if (!framed) {
        b->kind = HTTP_BODY_CLOSE;
    }
    return HTTP_OK;
}

static int http_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static ssize_t http_chunked_feed(struct http_body *b, const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && !b->done) {
        unsigned char c = (unsigned char)p[i];
        switch (b->st) {
        case CS_SIZE:
            if (http_hex(c) >= 0) {
                if (++b->digits > 15)
                    return -1;
                b->left = b->left * 16 + (uint64_t)http_hex(c);
            } else if (b->digits && c == ';') {
                b->st = CS_EXT;
            } else if (b->digits && c == '\r') {
                b->st = CS_SIZE_LF;
            } else {
                return -1;
            }
            break;
        case CS_EXT:
            if (c == '\r')
                b->st = CS_SIZE_LF;
            else if (!http_is_vchar(c))
                return -1;
            break;
        case CS_SIZE_LF:
            if (c != '\n')
                return -1;
            b->digits = 0;
            b->st = b->left ? CS_DATA : CS_TRAILER_BOL;
            break;
        case CS_DATA: {
            size_t take = len - i;
            if (take > b->left)
                take = (size_t)b->left;
            b->left -= take;
            i += take;
            if (b->left == 0)
                b->st = CS_DATA_CR;
            continue;
        }
        case CS_DATA_CR:
            if (c != '\r')
                return -1;
            b->st = CS_DATA_LF;
            break;
        case CS_DATA_LF:
            if (c != '\n')
                return -1;
            b->st = CS_SIZE;
            break;
        case CS_TRAILER_BOL:
            if (c == '\r')
                b->st = CS_END_LF;
            else if (c == ' ' || c == '\t' || !http_is_vchar(c))
                return -1;
            else
                b->st = CS_TRAILER;
            break;
        case CS_TRAILER:
            if (c == '\r')
                b->st = CS_TRAILER_LF;
            else if (!http_is_vchar(c))
                return -1;
            break;
        case CS_TRAILER_LF:
        case CS_END_LF:
            if (c != '\n')
                return -1;
            if (b->st == CS_END_LF)
                b->done = true;
            b->st = CS_TRAILER_BOL;
            break;
        }
        if (b->st >= CS_TRAILER_BOL && ++b->trailer > HTTP_HEAD_MAX)
            return -1;
        i++;
    }
    return (ssize_t)i;
}

ssize_t http_body_feed(struct http_body *b, const char *p, size_t len)
{
    switch (b->kind) {
    case HTTP_BODY_NONE:
        b->done = true;
        return 0;
    case HTTP_BODY_LENGTH: {
        size_t take = len < b->left ? len : (size_t)b->left;
        b->left -= take;
        b->done = b->left == 0;
        return (ssize_t)take;
    }
    case HTTP_BODY_CHUNKED:
        return http_chunked_feed(b, p, len);
    case HTTP_BODY_CLOSE:
        return (ssize_t)len;
    }
    return -1;
}

static int http_parse_port(const char *p, size_t n, uint16_t *port)
{
    if (n == 0 || n > 5)
        return HTTP_BAD;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return HTTP_BAD;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v < 1 || v > 65535)
        return HTTP_BAD;
    *port = (uint16_t)v;
    return HTTP_OK;
}

int http_parse_authority(struct http_span s, uint16_t default_port, char *host,
                         size_t host_len, uint16_t *port)
{
    const char *p = s.p, *end = s.p + s.n;
    const char *hs, *he, *rest;
    if (p < end && *p == '[') {
        hs = p + 1;
        he = memchr(hs, ']', (size_t)(end - hs));
        if (!he)
            return HTTP_BAD;
        for (const char *q = hs; q < he; q++)
            if (!strchr("0123456789abcdefABCDEF:.", *q))
                return HTTP_BAD;
        rest = he + 1;
    } else {
        hs = p;
        he = memchr(p, ':', s.n);
        if (!he)
            he = end;
        rest = he;
        if (memchr(hs, '[', (size_t)(he - hs)) || memchr(hs, ']', (size_t)(he - hs)))
            return HTTP_BAD;
    }
    if (he == hs || (size_t)(he - hs) >= host_len)
        return HTTP_BAD;
    if (rest == end) {
        if (!default_port)
            return HTTP_BAD;
        *port = default_port;
    } else if (*rest != ':' || http_parse_port(rest + 1, (size_t)(end - rest - 1), port)) {
        return HTTP_BAD;
    }
    for (const char *q = hs; q < he; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return HTTP_BAD;
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    return HTTP_OK;
}

int http_parse_absolute(struct http_span target, char *host, size_t host_len, uint16_t *port,
                        struct http_span *path)
{
    static const char scheme[] = "http://";
    size_t sl = sizeof scheme - 1;
    if (target.n <= sl || strncasecmp(target.p, scheme, sl) != 0)
        return HTTP_BAD;
    const char *a = target.p + sl, *end = target.p + target.n;
    const char *ae = a;
    while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
        ae++;
    if (ae < end && *ae == '#')
        return HTTP_BAD;
    if (memchr(ae, '#', (size_t)(end - ae)))
        return HTTP_BAD;
    if (http_parse_authority((struct http_span){ a, (size_t)(ae - a) }, 80, host, host_len,
                             port) != HTTP_OK)
        return HTTP_BAD;
    *path = (struct http_span){ ae, (size_t)(end - ae) };
    return HTTP_OK;
}
