/* test_netpolicy.c - the network decision (REFERENCE.md 6.7) and the
 * resolved-address guard (6.9), with policies built by hand and addresses
 * given as bytes. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <string.h>

#include "cu_main.h"
#include "netpolicy_int.h"

static struct srt_policy np_pol(const char *const *allow, size_t na, const char *const *deny, size_t nd,
                                const char *const *resolved, size_t nr)
{
    struct srt_policy p = { .struct_size = sizeof p, .mandatory_deny_depth = 3 };
    p.allowed_domains = (struct srt_str_list){ allow, na };
    p.denied_domains = (struct srt_str_list){ deny, nd };
    p.denied_resolved = (struct srt_str_list){ resolved, nr };
    return p;
}

static struct srt_net_verdict decide(const struct srt_policy *p, const char *host, uint16_t port)
{
    struct srt_net_verdict v = { .struct_size = sizeof v };
    CU_ASSERT_EQUAL(srt_netpolicy_decide(p, host, port, &v), SRT_OK);
    return v;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_decide_order(void)
{
    static const char *const allow[] = { "*.example.com", "example.com:443", "127.0.0.1:9000", "[2001:db8::1]" };
    static const char *const deny[] = { "bad.example.com", "*:22" };
    struct srt_policy p = np_pol(allow, N(allow), deny, N(deny), NULL, 0);
    struct srt_net_verdict v;

    v = decide(&p, "a.example.com", 443);
    CU_ASSERT_EQUAL(v.allow, 1);
    CU_ASSERT_EQUAL(v.literal, 0);
    CU_ASSERT_STRING_EQUAL(v.host, "a.example.com");
    CU_ASSERT_STRING_EQUAL(v.reason, "");
    CU_ASSERT_EQUAL(v.port, 443);

    /* deny beats allow */
    v = decide(&p, "BAD.example.com.", 443);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_EQUAL(v.host, "bad.example.com");
    CU_ASSERT_STRING_EQUAL(v.reason, "bad.example.com is in the denied domains");
    v = decide(&p, "a.example.com", 22);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "denied domains"));

    /* wildcard never matches the apex; the port-scoped apex entry does */
    v = decide(&p, "example.com", 443);
    CU_ASSERT_EQUAL(v.allow, 1);
    v = decide(&p, "example.com", 80);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_STRING_EQUAL(v.reason, "example.com is not in the allowed domains");
    v = decide(&p, "evilexample.com", 443);
    CU_ASSERT_EQUAL(v.allow, 0);

    /* IP literals: every spelling of 127.0.0.1 meets the one entry */
    v = decide(&p, "0x7f.1", 9000);
    CU_ASSERT_EQUAL(v.allow, 1);
    CU_ASSERT_EQUAL(v.literal, 1);
    CU_ASSERT_STRING_EQUAL(v.host, "127.0.0.1");
    v = decide(&p, "2130706433", 9001);
    CU_ASSERT_EQUAL(v.allow, 0);
    v = decide(&p, "[2001:DB8::1]", 8443);
    CU_ASSERT_EQUAL(v.allow, 1);
    CU_ASSERT_EQUAL(v.literal, 1);
    CU_ASSERT_STRING_EQUAL(v.host, "2001:db8::1");
}

static void test_decide_malformed(void)
{
    static const char *const allow[] = { "*.example.com", "example.com" };
    struct srt_policy p = np_pol(allow, N(allow), NULL, 0, NULL, 0);
    static const char *const bad[] = {
        "example.com@evil.test", "evil.test%00.example.com", "evil.test#.example.com", "",
        "ex ample.com", "a\x01.example.com", "[::1",
    };
    for (size_t i = 0; i < N(bad); i++) {
        struct srt_net_verdict v = decide(&p, bad[i], 443);
        CU_ASSERT_EQUAL(v.allow, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "malformed host"));
        CU_ASSERT_STRING_EQUAL(v.host, "");
    }
    struct srt_net_verdict v = decide(&p, NULL, 443);
    CU_ASSERT_EQUAL(v.allow, 0);
    v = decide(&p, "example.com", 0);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "port 0"));
}

