/* netpolicy.c - the network decision and the resolved-address guard
 * (REFERENCE.md 6.7-6.9, DESIGN.md 6).
 *
 * srt_netpolicy_decide answers "may a client reach host:port?" from the
 * policy alone, without resolving anything. srt_netpolicy_vet then judges
 * each address the proxy resolved for an allowed name, so that an allowed
 * name cannot be pointed at loopback, metadata or this host (DNS rebinding).
 * Both back the host services every proxy plugin uses. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_int.h"
#include "netpolicy_int.h"

struct np_addr {
    int     family;   /* 4 or 6 */
    uint8_t b[16];
};

/* Refuse with "<host> <why>" (the host may be empty for malformed input). */
static void np_deny(struct srt_net_verdict *v, const char *host, const char *why)
{
    v->allow = 0;
    v->literal = 0;
    /* A long host cuts the reason short; the verdict stands regardless. */
    if (snprintf(v->reason, sizeof v->reason, "%s%s%s", host, *host ? " " : "", why) < 0)
        v->reason[0] = '\0';
}

/* Refuse with "<host> resolves to <class> (<address>)". */
static void np_deny_class(struct srt_net_verdict *v, const char *cls, const char *addr)
{
    char what[128];
    snprintf(what, sizeof what, "resolves to %s (%s)", cls, addr);
    np_deny(v, v->host, what);
}

int srt_netpolicy_decide(const struct srt_policy *pol, const char *host, uint16_t port,
                         struct srt_net_verdict *out)
{
    if (!out || out->struct_size < sizeof *out)
        return SRT_EINVAL;
    uint32_t size = out->struct_size;
    memset(out, 0, sizeof *out);
    out->struct_size = size;
    out->port = port;

    const char *why = "malformed host";
    if (!host || srt_host_canon(host, strlen(host), out->host, sizeof out->host, &why) < 0) {
        out->host[0] = '\0';
        char what[SRT_HOST_MAX];
        snprintf(what, sizeof what, "malformed host: %s", why);
        np_deny(out, "", what);
        return SRT_OK;
    }
    if (port == 0) {
        np_deny(out, out->host, "port 0 is not a valid destination");
        return SRT_OK;
    }
    if (!pol) {
        np_deny(out, out->host, "is not in the allowed domains (no policy)");
        return SRT_OK;
    }
    for (size_t i = 0; i < pol->denied_domains.n; i++)
        if (srt_domain_matches(pol->denied_domains.v[i], out->host, port)) {
            np_deny(out, out->host, "is in the denied domains");
            return SRT_OK;
        }
    for (size_t i = 0; i < pol->allowed_domains.n; i++)
        if (srt_domain_matches(pol->allowed_domains.v[i], out->host, port)) {
            out->allow = 1;
            /* Wildcards never match IP literals, so an IP host matched an
             * entry naming exactly this address. */
            out->literal = srt_host_is_ip(out->host);
            return SRT_OK;
        }
    /* An empty allow list lands here too: nothing is allowed (CVE-2025-66479). */
    np_deny(out, out->host, "is not in the allowed domains");
    return SRT_OK;
}

bool srt_netpolicy_cidr_parse(const char *s, int *family, uint8_t addr[16], unsigned *prefix)
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    unsigned bits = 0;
    bool has_prefix = slash != NULL;
    if (slash) {
        *slash = '\0';
        const char *p = slash + 1;
        size_t n = strlen(p);
        if (n == 0 || n > 3 || (n > 1 && p[0] == '0'))
            return false;
        for (size_t i = 0; i < n; i++) {
            if (p[i] < '0' || p[i] > '9')
                return false;
            bits = bits * 10 + (unsigned)(p[i] - '0');
        }
    }
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = 4;
        if (!has_prefix)
            bits = 32;
        if (bits > 32)
            return false;
    } else if (inet_pton(AF_INET6, buf, addr) == 1) {
        *family = 6;
        if (!has_prefix)
            bits = 128;
        if (bits > 128)
            return false;
    } else {
        return false;
    }
    *prefix = bits;
    return true;
}

static bool np_in_prefix(const uint8_t *a, const uint8_t *net, unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(a, net, whole) != 0)
        return false;
    unsigned rest = bits % 8;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

static bool np_is_loopback(const struct np_addr *a)
{
    static const uint8_t v6lo[16] = { [15] = 1 };
    return a->family == 4 ? a->b[0] == 127 : memcmp(a->b, v6lo, 16) == 0;
}

/* Built-in denied classes; returns the class name or NULL. */
static const char *np_builtin_class(const struct np_addr *a)
{
    static const uint8_t v4meta[][4] = {
        { 169, 254, 169, 254 }, { 100, 100, 100, 200 }, { 168, 63, 129, 16 }, { 192, 0, 0, 192 },
    };
    static const char *const v6meta[] = {
        "fd20:ce::254", "fd00:c1::a9fe:a9fe", "fd00:42::42", "fd00:a9fe:a9fe::1", "fd00:100::100:200",
    };
    if (a->family == 4) {
        for (size_t i = 0; i < sizeof v4meta / sizeof v4meta[0]; i++)
            if (memcmp(a->b, v4meta[i], 4) == 0)
                return "a cloud metadata address";
        if (a->b[0] == 127)
            return "a loopback address";
        if (a->b[0] == 0)
            return "an unspecified address";
        if (a->b[0] == 169 && a->b[1] == 254)
            return "a link-local address";
        if ((a->b[0] & 0xf0) == 224)
            return "a multicast address";
        if (memcmp(a->b, "\xff\xff\xff\xff", 4) == 0)
            return "a broadcast address";
        return NULL;
    }
    static const uint8_t ec2[4] = { 0xfd, 0x00, 0x0e, 0xc2 };
    if (memcmp(a->b, ec2, 4) == 0)
        return "a cloud metadata address";
    for (size_t i = 0; i < sizeof v6meta / sizeof v6meta[0]; i++) {
        uint8_t m[16];
        if (inet_pton(AF_INET6, v6meta[i], m) == 1 && memcmp(a->b, m, 16) == 0)
            return "a cloud metadata address";
    }
    static const uint8_t zero[16];
    if (np_is_loopback(a))
        return "a loopback address";
    if (memcmp(a->b, zero, 16) == 0)
        return "an unspecified address";
    if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
        return "a link-local address";
    if (a->b[0] == 0xff)
        return "a multicast address";
    return NULL;
}

