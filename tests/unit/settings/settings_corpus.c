/* settings_corpus.c - the table of settings documents and their expected
 * outcomes. JSON is written with single quotes for readability; the runner
 * turns them into double quotes before writing the file. */
#include <stdio.h>
#include <string.h>

#include "settings_test.h"

#define NET0 "'network':{'allowedDomains':[],'deniedDomains':[]}"
#define FS0  "'filesystem':{'denyRead':[],'allowWrite':[],'denyWrite':[]}"
#define MIN  "{" NET0 "," FS0 "}"
/* A document with the given allow and deny lists. */
#define DOM(allow, deny) "{'network':{'allowedDomains':[" allow "],'deniedDomains':[" deny "]}," FS0 "}"
/* A document with the given filesystem members. */
#define FS(members) "{" NET0 ",'filesystem':{" members "}}"
#define FSL(dr, aw, dw) FS("'denyRead':[" dr "],'allowWrite':[" aw "],'denyWrite':[" dw "]")
/* A minimal document plus extra top-level members. */
#define TOP(extra) "{" NET0 "," FS0 "," extra "}"
/* A document with extra network members. */
#define NETX(extra) "{'network':{'allowedDomains':[],'deniedDomains':[]," extra "}," FS0 "}"

bool has_path(const struct srt_path_list *l, const char *rel, uint32_t flags)
{
    char want[2 * PATH_MAX];
    if (rel[0] == '/')
        snprintf(want, sizeof want, "%s", rel);
    else
        snprintf(want, sizeof want, "%s/%s", fx.root, rel);
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, want) == 0 && l->v[i].flags == flags)
            return true;
    fprintf(stderr, "path %s (flags %u) not in list:", want, flags);
    for (size_t i = 0; i < l->n; i++)
        fprintf(stderr, " %s(%u)", l->v[i].path, l->v[i].flags);
    fprintf(stderr, "\n");
    return false;
}

static bool has_str(const struct srt_str_list *l, size_t i, const char *want)
{
    return i < l->n && strcmp(l->v[i], want) == 0;
}

void check_defaults(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_EQUAL(p->deny_read.n + p->allow_read.n + p->allow_write.n + p->deny_write.n, 0);
    CU_ASSERT_EQUAL(p->allowed_domains.n + p->denied_domains.n + p->denied_resolved.n, 0);
    CU_ASSERT_EQUAL(p->mandatory_deny_depth, 3);
    CU_ASSERT_EQUAL(p->flags, 0);
    CU_ASSERT_EQUAL(p->http_proxy_port + p->socks_proxy_port, 0);
    CU_ASSERT_EQUAL(p->default_write.n, 2);
    CU_ASSERT_TRUE(has_path(&p->default_write, "home/.npm/_logs", 0));
    CU_ASSERT_TRUE(has_path(&p->default_write, "srt-tmp", 0));
    CU_ASSERT_STRING_EQUAL(p->cwd, fx.cwd);
    CU_ASSERT_STRING_EQUAL(p->home, fx.home);
    CU_ASSERT_STRING_EQUAL(p->tmpdir, fx.tmp);
    CU_ASSERT_PTR_NULL(p->bwrap_path);
}

static void ck_paths(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_TRUE(has_path(&p->allow_write, "home", 0));              /* ~ */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "home/x", 0));            /* ~/x */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/rel/dir", 0));       /* relative */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/b/c", 0));           /* ./a/../b//c/ */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "/abs/dir", 0));          /* trailing slash */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/src", 0));           /* src followed by slash-star-star */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "/", 0));                 /* root with slash-star-star */
    CU_ASSERT_TRUE(has_path(&p->deny_write, "home/.ssh", 0));          /* ~/.ssh with slash-star-star */
    CU_ASSERT_TRUE(has_path(&p->deny_read, "home/.ssh", 0));           /* ~/.ssh/ (not a glob) */
    CU_ASSERT_TRUE(has_path(&p->deny_read, "cwd", 0));                 /* . */
    CU_ASSERT_EQUAL(p->allow_write.n, 7);
    for (size_t i = 0; i < p->allow_write.n; i++)
        CU_ASSERT_EQUAL(p->allow_write.v[i].path[0], '/');
}