/* CVE-2025-66479: an empty allow list means nothing is allowed. */
static void test_empty_allow(void)
{
    struct srt_policy p = np_pol(NULL, 0, NULL, 0, NULL, 0);
    static const char *const hosts[] = { "example.com", "127.0.0.1", "localhost", "::1" };
    for (size_t i = 0; i < N(hosts); i++) {
        struct srt_net_verdict v = decide(&p, hosts[i], 443);
        CU_ASSERT_EQUAL(v.allow, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "is not in the allowed domains"));
    }
    struct srt_net_verdict v = decide(NULL, "example.com", 443);
    CU_ASSERT_EQUAL(v.allow, 0);
}

static void test_decide_args(void)
{
    struct srt_policy p = np_pol(NULL, 0, NULL, 0, NULL, 0);
    struct srt_net_verdict v = { .struct_size = sizeof v - 1 };
    CU_ASSERT_EQUAL(srt_netpolicy_decide(&p, "example.com", 443, &v), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_netpolicy_decide(&p, "example.com", 443, NULL), SRT_EINVAL);
}

static const uint8_t *v4(const char *s, uint8_t *buf)
{
    CU_ASSERT_EQUAL(inet_pton(AF_INET, s, buf), 1);
    return buf;
}

static const uint8_t *v6(const char *s, uint8_t *buf)
{
    CU_ASSERT_EQUAL(inet_pton(AF_INET6, s, buf), 1);
    return buf;
}

/* Decide `host`, then vet one resolved address; returns the verdict. */
static struct srt_net_verdict vet(const struct srt_policy *p, const char *host, uint16_t port, int fam,
                                  const char *addr)
{
    uint8_t b[16];
    struct srt_net_verdict v = decide(p, host, port);
    CU_ASSERT_EQUAL_FATAL(v.allow, 1);
    CU_ASSERT_EQUAL(srt_netpolicy_vet(p, &v, fam, fam == 4 ? v4(addr, b) : v6(addr, b)), SRT_OK);
    return v;
}

static void expect_class(const struct srt_policy *p, const char *host, int fam, const char *addr,
                         const char *cls)
{
    struct srt_net_verdict v = vet(p, host, 443, fam, addr);
    if (v.allow || !strstr(v.reason, cls))
        fprintf(stderr, "vet %s -> %s: allow %d reason '%s'\n", host, addr, v.allow, v.reason);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, cls));
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "resolves to"));
}

static void expect_pass(const struct srt_policy *p, const char *host, uint16_t port, int fam, const char *addr)
{
    struct srt_net_verdict v = vet(p, host, port, fam, addr);
    if (!v.allow)
        fprintf(stderr, "vet %s -> %s refused: %s\n", host, addr, v.reason);
    CU_ASSERT_EQUAL(v.allow, 1);
    CU_ASSERT_STRING_EQUAL(v.reason, "");
}

