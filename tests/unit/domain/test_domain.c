/* test_domain.c - domain patterns (REFERENCE.md 2.7), client host
 * canonicalisation (6.7, THREATS N5-N11) and matching (6.8). */
#include <string.h>

#include "cu_main.h"
#include "domain_int.h"

struct pat_case {
    const char *pat;
    bool allow_ok;   /* valid in allowedDomains */
    bool deny_ok;    /* valid in deniedDomains */
};

static const struct pat_case pat_cases[] = {
    { "example.com", true, true },
    { "EXAMPLE.com", true, true },
    { "sub.example.com", true, true },
    { "_dmarc.example.com", true, true },
    { "localhost", true, true },
    { "localhost:3000", true, true },
    { "sub.localhost", true, true },
    { "1.2.3.4", true, true },
    { "1.2.3.4:80", true, true },
    { "*.example.com", true, true },
    { "*.example.com:443", true, true },
    { "[::1]", true, true },
    { "[fe80::1%eth0]", true, true },
    { "[2001:db8::1]:443", true, true },
    { "example.com:1", true, true },
    { "example.com:65535", true, true },
    /* only deny lists accept the bare wildcard */
    { "*", false, true },
    { "*:443", false, true },
    /* rejected by the reference */
    { "*.com", false, false },
    { "*example.com", false, false },
    { "a*.example.com", false, false },
    { "*.", false, false },
    { "example", false, false },
    { ".example.com", false, false },
    { "example.com.", false, false },
    { "http://x.com", false, false },
    { "x.com/path", false, false },
    { "::1", false, false },
    { "2001:db8::1", false, false },
    { "example.com:65536", false, false },
    { "example.com:0", false, false },
    { "example.com:0443", false, false },
    { "example.com:+443", false, false },
    { "example.com:443x", false, false },
    { "example.com:", false, false },
    { "[::1", false, false },
    { "[zz::1]", false, false },
    { "[::1]x", false, false },
    { "", false, false },
    /* beyond the reference: whitespace, empty labels, second wildcard */
    { "a..b.com", false, false },
    { "ex ample.com", false, false },
    { " example.com", false, false },
    { "example.com\t", false, false },
    { "*.*.example.com", false, false },
    { "*:*", false, false },
    { "exa\x01mple.com", false, false },
    { "m\xc3\xbcnchen.de", false, false },
};

static void test_pattern_validity(void)
{
    for (size_t i = 0; i < sizeof pat_cases / sizeof pat_cases[0]; i++) {
        const struct pat_case *c = &pat_cases[i];
        const char *why = NULL;
        bool a = srt_domain_pattern_is_valid(c->pat, false, &why);
        bool d = srt_domain_pattern_is_valid(c->pat, true, NULL);
        if (a != c->allow_ok || d != c->deny_ok)
            fprintf(stderr, "pattern case '%s': allow %d deny %d\n", c->pat, a, d);
        CU_ASSERT_EQUAL(a, c->allow_ok);
        CU_ASSERT_EQUAL(d, c->deny_ok);
        if (!a) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(why);
            CU_ASSERT_PTR_NOT_NULL(strstr(why, "*.example.com"));
            CU_ASSERT_PTR_NOT_NULL(strstr(why, "[2001:db8::1]"));
            CU_ASSERT_PTR_NOT_NULL(strstr(why, "port"));
        }
    }
    CU_ASSERT_FALSE(srt_domain_pattern_is_valid(NULL, false, NULL));
}