static void ck_globs(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/etc/*.conf", SRT_PATH_GLOB));
    CU_ASSERT_TRUE(has_path(&p->deny_read, "home/proj/**/secret", SRT_PATH_GLOB));
    CU_ASSERT_TRUE(has_path(&p->deny_read, "cwd/[ab]x", SRT_PATH_GLOB));
    CU_ASSERT_TRUE(has_path(&p->deny_read, "cwd/src/?.pem", SRT_PATH_GLOB));    /* link/ resolved */
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/x/[", 0));                     /* not a valid set */
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/x/a]", 0));
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/x/*", 0));                     /* escaped star */
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/x/[/]", 0));                   /* '/' ends a set */
    CU_ASSERT_TRUE(has_path(&p->deny_write, "/var/*/log", SRT_PATH_GLOB)); /* slash-star-star stripped after a glob */
    CU_ASSERT_TRUE(has_path(&p->deny_write, "cwd/src/*", SRT_PATH_GLOB));  /* relative, trailing / */
    CU_ASSERT_TRUE(has_path(&p->allow_write, "/tmp/*", SRT_PATH_GLOB));     /* allow globs may end in / */
}

static void ck_literal(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/a/*", SRT_PATH_LITERAL));
    CU_ASSERT_TRUE(has_path(&p->deny_read, "/a/**", SRT_PATH_LITERAL));
    CU_ASSERT_TRUE(has_path(&p->allow_write, "home/[x]", SRT_PATH_LITERAL));
    CU_ASSERT_TRUE(has_path(&p->deny_write, "/b/*", SRT_PATH_GLOB));
}

static void ck_symlink(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/src/new/deeper", 0));
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/src", 0));
    CU_ASSERT_EQUAL(p->allow_write.n, 2);   /* link and src are one entry */
}

static void ck_domains(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    static const char *const want[] = { "*.example.com", "127.0.0.1", "[2001:db8::1]:443", "a.example.com",
                                        "b.example.com", "localhost:3000" };
    size_t n = sizeof want / sizeof want[0];
    CU_ASSERT_EQUAL_FATAL(p->allowed_domains.n, n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_TRUE(has_str(&p->allowed_domains, i, want[i]));
    CU_ASSERT_EQUAL_FATAL(p->denied_domains.n, 3);
    CU_ASSERT_TRUE(has_str(&p->denied_domains, 0, "*"));
    CU_ASSERT_TRUE(has_str(&p->denied_domains, 1, "*:22"));
    CU_ASSERT_TRUE(has_str(&p->denied_domains, 2, "evil.test"));
}

static void ck_v6_mapped(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_TRUE(has_str(&p->allowed_domains, 0, "127.0.0.1:8080"));
    CU_ASSERT_TRUE(has_str(&p->allowed_domains, 1, "[fe80::1%eth0]"));
}

static void ck_flags(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    uint32_t want = SRT_POL_WEAKER_NESTED | SRT_POL_ALLOW_PTY | SRT_POL_ALLOW_GIT_CONFIG |
                    SRT_POL_ALLOW_ALL_UNIX | SRT_POL_ALLOW_LOCAL_BINDING | SRT_POL_FS_DISABLED |
                    SRT_POL_ALLOW_NESTED_USERNS | SRT_POL_STRICT_ALLOWLIST;
    CU_ASSERT_EQUAL(p->flags, want);
    CU_ASSERT_EQUAL(p->mandatory_deny_depth, 10);
    CU_ASSERT_EQUAL(p->http_proxy_port, 3128);
    CU_ASSERT_EQUAL(p->socks_proxy_port, 65535);
    CU_ASSERT_STRING_EQUAL(p->bwrap_path, "/usr/bin/bwrap");
    CU_ASSERT_EQUAL(p->allow_unix_sockets.n, 1);
    CU_ASSERT_TRUE(has_str(&p->allow_unix_sockets, 0, "/run/x.sock"));
}

static void ck_depth1(const struct srt_settings *s)
{
    CU_ASSERT_EQUAL(srt_settings_policy(s)->mandatory_deny_depth, 1);
}

static void ck_depth3(const struct srt_settings *s)
{
    CU_ASSERT_EQUAL(srt_settings_policy(s)->mandatory_deny_depth, 3);
}

static void ck_resolved(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_EQUAL_FATAL(p->denied_resolved.n, 3);
    CU_ASSERT_TRUE(has_str(&p->denied_resolved, 0, "10.0.0.0/8"));
    CU_ASSERT_TRUE(has_str(&p->denied_resolved, 1, "192.0.2.7"));
    CU_ASSERT_TRUE(has_str(&p->denied_resolved, 2, "fd00::/8"));
}

static void ck_npm_dropped(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_EQUAL(p->default_write.n, 1);
    CU_ASSERT_TRUE(has_path(&p->default_write, "srt-tmp", 0));
}

static void ck_dedup(const struct srt_settings *s)
{
    const struct srt_policy *p = srt_settings_policy(s);
    CU_ASSERT_EQUAL(p->allow_write.n, 2);
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd/src", SRT_PATH_LITERAL));
    CU_ASSERT_TRUE(has_path(&p->allow_write, "cwd", 0));
    CU_ASSERT_EQUAL(p->allowed_domains.n, 1);
}

static void ck_raw(const struct srt_settings *s)
{
    json_t *raw = srt_settings_raw(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    json_t *git = json_object_get(raw, "git");
    CU_ASSERT_TRUE(json_is_object(git));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(git, "safeDirectories")), 1);
}