static void test_guard_classes(void)
{
    static const char *const allow[] = { "rebind.test", "*.example.com" };
    struct srt_policy p = np_pol(allow, N(allow), NULL, 0, NULL, 0);
    /* N9: an allowed name pointing inwards */
    expect_class(&p, "rebind.test", 4, "127.0.0.1", "loopback");
    expect_class(&p, "rebind.test", 4, "127.8.9.10", "loopback");
    expect_class(&p, "rebind.test", 6, "::1", "loopback");
    expect_class(&p, "rebind.test", 4, "0.0.0.0", "unspecified");
    expect_class(&p, "rebind.test", 4, "0.1.2.3", "unspecified");
    expect_class(&p, "rebind.test", 6, "::", "unspecified");
    expect_class(&p, "rebind.test", 4, "169.254.1.1", "link-local");
    expect_class(&p, "rebind.test", 6, "fe80::1", "link-local");
    expect_class(&p, "rebind.test", 6, "febf::1", "link-local");
    expect_class(&p, "rebind.test", 4, "224.0.0.1", "multicast");
    expect_class(&p, "rebind.test", 4, "239.255.255.250", "multicast");
    expect_class(&p, "rebind.test", 6, "ff02::1", "multicast");
    expect_class(&p, "rebind.test", 4, "255.255.255.255", "broadcast");
    /* N8: metadata */
    static const char *const meta4[] = { "169.254.169.254", "100.100.100.200", "168.63.129.16", "192.0.0.192" };
    for (size_t i = 0; i < N(meta4); i++)
        expect_class(&p, "a.example.com", 4, meta4[i], "metadata");
    static const char *const meta6[] = { "fd00:ec2::254", "fd00:ec2:1::1", "fd20:ce::254", "fd00:c1::a9fe:a9fe",
                                         "fd00:42::42", "fd00:a9fe:a9fe::1", "fd00:100::100:200" };
    for (size_t i = 0; i < N(meta6); i++)
        expect_class(&p, "a.example.com", 6, meta6[i], "metadata");
    /* embedded IPv4: mapped, NAT64, 6to4 */
    expect_class(&p, "rebind.test", 6, "::ffff:127.0.0.1", "loopback");
    expect_class(&p, "rebind.test", 6, "64:ff9b::7f00:1", "loopback");
    expect_class(&p, "rebind.test", 6, "64:ff9b::a9fe:a9fe", "metadata");
    expect_class(&p, "rebind.test", 6, "2002:7f00:1::1", "loopback");
    /* ordinary and private addresses pass (RFC 1918, ULA, CGNAT not denied) */
    expect_pass(&p, "rebind.test", 443, 4, "93.184.216.34");
    expect_pass(&p, "rebind.test", 443, 4, "10.1.2.3");
    expect_pass(&p, "rebind.test", 443, 4, "100.64.0.1");
    expect_pass(&p, "rebind.test", 443, 6, "2606:2800:220:1:248:1893:25c8:1946");
    expect_pass(&p, "rebind.test", 443, 6, "fd12:3456::1");
    expect_pass(&p, "rebind.test", 443, 6, "64:ff9b::5db8:d822");
}

static void test_guard_own_address(void)
{
    struct ifaddrs *list, *it;
    uint8_t own[4];
    bool found = false;
    if (getifaddrs(&list) < 0)
        srt_test_skip("getifaddrs failed");
    for (it = list; it; it = it->ifa_next)
        if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET) {
            const struct sockaddr_in *sin = (const void *)it->ifa_addr;
            memcpy(own, &sin->sin_addr, 4);
            if (own[0] != 127) {
                found = true;
                break;
            }
        }
    freeifaddrs(list);
    if (!found)
        return;   /* only loopback here: covered by the loopback class */
    static const char *const allow[] = { "rebind.test" };
    struct srt_policy p = np_pol(allow, N(allow), NULL, 0, NULL, 0);
    char txt[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, own, txt, sizeof txt);
    struct srt_net_verdict v = vet(&p, "rebind.test", 443, 4, txt);
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "this host"));
}

static void test_guard_exemptions(void)
{
    static const char *const allow[] = { "127.0.0.1", "rebind.test", "10.9.9.9:8080", "[::1]:9000",
                                         "localhost:3000", "*.localhost", "169.254.169.254:80" };
    struct srt_policy p = np_pol(allow, N(allow), NULL, 0, NULL, 0);
    /* the allow entry is the literal itself: not re-judged */
    expect_pass(&p, "127.0.0.1", 443, 4, "127.0.0.1");
    expect_pass(&p, "::1", 9000, 6, "::1");
    /* a name may resolve to a denied address only if that address and port are listed */
    expect_pass(&p, "rebind.test", 443, 4, "127.0.0.1");
    expect_pass(&p, "rebind.test", 80, 4, "169.254.169.254");
    expect_class(&p, "rebind.test", 4, "169.254.169.254", "metadata");   /* port 443, not 80 */
    expect_pass(&p, "rebind.test", 9000, 6, "::ffff:127.0.0.1");
    /* localhost may resolve to loopback, nothing else */
    expect_pass(&p, "localhost", 3000, 4, "127.0.0.1");
    expect_pass(&p, "localhost", 3000, 6, "::1");
    expect_pass(&p, "app.localhost", 443, 4, "127.0.0.2");
    struct srt_net_verdict v = vet(&p, "app.localhost", 443, 4, "93.184.216.34");
    CU_ASSERT_EQUAL(v.allow, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, "non-loopback"));
    v = vet(&p, "localhost", 3000, 4, "10.0.0.1");
    CU_ASSERT_EQUAL(v.allow, 0);
}

