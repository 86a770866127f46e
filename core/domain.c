/* domain.c - domain patterns and client hosts (REFERENCE.md 2.7, 6.7, 6.8).
 *
 * Validation of the patterns written in settings, one canonical spelling for
 * patterns and for the hosts a sandboxed client asks for, and matching of one
 * against the other. Pure functions: no allocation, no I/O. The decision
 * order itself lives in netpolicy.c. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain_int.h"

#define DOM_NAME_MAX 253   /* longest DNS name without the trailing dot */

static const char dom_why_pattern[] =
    "expected example.com, *.example.com (two labels after *.), localhost, an IPv4 address or a "
    "bracketed IPv6 literal like [2001:db8::1], optionally with :port (1-65535); broad patterns are "
    "refused for security";
static const char dom_why_deny[] =
    "expected example.com, *.example.com (two labels after *.), * or *:port, localhost, an IPv4 "
    "address or a bracketed IPv6 literal like [2001:db8::1], optionally with :port (1-65535)";

/* A port written as 1-65535 in decimal, no sign, no leading zero. */
static bool dom_port_parse(const char *s, size_t n, unsigned *port)
{
    if (n == 0 || n > 5 || s[0] == '0')
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return false;
    if (port)
        *port = v;
    return true;
}

/* One DNS label of a pattern or host: [A-Za-z0-9_-], 1-63 characters. */
static bool dom_label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!isalnum(ch) && ch != '-' && ch != '_')
            return false;
    }
    return true;
}

/* Dotted name of at least `min_labels` valid labels, no empty label. */
static bool dom_name_ok(const char *s, size_t n, size_t min_labels)
{
    if (n == 0 || n > DOM_NAME_MAX)
        return false;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!dom_label_ok(s + start, i - start))
                return false;
            labels++;
            start = i + 1;
        }
    }
    return labels >= min_labels;
}

/* Bracketed IPv6 literal "[addr]" or "[addr%zone]" of length n. */
static bool dom_bracket_ok(const char *s, size_t n)
{
    char buf[INET6_ADDRSTRLEN + 1];
    struct in6_addr a;
    if (n < 3 || s[0] != '[' || s[n - 1] != ']')
        return false;
    const char *in = s + 1;
    size_t len = n - 2;
    const char *pct = memchr(in, '%', len);
    if (pct) {
        size_t zlen = len - (size_t)(pct - in) - 1;
        if (zlen == 0 || zlen > 64)
            return false;
        for (size_t i = 1; i <= zlen; i++) {
            unsigned char ch = (unsigned char)pct[i];
            if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.')
                return false;
        }
        len = (size_t)(pct - in);
    }
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, in, len);
    buf[len] = '\0';
    return inet_pton(AF_INET6, buf, &a) == 1;
}

/* Split "host[:port]" where host may be bracketed. Returns the host length,
 * or 0 when the port suffix is malformed. */
static size_t dom_split_port(const char *pat, size_t n, const char **port, size_t *plen)
{
    *port = NULL;
    *plen = 0;
    size_t end = n;
    if (pat[0] == '[') {
        const char *rb = memchr(pat, ']', n);
        if (!rb)
            return 0;
        end = (size_t)(rb - pat) + 1;
        if (end == n)
            return end;
        if (pat[end] != ':')
            return 0;
    } else {
        const char *colon = memchr(pat, ':', n);
        if (!colon)
            return n;
        end = (size_t)(colon - pat);
    }
    *port = pat + end + 1;
    *plen = n - end - 1;
    return dom_port_parse(*port, *plen, NULL) ? end : 0;
}

bool srt_domain_pattern_is_valid(const char *pat, bool deny_list, const char **why)
{
    const char *msg = deny_list ? dom_why_deny : dom_why_pattern;
    if (why)
        *why = msg;
    if (!pat || !*pat)
        return false;
    size_t n = strlen(pat);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)pat[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '/')
            return false;   /* whitespace, controls, non-ASCII, URLs and paths */
    }
    const char *port;
    size_t plen;
    size_t hlen = dom_split_port(pat, n, &port, &plen);
    if (hlen == 0)
        return false;
    if (memchr(pat, ':', hlen) && pat[0] != '[')
        return false;   /* unbracketed IPv6 or a second colon */
    if (pat[0] == '[')
        return dom_bracket_ok(pat, hlen);
    if (deny_list && hlen == 1 && pat[0] == '*')
        return true;
    if (hlen == 9 && strncasecmp(pat, "localhost", 9) == 0)
        return true;
    if (hlen > 2 && pat[0] == '*' && pat[1] == '.') {
        if (memchr(pat + 2, '*', hlen - 2))
            return false;
        return dom_name_ok(pat + 2, hlen - 2, 2);
    }
    if (memchr(pat, '*', hlen))
        return false;
    return dom_name_ok(pat, hlen, 2);
}