static bool np_is_own(const struct np_addr *a)
{
    struct ifaddrs *list;
    bool found = false;
    if (getifaddrs(&list) < 0)
        return false;   /* loopback and link-local are still refused by class */
    for (struct ifaddrs *it = list; it && !found; it = it->ifa_next) {
        if (!it->ifa_addr)
            continue;
        if (a->family == 4 && it->ifa_addr->sa_family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)it->ifa_addr;
            found = memcmp(&sin->sin_addr, a->b, 4) == 0;
        } else if (a->family == 6 && it->ifa_addr->sa_family == AF_INET6) {
            const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)it->ifa_addr;
            found = memcmp(&sin6->sin6_addr, a->b, 16) == 0;
        }
    }
    freeifaddrs(list);
    return found;
}

static void np_text(const struct np_addr *a, char *buf, size_t len)
{
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

/* deniedDomains IP literals and deniedResolvedAddresses: the user's own
 * denials, which no allow entry overrides. */
static const char *np_user_class(const struct srt_policy *pol, const struct np_addr *a, uint16_t port)
{
    char txt[INET6_ADDRSTRLEN];
    np_text(a, txt, sizeof txt);
    for (size_t i = 0; i < pol->denied_domains.n; i++)
        if (srt_domain_matches(pol->denied_domains.v[i], txt, port) &&
            strcmp(pol->denied_domains.v[i], "*") != 0 && strncmp(pol->denied_domains.v[i], "*:", 2) != 0)
            return "an address in the denied domains";
    for (size_t i = 0; i < pol->denied_resolved.n; i++) {
        int fam;
        uint8_t net[16];
        unsigned bits;
        if (srt_netpolicy_cidr_parse(pol->denied_resolved.v[i], &fam, net, &bits) && fam == a->family &&
            np_in_prefix(a->b, net, bits))
            return "an address in deniedResolvedAddresses";
    }
    return NULL;
}

static bool np_allow_listed(const struct srt_policy *pol, const struct np_addr *a, uint16_t port)
{
    char txt[INET6_ADDRSTRLEN];
    np_text(a, txt, sizeof txt);
    for (size_t i = 0; i < pol->allowed_domains.n; i++)
        if (srt_domain_matches(pol->allowed_domains.v[i], txt, port))
            return true;
    return false;
}

/* The IPv4 address carried inside mapped, NAT64 and 6to4 IPv6 forms. */
static bool np_unwrap(const struct np_addr *a, struct np_addr *inner)
{
    static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
    if (a->family != 6)
        return false;
    inner->family = 4;
    memset(inner->b, 0, sizeof inner->b);
    if (memcmp(a->b, mapped, 12) == 0 || memcmp(a->b, nat64, 12) == 0) {
        memcpy(inner->b, a->b + 12, 4);
        return true;
    }
    if (a->b[0] == 0x20 && a->b[1] == 0x02) {
        memcpy(inner->b, a->b + 2, 4);
        return true;
    }
    return false;
}

static bool np_is_localhost_name(const char *host)
{
    size_t n = strlen(host);
    return strcmp(host, "localhost") == 0 || (n > 10 && strcmp(host + n - 10, ".localhost") == 0);
}

int srt_netpolicy_vet(const struct srt_policy *pol, struct srt_net_verdict *v, int family,
                      const uint8_t *addr)
{
    if (!v || v->struct_size < sizeof *v || !addr || (family != 4 && family != 6))
        return SRT_EINVAL;
    if (!v->allow)
        return SRT_OK;
    if (!pol) {
        np_deny(v, v->host, "cannot be vetted: no policy");
        return SRT_OK;
    }
    struct np_addr a = { .family = family };
    memcpy(a.b, addr, family == 4 ? 4 : 16);
    struct np_addr forms[2] = { a };
    size_t nforms = 1;
    if (np_unwrap(&a, &forms[1]))
        nforms = 2;

    char txt[INET6_ADDRSTRLEN];
    np_text(&a, txt, sizeof txt);
    for (size_t i = 0; i < nforms; i++) {
        const char *cls = np_user_class(pol, &forms[i], v->port);
        if (cls) {
            np_deny_class(v, cls, txt);
            return SRT_OK;
        }
    }
    /* The allow entry named this very address: it is what the user asked for. */
    if (v->literal && strcmp(v->host, txt) == 0)
        return SRT_OK;
    for (size_t i = 0; i < nforms; i++)
        if (np_allow_listed(pol, &forms[i], v->port))
            return SRT_OK;

    bool localhost = np_is_localhost_name(v->host);
    for (size_t i = 0; i < nforms; i++) {
        if (localhost) {
            if (np_is_loopback(&forms[i]))
                return SRT_OK;
            continue;
        }
        const char *cls = np_builtin_class(&forms[i]);
        if (!cls && np_is_own(&forms[i]))
            cls = "an address of this host";
        if (cls) {
            np_deny_class(v, cls, txt);
            return SRT_OK;
        }
    }
    if (localhost)
        np_deny_class(v, "a non-loopback address", txt);
    return SRT_OK;
}