static void test_guard_user_denials(void)
{
    static const char *const allow[] = { "rebind.test", "10.0.0.5" };
    static const char *const deny[] = { "93.184.216.34", "[2001:db8::7]", "8.8.8.8:53" };
    static const char *const resolved[] = { "10.0.0.0/8", "fd00::/8", "192.0.2.1", "198.51.100.0/25" };
    struct srt_policy p = np_pol(allow, N(allow), deny, N(deny), resolved, N(resolved));
    expect_class(&p, "rebind.test", 4, "93.184.216.34", "denied domains");
    expect_class(&p, "rebind.test", 6, "::ffff:93.184.216.34", "denied domains");
    expect_class(&p, "rebind.test", 6, "2001:db8::7", "denied domains");
    expect_pass(&p, "rebind.test", 443, 4, "8.8.8.8");   /* the entry is scoped to port 53 */
    expect_class(&p, "rebind.test", 4, "10.200.0.1", "deniedResolvedAddresses");
    expect_class(&p, "rebind.test", 6, "fd12::1", "deniedResolvedAddresses");
    expect_class(&p, "rebind.test", 4, "192.0.2.1", "deniedResolvedAddresses");
    expect_class(&p, "rebind.test", 4, "198.51.100.127", "deniedResolvedAddresses");
    expect_pass(&p, "rebind.test", 443, 4, "198.51.100.128");
    expect_pass(&p, "rebind.test", 443, 4, "203.0.113.9");
    /* the user's own denial beats the allow-listed literal */
    struct srt_net_verdict v = vet(&p, "10.0.0.5", 443, 4, "10.0.0.5");
    CU_ASSERT_EQUAL(v.allow, 0);
}

static void test_guard_args(void)
{
    static const char *const allow[] = { "rebind.test" };
    struct srt_policy p = np_pol(allow, N(allow), NULL, 0, NULL, 0);
    uint8_t b[16] = { 0 };
    struct srt_net_verdict v = decide(&p, "rebind.test", 443);
    CU_ASSERT_EQUAL(srt_netpolicy_vet(&p, &v, 5, b), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_netpolicy_vet(&p, &v, 4, NULL), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_netpolicy_vet(&p, NULL, 4, b), SRT_EINVAL);
    /* a refused verdict stays refused whatever the address */
    v = decide(&p, "other.test", 443);
    CU_ASSERT_EQUAL(srt_netpolicy_vet(&p, &v, 4, v4("93.184.216.34", b)), SRT_OK);
    CU_ASSERT_EQUAL(v.allow, 0);
}

static void test_cidr_parse(void)
{
    int fam;
    uint8_t a[16];
    unsigned bits;
    CU_ASSERT_TRUE(srt_netpolicy_cidr_parse("10.0.0.0/8", &fam, a, &bits));
    CU_ASSERT_EQUAL(fam, 4);
    CU_ASSERT_EQUAL(bits, 8);
    CU_ASSERT_TRUE(srt_netpolicy_cidr_parse("fd00::1", &fam, a, &bits));
    CU_ASSERT_EQUAL(fam, 6);
    CU_ASSERT_EQUAL(bits, 128);
    CU_ASSERT_TRUE(srt_netpolicy_cidr_parse("0.0.0.0/0", &fam, a, &bits));
    static const char *const bad[] = { "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/08", "10.1",
                                       "example.com", "", "10.0.0.0/8/8", "[::1]", "::1/-1" };
    for (size_t i = 0; i < N(bad); i++)
        CU_ASSERT_FALSE(srt_netpolicy_cidr_parse(bad[i], &fam, a, &bits));
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("netpolicy", NULL, NULL);
    CU_add_test(s, "decision order, wildcard, ports, literals", test_decide_order);
    CU_add_test(s, "malformed hosts are refused", test_decide_malformed);
    CU_add_test(s, "empty allow list denies everything", test_empty_allow);
    CU_add_test(s, "argument checks", test_decide_args);
    CU_add_test(s, "guard: denied classes", test_guard_classes);
    CU_add_test(s, "guard: own interface address", test_guard_own_address);
    CU_add_test(s, "guard: exemptions", test_guard_exemptions);
    CU_add_test(s, "guard: user denials", test_guard_user_denials);
    CU_add_test(s, "guard: arguments", test_guard_args);
    CU_add_test(s, "IP/CIDR entries", test_cidr_parse);
}