static void ck_mach(const struct srt_settings *s)
{
    CU_ASSERT_TRUE(has_str(&srt_settings_policy(s)->allow_mach_lookup, 0, "com.apple.foo.*"));
}

#define INVALID(n, j, ...) { .name = n, .json = j, .errs = { __VA_ARGS__ } }
#define INVALID_MSG(n, j, m, ...) { .name = n, .json = j, .msg = m, .errs = { __VA_ARGS__ } }
#define VALID(n, j, w, f) { .name = n, .json = j, .warns = w, .check = f }
#define VALID_WARN(n, j, m) { .name = n, .json = j, .warns = 1, .msg = m }

const struct doc_case settings_corpus[] = {
    /* --- shape and required members --- */
    INVALID("root-array", "[]", "(root)"),
    INVALID("root-string", "'x'", "(root)"),
    INVALID("empty-object", "{}", "network", "filesystem"),
    INVALID("no-filesystem", "{" NET0 "}", "filesystem"),
    INVALID_MSG("network-number", "{'network':1," FS0 "}", "must be an object", "network"),
    INVALID("no-allowed", "{'network':{'deniedDomains':[]}," FS0 "}", "network.allowedDomains"),
    INVALID("no-denied", "{'network':{'allowedDomains':[]}," FS0 "}", "network.deniedDomains"),
    INVALID("allowed-string", "{'network':{'allowedDomains':'x.com','deniedDomains':[]}," FS0 "}",
            "network.allowedDomains"),
    INVALID("allowed-member-number", DOM("'a.com',7", ""), "network.allowedDomains.1"),
    INVALID("no-denyread", FS("'allowWrite':[],'denyWrite':[]"), "filesystem.denyRead"),
    INVALID("no-allowwrite", FS("'denyRead':[],'denyWrite':[]"), "filesystem.allowWrite"),
    INVALID("no-denywrite", FS("'denyRead':[],'allowWrite':[]"), "filesystem.denyWrite"),
    INVALID("two-missing", FS("'denyRead':[]"), "filesystem.allowWrite", "filesystem.denyWrite"),
    /* --- domain patterns, 2.7 --- */
    INVALID_MSG("allow-star-com", DOM("'ok.example.com','*.com'", ""), "invalid domain pattern \"*.com\"",
                "network.allowedDomains.1"),
    INVALID("allow-star", DOM("'*'", ""), "network.allowedDomains.0"),
    INVALID("allow-star-port", DOM("'*:443'", ""), "network.allowedDomains.0"),
    INVALID("allow-no-dot", DOM("'example'", ""), "network.allowedDomains.0"),
    INVALID("allow-leading-dot", DOM("'.example.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-trailing-dot", DOM("'example.com.'", ""), "network.allowedDomains.0"),
    INVALID("allow-url", DOM("'http://x.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-path", DOM("'x.com/path'", ""), "network.allowedDomains.0"),
    INVALID("allow-bare-v6", DOM("'::1'", ""), "network.allowedDomains.0"),
    INVALID("allow-port-high", DOM("'example.com:65536'", ""), "network.allowedDomains.0"),
    INVALID("allow-port-zero", DOM("'example.com:0'", ""), "network.allowedDomains.0"),
    INVALID("allow-port-leading-zero", DOM("'example.com:080'", ""), "network.allowedDomains.0"),
    INVALID("allow-port-sign", DOM("'example.com:+443'", ""), "network.allowedDomains.0"),
    INVALID("allow-empty-label", DOM("'a..b.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-space", DOM("'ex ample.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-two-stars", DOM("'*.*.example.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-star-prefix", DOM("'*example.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-star-mid", DOM("'a*.example.com'", ""), "network.allowedDomains.0"),
    INVALID("allow-star-dot", DOM("'*.'", ""), "network.allowedDomains.0"),
    INVALID("allow-bad-v6", DOM("'[zz::1]'", ""), "network.allowedDomains.0"),
    INVALID("allow-empty", DOM("''", ""), "network.allowedDomains.0"),
    INVALID_MSG("allow-control", DOM("'a\\nb.com'", ""), "\"a\\x0ab.com\"", "network.allowedDomains.0"),
    INVALID("deny-star-com", DOM("", "'*.com'"), "network.deniedDomains.0"),
    INVALID("deny-star-port-zero", DOM("", "'*:0'"), "network.deniedDomains.0"),
    INVALID("deny-star-star", DOM("", "'*:*'"), "network.deniedDomains.0"),
    INVALID("deny-no-dot", DOM("", "'ok.test','intranet'"), "network.deniedDomains.1"),
    INVALID("many-domain-issues", DOM("'ok.com','*.com','x'", "'y'"), "network.allowedDomains.1",
            "network.allowedDomains.2", "network.deniedDomains.0"),
    /* --- path entries, 2.6 --- */
    INVALID("denyread-object", FS("'denyRead':{},'allowWrite':[],'denyWrite':[]"), "filesystem.denyRead"),
    INVALID_MSG("path-empty", FSL("", "''", ""), "must not be empty", "filesystem.allowWrite.0"),
    INVALID("path-number", FSL("", "", "'/ok',3"), "filesystem.denyWrite.1"),
    INVALID("literal-missing", FSL("", "{'path':'/x'}", ""), "filesystem.allowWrite.0.literal"),
    INVALID("literal-false", FSL("", "{'path':'/x','literal':false}", ""), "filesystem.allowWrite.0.literal"),
    INVALID("literal-unknown-key", FSL("{'path':'/x','literal':true,'extra':1}", "", ""),
            "filesystem.denyRead.0.extra"),
    INVALID("literal-empty-path", FSL("{'path':'','literal':true}", "", ""), "filesystem.denyRead.0.path"),
    INVALID("literal-no-path", FSL("{'literal':true}", "", ""), "filesystem.denyRead.0.path"),
    INVALID_MSG("deny-glob-slash-abs", FSL("'/etc/*/'", "", ""), "/**", "filesystem.denyRead.0"),
    INVALID("deny-glob-slash-home", FSL("", "", "'/ok','~/.ssh/*/'"), "filesystem.denyWrite.1"),
    /* --- numbers and flags --- */
    INVALID("depth-zero", TOP("'mandatoryDenySearchDepth':0"), "mandatoryDenySearchDepth"),
    INVALID_MSG("depth-eleven", TOP("'mandatoryDenySearchDepth':11"), "between 1 and 10",
                "mandatoryDenySearchDepth"),
    INVALID("depth-string", TOP("'mandatoryDenySearchDepth':'3'"), "mandatoryDenySearchDepth"),
    INVALID("depth-fraction", TOP("'mandatoryDenySearchDepth':2.5"), "mandatoryDenySearchDepth"),
    INVALID("http-port-zero", NETX("'httpProxyPort':0"), "network.httpProxyPort"),
    INVALID("socks-port-high", NETX("'socksProxyPort':70000"), "network.socksProxyPort"),
    INVALID("resolved-bad-prefix", NETX("'deniedResolvedAddresses':['10.0.0.0/33']"),
            "network.deniedResolvedAddresses.0"),
    INVALID("resolved-name", NETX("'deniedResolvedAddresses':['10.0.0.1','example.com']"),
            "network.deniedResolvedAddresses.1"),
    INVALID("weaker-string", TOP("'enableWeakerNestedSandbox':'yes'"), "enableWeakerNestedSandbox"),
    INVALID("gitconfig-number", FS("'denyRead':[],'allowWrite':[],'denyWrite':[],'allowGitConfig':1"),
            "filesystem.allowGitConfig"),
    INVALID("unix-number", NETX("'allowUnixSockets':[1]"), "network.allowUnixSockets.0"),
    /* --- tool paths and T2/T3 objects --- */
    INVALID_MSG("bwrap-relative", TOP("'bwrapPath':'bin/bwrap'"), "must be absolute", "bwrapPath"),
    INVALID("socat-empty", TOP("'socatPath':''"), "socatPath"),
    INVALID("java-relative", TOP("'javaAgentJarPath':'agent.jar'"), "javaAgentJarPath"),
    INVALID("seccomp-argv0-alone", TOP("'seccomp':{'argv0':'apply'}"), "seccomp.argv0"),
    INVALID("ripgrep-no-command", TOP("'ripgrep':{'args':[]}"), "ripgrep.command"),
    INVALID("ignore-not-array", TOP("'ignoreViolations':{'*':'x'}"), "ignoreViolations.*"),
    INVALID("ignore-not-object", TOP("'ignoreViolations':[]"), "ignoreViolations"),
    INVALID("credentials-unknown", TOP("'credentials':{'bogus':1}"), "credentials.bogus"),
    INVALID("credentials-file-unknown", TOP("'credentials':{'files':[{'path':'/s','nope':1}]}"),
            "credentials.files.0.nope"),
    INVALID("credentials-env-name", TOP("'credentials':{'envVars':[{'name':'1BAD'}]}"),
            "credentials.envVars.0.name"),
    INVALID("credentials-mask-no-tls", TOP("'credentials':{'envVars':[{'name':'TOKEN','mode':'mask'}]}"),
            "credentials.envVars.0.mode"),
    INVALID("credentials-claims", TOP("'credentials':{'files':[{'path':'/s','maskClaims':['a'],'injectHosts':[]}]}"),
            "credentials.files.0.maskClaims", "credentials.files.0.injectHosts"),
    INVALID("credentials-extract", TOP("'credentials':{'envVars':[{'name':'T','extract':'abc'}]}"),
            "credentials.envVars.0.extract"),
    INVALID("credentials-inject-uncovered",
            TOP("'credentials':{'envVars':[{'name':'T','injectHosts':['api.other.test']}]}"),
            "credentials.envVars.0.injectHosts.0"),
    INVALID("credentials-sigv4", TOP("'credentials':{'sigv4':{'streaming':'allow'}}"),
            "credentials.sigv4.streaming"),
    INVALID("credentials-aws", TOP("'credentials':{'awsPairs':[{'accessKeyIdVar':'A'}]}"),
            "credentials.awsPairs.0.secretAccessKeyVar", "credentials.awsPairs.0.accessKeyIdVar"),
    INVALID("tls-half-pair", NETX("'tlsTerminate':{'caCertPath':'/ca.pem','maxTunnels':0}"),
            "network.tlsTerminate", "network.tlsTerminate.maxTunnels"),
    INVALID("tls-exclude-star", NETX("'tlsTerminate':{'excludeDomains':['*']}"),
            "network.tlsTerminate.excludeDomains.0"),
    INVALID("mitm-no-domains", NETX("'mitmProxy':{'socketPath':'/s','domains':[]}"), "network.mitmProxy.domains"),
    INVALID("mitm-bad-domain", NETX("'mitmProxy':{'socketPath':'/s','domains':['*.com']}"),
            "network.mitmProxy.domains.0"),
    INVALID("parent-proxy-scheme", NETX("'parentProxy':{'http':'ftp://x'}"), "network.parentProxy.http"),
    INVALID("ambiguous-target", NETX("'ambiguousRequestTarget':'guess'"), "network.ambiguousRequestTarget"),
    INVALID("windows-fields", TOP("'windows':{'sandboxUser':'abcdefghijklmnopqrstuvwxyz','proxyPortRange':[60080,60200],"
                                  "'sublayerGuid':'nope','backend':'other'}"),
            "windows.sandboxUser", "windows.proxyPortRange", "windows.sublayerGuid", "windows.backend"),
    INVALID("mach-mid-star", NETX("'allowMachLookup':['com.*.x']"), "network.allowMachLookup.0"),
    INVALID("reasons-bad-key", NETX("'deniedDomainReasons':{'*.com':'no'}"), "network.deniedDomainReasons.*.com"),
    INVALID("git-safe-number", TOP("'git':{'safeDirectories':[1]}"), "git.safeDirectories.0"),

    /* --- valid documents --- */
    VALID("minimal", MIN, 0, check_defaults),
    VALID("paths", FSL("'~/.ssh/','.'", "'~','~/x','rel/dir','./a/../b//c/','/abs/dir/','src/**','/**'",
                       "'~/.ssh/**'"),
          0, ck_paths),
    VALID("globs", FSL("'/etc/*.conf','~/proj/**/secret','[ab]x','link/?.pem','/x/[','/x/a]','/x/\\\\*','/x/[/]'",
                       "'/tmp/*/'", "'/var/*/log/**','src/*/'"),
          0, ck_globs),
    VALID("literal", FSL("{'path':'/a/*','literal':true},{'path':'/a/**','literal':true}",
                         "{'path':'~/[x]','literal':true}", "'/b/*'"),
          0, ck_literal),
    VALID("symlink-prefix", FSL("", "'link/new/deeper','link','src/'", ""), 0, ck_symlink),
    VALID("domains", DOM("'B.example.com','a.example.com','A.EXAMPLE.com','[2001:DB8::1]:443','127.1',"
                         "'*.Example.com','LocalHost:3000'",
                         "'evil.test','*:22','*'"),
          0, ck_domains),
    VALID("domains-v6", DOM("'[::ffff:127.0.0.1]:8080','[fe80::1%eth0]'", ""), 0, ck_v6_mapped),
    VALID("domains-quirks-ok", DOM("'_dmarc.example.com','sub.localhost','1.2.3.4:80','localhost'", "'*:443'"),
          0, NULL),
    VALID("all-flags",
          "{'network':{'allowedDomains':[],'deniedDomains':[],'allowAllUnixSockets':true,'allowLocalBinding':true,"
          "'allowUnixSockets':['/run/x.sock'],'httpProxyPort':3128,'socksProxyPort':65535,'strictAllowlist':true},"
          "'filesystem':{'denyRead':[],'allowWrite':[],'denyWrite':[],'allowGitConfig':true,'disabled':true},"
          "'enableWeakerNestedSandbox':true,'allowPty':true,'mandatoryDenySearchDepth':10,"
          "'allowNestedUserNamespaces':true,'bwrapPath':'/usr/bin/bwrap','seccomp':{'applyPath':'/usr/lib/x',"
          "'argv0':'apply'},'ripgrep':{'command':'rg','args':['--hidden']},'ignoreViolations':{'*':['x']}}",
          0, ck_flags),
    VALID("depth-one", TOP("'mandatoryDenySearchDepth':1"), 0, ck_depth1),
    VALID("depth-real", TOP("'mandatoryDenySearchDepth':3.0"), 0, ck_depth3),
    VALID("resolved", NETX("'deniedResolvedAddresses':['fd00::/8','10.0.0.0/8','192.0.2.7','10.0.0.0/8']"), 0,
          ck_resolved),
    VALID("npm-under-denyread", FSL("'~/.npm'", "", ""), 0, ck_npm_dropped),
    VALID("npm-under-glob", FSL("'~/.n*'", "", ""), 0, ck_npm_dropped),
    VALID("dedup", "{'network':{'allowedDomains':['x.com','X.com'],'deniedDomains':[]},"
                   "'filesystem':{'denyRead':[],'allowWrite':['.','./','src/../',"
                   "{'path':'src','literal':true},'src'],'denyWrite':[]}}",
          0, ck_dedup),
    VALID_WARN("unknown-top", TOP("'colour':'blue'"), "unknown key colour ignored"),
    VALID_WARN("unknown-network", NETX("'allowedDomain':['x.com']"), "unknown key network.allowedDomain ignored"),
    VALID_WARN("unknown-filesystem", FS("'denyRead':[],'allowWrite':[],'denyWrite':[],'allowWrites':['/']"),
               "unknown key filesystem.allowWrites ignored"),
    VALID_WARN("unknown-ripgrep", TOP("'ripgrep':{'command':'rg','flags':1}"), "unknown key ripgrep.flags ignored"),
    VALID_WARN("apple-events", TOP("'allowAppleEvents':true"),
               "allowAppleEvents is accepted but not enforced by this srt version"),
    VALID("apple-events-false", TOP("'allowAppleEvents':false,'enableWeakerNetworkIsolation':false,'git':{}"), 0,
          NULL),
    VALID_WARN("socat", TOP("'socatPath':'/usr/bin/socat'"), "socatPath is accepted but not enforced by this srt version"),
    VALID_WARN("mach", NETX("'allowMachLookup':['com.apple.foo.*']"),
               "network.allowMachLookup is accepted but not enforced by this srt version"),
    VALID("git-raw", TOP("'git':{'safeDirectories':['/repo']}"), 1, ck_raw),
    VALID("credentials-ok",
          "{'network':{'allowedDomains':['*.example.com'],'deniedDomains':[],'tlsTerminate':{'maxTunnels':256}},"
          FS0 ",'credentials':{'envVars':[{'name':'TOKEN','mode':'mask','injectHosts':['api.example.com'],"
          "'extract':'Bearer (.*)'},{'name':'AWS_A','mode':'mask'},{'name':'AWS_S','mode':'mask'}],"
          "'awsPairs':[{'accessKeyIdVar':'AWS_A','secretAccessKeyVar':'AWS_S'}],"
          "'sigv4':{'streaming':'deny'},'files':[{'path':'/s/key','mode':'deny'}]}}",
          2, NULL),
    VALID("windows-ok", TOP("'windows':{'backend':'mxc','proxyPortRange':[60080,60089],"
                            "'sublayerGuid':'0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'}"),
          1, NULL),
    VALID("t2-network", NETX("'parentProxy':{'http':'http://proxy:3128'},'requireHostMatch':true,"
                             "'ambiguousRequestTarget':'refuse','deniedDomainReasons':{'x.com':'no'},"
                             "'mitmProxy':{'socketPath':'/s','domains':['*.example.com']}"),
          5, NULL),
    VALID("mach-store", NETX("'allowMachLookup':['com.apple.foo.*']"), 1, ck_mach),
};

const size_t settings_corpus_n = sizeof settings_corpus / sizeof settings_corpus[0];