/* Parse one IPv4 part as the C library's inet_aton does: decimal, 0octal or
 * 0xhex. Returns false on any other spelling. */
static bool dom_v4_part(const char *s, size_t n, unsigned long long *out)
{
    unsigned base = 10;
    if (n == 0)
        return false;
    if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        n -= 2;
        if (n == 0) {
            *out = 0;   /* "0x" alone is zero for inet_aton */
            return true;
        }
    } else if (n > 1 && s[0] == '0') {
        base = 8;
        s++;
        n--;
    }
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++) {
        int d;
        unsigned char ch = (unsigned char)s[i];
        if (isdigit(ch))
            d = ch - '0';
        else if (base == 16 && isxdigit(ch))
            d = tolower(ch) - 'a' + 10;
        else
            return false;
        if ((unsigned)d >= base)
            return false;
        v = v * base + (unsigned)d;
        if (v > 0xffffffffull)
            return false;
    }
    *out = v;
    return true;
}

/* IPv4 in any form inet_aton accepts (a, a.b, a.b.c, a.b.c.d), to 4 bytes. */
static bool dom_v4_parse(const char *s, size_t n, uint8_t out[4])
{
    unsigned long long part[4] = { 0 };
    size_t np = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (np == 4 || !dom_v4_part(s + start, i - start, &part[np]))
                return false;
            np++;
            start = i + 1;
        }
    }
    unsigned long long last_max = 0xffffffffull >> (8 * (np - 1));
    for (size_t i = 0; i + 1 < np; i++)
        if (part[i] > 255)
            return false;
    if (part[np - 1] > last_max)
        return false;
    uint32_t v = (uint32_t)part[np - 1];
    for (size_t i = 0; i + 1 < np; i++)
        v |= (uint32_t)part[i] << (8 * (3 - i));
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
    return true;
}

/* Is the last label numeric (decimal or 0x-hex)? Such a name must be an IPv4
 * address: no top-level domain is numeric, and treating "foo.0x10" as a name
 * would let odd spellings slip past IP-literal rules. */
static bool dom_last_label_numeric(const char *s, size_t n)
{
    const char *dot = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '.') {
            dot = s + i - 1;
            break;
        }
    const char *l = dot ? dot + 1 : s;
    size_t ln = n - (size_t)(l - s);
    if (ln == 0)
        return false;
    if (ln > 1 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (size_t i = 2; i < ln; i++)
            if (!isxdigit((unsigned char)l[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < ln; i++)
        if (!isdigit((unsigned char)l[i]))
            return false;
    return true;
}

static int dom_put(char *out, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > len)
        return -1;
    memcpy(out, s, n + 1);
    return 0;
}

/* IPv6 text (no brackets, no zone) to its canonical form: IPv4-mapped
 * addresses become dotted quads, everything else inet_ntop's compression. */
static int dom_v6_canon(const char *s, size_t n, char *out, size_t len)
{
    char buf[INET6_ADDRSTRLEN + 1];
    struct in6_addr a;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, &a) != 1)
        return -1;
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(a.s6_addr, mapped, 12) == 0) {
        if (!inet_ntop(AF_INET, a.s6_addr + 12, buf, sizeof buf))
            return -1;
    } else if (!inet_ntop(AF_INET6, &a, buf, sizeof buf)) {
        return -1;
    }
    return dom_put(out, len, buf);
}