static void test_pattern_canon(void)
{
    static const char *const cases[][2] = {
        { "EXAMPLE.com", "example.com" },
        { "Sub.Example.COM:443", "sub.example.com:443" },
        { "*.EXAMPLE.com", "*.example.com" },
        { "LocalHost:3000", "localhost:3000" },
        { "[2001:DB8:0:0::1]:443", "[2001:db8::1]:443" },
        { "[::ffff:127.0.0.1]", "127.0.0.1" },
        { "[fe80::1%eth0]", "[fe80::1%eth0]" },
        { "127.000.000.001", "127.0.0.1" },
        { "*", "*" },
        { "*:80", "*:80" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[SRT_HOST_MAX + 8];
        CU_ASSERT_EQUAL_FATAL(srt_domain_pattern_canon(cases[i][0], out, sizeof out), 0);
        CU_ASSERT_STRING_EQUAL(out, cases[i][1]);
    }
    char tiny[4];
    CU_ASSERT_EQUAL(srt_domain_pattern_canon("example.com", tiny, sizeof tiny), -1);
}

static void canon_ok(const char *in, size_t len, const char *want)
{
    char out[SRT_HOST_MAX];
    const char *why = NULL;
    int rc = srt_host_canon(in, len, out, sizeof out, &why);
    if (rc != 0)
        fprintf(stderr, "canon '%s' refused: %s\n", in, why);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(out, want);
}

static void canon_bad(const char *in, size_t len)
{
    char out[SRT_HOST_MAX];
    const char *why = NULL;
    int rc = srt_host_canon(in, len, out, sizeof out, &why);
    if (rc == 0)
        fprintf(stderr, "canon accepted '%.*s' as '%s'\n", (int)len, in, out);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NOT_NULL(why);
}

#define OK(s, w) canon_ok((s), sizeof(s) - 1, (w))
#define BAD(s)   canon_bad((s), sizeof(s) - 1)

static void test_host_canon_threats(void)
{
    /* N7: every spelling of loopback becomes the dotted quad */
    OK("2130706433", "127.0.0.1");
    OK("0x7f.1", "127.0.0.1");
    OK("127.1", "127.0.0.1");
    OK("0177.0.0.1", "127.0.0.1");
    OK("0x7F000001", "127.0.0.1");
    OK("127.0.1", "127.0.0.1");
    OK("[::ffff:127.0.0.1]", "127.0.0.1");
    OK("::ffff:7f00:1", "127.0.0.1");
    OK("[64:ff9b::7f00:1]", "64:ff9b::7f00:1");
    OK("[0:0:0:0:0:0:0:1]", "::1");
    OK("[2001:DB8::0:1]", "2001:db8::1");
    OK("169.254.169.254", "169.254.169.254");
    /* N11 */
    OK("EXAMPLE.com.", "example.com");
    OK("Sub.Example.Com", "sub.example.com");
    OK("_dmarc.example.com", "_dmarc.example.com");
    BAD("example.com@evil.test");
    BAD("evil.test%00.example.com");
    BAD("evil.test#.example.com");
    /* N5: NUL inside the name (length counts past it) */
    BAD("evil.test\0.example.com");
    BAD("evil.test\r\n.example.com");
    BAD("ex\x7f" "ample.com");
    BAD("m\xc3\xbcnchen.de");
    BAD("[fe80::1%eth0]");
    BAD("");
    BAD(".");
    BAD("..");
    BAD("a..b.com");
    BAD(".example.com");
    BAD("example.com..");
    BAD("exa mple.com");
    BAD("example.com:443");
    BAD("[::1");
    BAD("[example.com]");
    BAD("256.1.1.1");
    BAD("1.2.3.4.5");
    BAD("0x100000000");
    BAD("1.0x1000000");
    BAD("09.1.1.1");
    BAD("foo.0x10");
    BAD("foo.123");
    char longname[300];
    memset(longname, 'a', sizeof longname);
    canon_bad(longname, sizeof longname);
}

static void test_is_ip(void)
{
    CU_ASSERT_TRUE(srt_host_is_ip("127.0.0.1"));
    CU_ASSERT_TRUE(srt_host_is_ip("::1"));
    CU_ASSERT_FALSE(srt_host_is_ip("example.com"));
    CU_ASSERT_FALSE(srt_host_is_ip("[::1]"));
    CU_ASSERT_FALSE(srt_host_is_ip(NULL));
}

static void test_matching(void)
{
    /* wildcard: strict subdomains at any depth, never the apex */
    CU_ASSERT_TRUE(srt_domain_matches("*.example.com", "a.example.com", 443));
    CU_ASSERT_TRUE(srt_domain_matches("*.example.com", "a.b.example.com", 80));
    CU_ASSERT_FALSE(srt_domain_matches("*.example.com", "example.com", 443));
    CU_ASSERT_FALSE(srt_domain_matches("*.example.com", "evilexample.com", 443));
    CU_ASSERT_FALSE(srt_domain_matches("*.example.com", "example.com.evil.test", 443));
    CU_ASSERT_FALSE(srt_domain_matches("*.0.0.1", "127.0.0.1", 443));
    /* exact */
    CU_ASSERT_TRUE(srt_domain_matches("example.com", "example.com", 1));
    CU_ASSERT_FALSE(srt_domain_matches("example.com", "a.example.com", 443));
    CU_ASSERT_FALSE(srt_domain_matches("example.com", "example.co", 443));
    CU_ASSERT_FALSE(srt_domain_matches("example.co", "example.com", 443));
    /* ports */
    CU_ASSERT_TRUE(srt_domain_matches("example.com:443", "example.com", 443));
    CU_ASSERT_FALSE(srt_domain_matches("example.com:443", "example.com", 22));
    CU_ASSERT_TRUE(srt_domain_matches("*.example.com:8443", "x.example.com", 8443));
    CU_ASSERT_FALSE(srt_domain_matches("*.example.com:8443", "x.example.com", 443));
    /* deny-list wildcards */
    CU_ASSERT_TRUE(srt_domain_matches("*", "anything.test", 1));
    CU_ASSERT_TRUE(srt_domain_matches("*", "10.0.0.1", 1));
    CU_ASSERT_TRUE(srt_domain_matches("*:22", "example.com", 22));
    CU_ASSERT_FALSE(srt_domain_matches("*:22", "example.com", 443));
    /* IP literals, bracketed IPv6 patterns */
    CU_ASSERT_TRUE(srt_domain_matches("127.0.0.1", "127.0.0.1", 9000));
    CU_ASSERT_TRUE(srt_domain_matches("127.0.0.1:9000", "127.0.0.1", 9000));
    CU_ASSERT_FALSE(srt_domain_matches("127.0.0.1:9000", "127.0.0.1", 9001));
    CU_ASSERT_TRUE(srt_domain_matches("[2001:db8::1]:443", "2001:db8::1", 443));
    CU_ASSERT_TRUE(srt_domain_matches("[2001:db8::1]", "2001:db8::1", 80));
    CU_ASSERT_FALSE(srt_domain_matches("[fe80::1%eth0]", "fe80::1", 80));
    CU_ASSERT_FALSE(srt_domain_matches("", "example.com", 80));
}

/* Canonicalise both sides as the decision does: "127.1" in settings equals
 * "127.0.0.1" asked for, "EXAMPLE.com." equals "example.com" (6.8). */
static void test_canon_then_match(void)
{
    char pat[SRT_HOST_MAX + 8], host[SRT_HOST_MAX];
    CU_ASSERT_EQUAL_FATAL(srt_domain_pattern_canon("127.1", pat, sizeof pat), 0);
    CU_ASSERT_EQUAL_FATAL(srt_host_canon("0x7f.0.0.1", 10, host, sizeof host, NULL), 0);
    CU_ASSERT_TRUE(srt_domain_matches(pat, host, 80));
    CU_ASSERT_EQUAL_FATAL(srt_domain_pattern_canon("EXAMPLE.com", pat, sizeof pat), 0);
    CU_ASSERT_EQUAL_FATAL(srt_host_canon("Example.COM.", 12, host, sizeof host, NULL), 0);
    CU_ASSERT_TRUE(srt_domain_matches(pat, host, 80));
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("domain", NULL, NULL);
    CU_add_test(s, "pattern validity (2.7)", test_pattern_validity);
    CU_add_test(s, "pattern canonical form", test_pattern_canon);
    CU_add_test(s, "host canonicalisation (N5, N7, N11)", test_host_canon_threats);
    CU_add_test(s, "IP literal predicate", test_is_ip);
    CU_add_test(s, "matching (6.8)", test_matching);
    CU_add_test(s, "canonical pattern vs canonical host", test_canon_then_match);
}