int srt_host_canon(const char *host, size_t host_len, char *out, size_t len, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = "malformed host";
    if (!host || !out || len == 0)
        return -1;
    if (host_len == 0) {
        *why = "empty host";
        return -1;
    }
    if (host_len >= SRT_HOST_MAX) {
        *why = "host name too long";
        return -1;
    }
    for (size_t i = 0; i < host_len; i++) {
        unsigned char ch = (unsigned char)host[i];
        if (ch == 0) {
            *why = "host contains a NUL byte";
            return -1;
        }
        if (ch < 0x20 || ch == 0x7f) {
            *why = "host contains a control character";
            return -1;
        }
        if (ch >= 0x80) {
            *why = "host contains a non-ASCII character";
            return -1;
        }
        if (ch == '%') {
            *why = "host contains '%' (zone id or percent-encoding)";
            return -1;
        }
        if (ch == '@' || ch == '#') {
            *why = "host contains '@' or '#' (authority confusion)";
            return -1;
        }
    }
    if (host[0] == '[') {
        if (host[host_len - 1] != ']' || dom_v6_canon(host + 1, host_len - 2, out, len) < 0) {
            *why = "malformed bracketed IPv6 address";
            return -1;
        }
        return 0;
    }
    if (memchr(host, ':', host_len)) {
        if (dom_v6_canon(host, host_len, out, len) < 0) {
            *why = "malformed IPv6 address";
            return -1;
        }
        return 0;
    }
    size_t n = host_len;
    if (host[n - 1] == '.')
        n--;   /* one trailing dot names the same host */
    if (n == 0 || n > DOM_NAME_MAX || host[0] == '.') {
        *why = "malformed host name";
        return -1;
    }
    if (dom_last_label_numeric(host, n)) {
        uint8_t a[4];
        char buf[INET_ADDRSTRLEN];
        if (!dom_v4_parse(host, n, a) || !inet_ntop(AF_INET, a, buf, sizeof buf)) {
            *why = "malformed IPv4 address";
            return -1;
        }
        return dom_put(out, len, buf);
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || host[i] == '.') {
            if (!dom_label_ok(host + start, i - start)) {
                *why = "malformed host name (only letters, digits, '-', '_' and non-empty labels)";
                return -1;
            }
            start = i + 1;
        }
    }
    if (n + 1 > len)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)host[i]);
    out[n] = '\0';
    return 0;
}

int srt_domain_pattern_canon(const char *pat, char *out, size_t len)
{
    if (!pat || !out || len == 0)
        return -1;
    size_t n = strlen(pat);
    const char *port;
    size_t plen;
    size_t hlen = dom_split_port(pat, n, &port, &plen);
    if (hlen == 0 || hlen >= SRT_HOST_MAX)
        return -1;
    char host[SRT_HOST_MAX];
    bool bracket = false;
    if (pat[0] == '[' && memchr(pat, '%', hlen)) {
        /* A zone is kept as written: interface names are case-sensitive. */
        const char *pct = memchr(pat, '%', hlen);
        char tmp[SRT_HOST_MAX];
        if (dom_v6_canon(pat + 1, (size_t)(pct - pat) - 1, tmp, sizeof tmp) < 0)
            return -1;
        if ((size_t)snprintf(host, sizeof host, "%s%.*s", tmp, (int)(hlen - 1 - (size_t)(pct - pat)),
                             pct) >= sizeof host)
            return -1;
        bracket = true;
    } else if (pat[0] == '[') {
        if (dom_v6_canon(pat + 1, hlen - 2, host, sizeof host) < 0)
            return -1;
        bracket = strchr(host, ':') != NULL;   /* mapped IPv4 loses its brackets */
    } else if (pat[0] == '*' || (hlen == 9 && strncasecmp(pat, "localhost", 9) == 0)) {
        for (size_t i = 0; i < hlen; i++)
            host[i] = (char)tolower((unsigned char)pat[i]);
        host[hlen] = '\0';
    } else if (srt_host_canon(pat, hlen, host, sizeof host, NULL) < 0) {
        return -1;
    }
    int w;
    if (plen)
        w = snprintf(out, len, bracket ? "[%s]:%.*s" : "%s:%.*s", host, (int)plen, port);
    else
        w = snprintf(out, len, bracket ? "[%s]" : "%s", host);
    return w < 0 || (size_t)w >= len ? -1 : 0;
}

bool srt_host_is_ip(const char *host)
{
    uint8_t buf[16];
    if (!host)
        return false;
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool srt_domain_matches(const char *pat, const char *host, uint16_t port)
{
    if (!pat || !host || !*pat)
        return false;
    size_t n = strlen(pat);
    const char *pport;
    size_t plen;
    size_t hlen = dom_split_port(pat, n, &pport, &plen);
    if (hlen == 0)
        return false;
    if (plen) {
        unsigned want;
        if (!dom_port_parse(pport, plen, &want) || want != port)
            return false;
    }
    const char *h = pat;
    if (pat[0] == '[') {
        h = pat + 1;
        hlen -= 2;
    }
    if (hlen == 1 && h[0] == '*')
        return true;
    size_t hn = strlen(host);
    if (hlen > 2 && h[0] == '*' && h[1] == '.') {
        size_t suf = hlen - 1;   /* ".example.com" */
        if (srt_host_is_ip(host) || hn <= suf)
            return false;
        return strncmp(host + hn - suf, h + 1, suf) == 0;
    }
    return hn == hlen && strncmp(host, h, hlen) == 0;
}
