/* settings_schema.c - the settings schema (REFERENCE.md 2.3-2.5).
 *
 * Each object is a table of keys: type, range, whether it is required,
 * whether srt enforces it yet, and where a T1 value lands in struct
 * srt_policy. One generic walk checks a table against the document, records
 * every issue under its dotted path, and warns about unknown keys (strict
 * objects reject them instead). Path entries are settings_paths.c's job; the
 * T2/T3 objects that are only type-checked live in settings_extra.c. */
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "domain_int.h"
#include "netpolicy_int.h"
#include "settings_build_int.h"



bool srt_settings_is_set(json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_object(v))
        return json_object_size(v) > 0;
    return true;
}

/* Integers as JSON writes them; 3.0 counts as 3 because JavaScript, which
 * writes most of these files, cannot tell the two apart. */
static bool set_int_value(json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9.0e15) {
            *out = (long long)d;
            return true;
        }
    }
    return false;
}

/* A string array: each member checked, optionally kept. */
static bool set_strs(struct set_check *c, json_t *v, const char *path, unsigned flags)
{
    if (!json_is_array(v)) {
        srt_settings_issue(c, path, "must be an array of strings");
        return false;
    }
    if ((flags & SET_NONEMPTY) && json_array_size(v) == 0) {
        srt_settings_issue(c, path, "must not be empty");
        return false;
    }
    bool ok = true;
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        if (!json_is_string(m)) {
            char sub[SET_PATH_MAX];
            srt_settings_index(sub, path, i);
            srt_settings_issue(c, sub, "must be a string");
            ok = false;
        }
    }
    return ok;
}

/* One value against its key; returns whether the type was right. */
static bool set_value(struct set_check *c, const struct set_key *k, json_t *v, const char *path)
{
    long long n;
    switch (k->type) {
    case SET_BOOL:
        if (!json_is_boolean(v)) {
            srt_settings_issue(c, path, "must be a boolean");
            return false;
        }
        if (json_is_true(v))
            c->s->pol.flags |= k->pol_flag;
        return true;
    case SET_INT:
        if (!set_int_value(v, &n)) {
            srt_settings_issue(c, path, "must be an integer");
            return false;
        }
        if (n < k->lo || n > k->hi) {
            srt_settings_issue(c, path, "must be between %lld and %lld (got %lld)", k->lo, k->hi, n);
            return false;
        }
        if (k->store)
            *(int32_t *)(void *)((char *)&c->s->pol + k->store) = (int32_t)n;
        return true;
    case SET_STR:
    case SET_ABSPATH:
        if (!json_is_string(v)) {
            srt_settings_issue(c, path, "must be a string");
            return false;
        }
        if ((k->flags & SET_NONEMPTY || k->type == SET_ABSPATH) && json_string_length(v) == 0) {
            srt_settings_issue(c, path, "must not be empty");
            return false;
        }
        if (k->type == SET_ABSPATH && json_string_value(v)[0] != '/') {
            srt_settings_issue(c, path, "path must be absolute");
            return false;
        }
        return true;
    case SET_STRS:
        return set_strs(c, v, path, k->flags);
    case SET_OBJ:
        if (!json_is_object(v)) {
            srt_settings_issue(c, path, "must be an object");
            return false;
        }
        srt_settings_walk(c, v, path, k->sub, k->flags & SET_STRICT);
        return true;
    case SET_OBJS:
        if (!json_is_array(v)) {
            srt_settings_issue(c, path, "must be an array of objects");
            return false;
        }
        {
            size_t i;
            json_t *m;
            json_array_foreach(v, i, m) {
                char sub[SET_PATH_MAX];
                srt_settings_index(sub, path, i);
                if (!json_is_object(m)) {
                    srt_settings_issue(c, sub, "must be an object");
                    continue;
                }
                srt_settings_walk(c, m, sub, k->sub, k->flags & SET_STRICT);
                if (k->fn)
                    k->fn(c, m, sub);
            }
        }
        return true;
    case SET_ENUM:
        if (json_is_string(v))
            for (const char *const *ch = k->choices; *ch; ch++)
                if (strcmp(*ch, json_string_value(v)) == 0)
                    return true;
        {
            char list[256] = "";
            for (const char *const *ch = k->choices; *ch; ch++) {
                strncat(list, ch == k->choices ? "" : ", ", sizeof list - strlen(list) - 1);
                strncat(list, *ch, sizeof list - strlen(list) - 1);
            }
            srt_settings_issue(c, path, "must be one of %s", list);
        }
        return false;
    case SET_MAP:
        if (!json_is_object(v)) {
            srt_settings_issue(c, path, "must be an object");
            return false;
        }
        return true;
    case SET_ANY:
        return true;
    }
    return false;
}

void srt_settings_walk(struct set_check *c, json_t *obj, const char *path, const struct set_key *keys, bool strict)
{
    char sub[SET_PATH_MAX];
    for (const struct set_key *k = keys; k->name; k++) {
        json_t *v = json_object_get(obj, k->name);
        srt_settings_child(sub, path, k->name);
        if (!v) {
            if (k->flags & SET_REQUIRED)
                srt_settings_issue(c, sub, "required");
            continue;
        }
        if (!set_value(c, k, v, sub))
            continue;
        if (k->fn && k->type != SET_OBJS)
            k->fn(c, v, sub);
        if ((k->flags & SET_UNENFORCED) && srt_settings_is_set(v))
            srt_settings_warn(c, "%s is accepted but not enforced by this srt version", sub);
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const struct set_key *k = keys;
        while (k->name && strcmp(k->name, key) != 0)
            k++;
        if (k->name)
            continue;
        srt_settings_child(sub, path, key);
        if (strict)
            srt_settings_issue(c, sub, "unknown key");
        else
            srt_settings_warn(c, "unknown key %s ignored", sub);
    }
}

void srt_settings_check_domains(struct set_check *c, json_t *arr, const char *path, bool deny,
                                struct set_svec *store)
{
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m) {
        char sub[SET_PATH_MAX];
        char canon[SRT_HOST_MAX + 8];
        const char *why;
        const char *pat = json_string_value(m);
        if (!pat)
            continue;   /* already reported by the type check */
        srt_settings_index(sub, path, i);
        if (strlen(pat) != json_string_length(m) || !srt_domain_pattern_is_valid(pat, deny, &why) ||
            srt_domain_pattern_canon(pat, canon, sizeof canon) < 0) {
            char q[128];
            srt_settings_quote(pat, q, sizeof q);
            srt_settings_issue(c, sub, "invalid domain pattern %s (%s)", q, why);
            continue;
        }
        if (store)
            srt_settings_push_str(c, store, canon);
    }
}

static void set_allowed(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_domains(c, v, path, false, &c->s->strs[SET_ALLOWED]);
}

static void set_denied(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_domains(c, v, path, true, &c->s->strs[SET_DENIED]);
}

static void set_domains_only(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_domains(c, v, path, false, NULL);
}

static void set_unix(struct set_check *c, json_t *v, const char *path)
{
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        char sub[SET_PATH_MAX];
        srt_settings_index(sub, path, i);
        if (json_string_length(m) == 0 || strlen(json_string_value(m)) != json_string_length(m))
            srt_settings_issue(c, sub, "must be a non-empty socket path");
        else
            srt_settings_push_str(c, &c->s->strs[SET_UNIX], json_string_value(m));
    }
}

static void set_resolved(struct set_check *c, json_t *v, const char *path)
{
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        char sub[SET_PATH_MAX];
        int fam;
        uint8_t addr[16];
        unsigned bits;
        const char *s = json_string_value(m);
        srt_settings_index(sub, path, i);
        if (!srt_netpolicy_cidr_parse(s, &fam, addr, &bits)) {
            char q[128];
            srt_settings_quote(s, q, sizeof q);
            srt_settings_issue(c, sub, "invalid IP address or CIDR %s (expected e.g. 10.0.0.0/8 or fd00::/8)", q);
            continue;
        }
        srt_settings_push_str(c, &c->s->strs[SET_RESOLVED], s);
    }
}

/* macOS service names: only a single trailing '*' is a wildcard. */
static void set_mach(struct set_check *c, json_t *v, const char *path)
{
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        char sub[SET_PATH_MAX];
        const char *s = json_string_value(m);
        size_t n = strlen(s);
        const char *star = strchr(s, '*');
        srt_settings_index(sub, path, i);
        if (n == 0 || n != json_string_length(m) || (star && star != s + n - 1))
            srt_settings_issue(c, sub, "invalid service name (only a single trailing * is allowed)");
        else
            srt_settings_push_str(c, &c->s->strs[SET_MACH], s);
    }
}

static void set_reasons(struct set_check *c, json_t *v, const char *path)
{
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m) {
        char sub[SET_PATH_MAX];
        srt_settings_child(sub, path, key);
        if (!srt_domain_pattern_is_valid(key, true, NULL))
            srt_settings_issue(c, sub, "key is not a valid deny pattern");
        else if (!json_is_string(m))
            srt_settings_issue(c, sub, "must be a string");
    }
}

static void set_ignore(struct set_check *c, json_t *v, const char *path)
{
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m) {
        char sub[SET_PATH_MAX];
        srt_settings_child(sub, path, key);
        set_strs(c, m, sub, 0);
    }
}

static void set_url(struct set_check *c, json_t *v, const char *path)
{
    const char *s = json_string_value(v);
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        srt_settings_issue(c, path, "must be an http:// or https:// URL");
}

static void set_deny_read(struct set_check *c, json_t *v, const char *p)
{
    srt_settings_check_paths(c, v, p, SET_DENY_READ);
}
static void set_allow_read(struct set_check *c, json_t *v, const char *p)
{
    srt_settings_check_paths(c, v, p, SET_ALLOW_READ);
}
static void set_allow_write(struct set_check *c, json_t *v, const char *p)
{
    srt_settings_check_paths(c, v, p, SET_ALLOW_WRITE);
}
static void set_deny_write(struct set_check *c, json_t *v, const char *p)
{
    srt_settings_check_paths(c, v, p, SET_DENY_WRITE);
}

static void set_bwrap(struct set_check *c, json_t *v, const char *path)
{
    (void)path;
    free(c->s->bwrap_path);
    if (!(c->s->bwrap_path = strdup(json_string_value(v))))
        c->oom = true;
}

static void set_seccomp_rule(struct set_check *c, json_t *v, const char *path)
{
    char sub[SET_PATH_MAX];
    srt_settings_child(sub, path, "argv0");
    if (json_object_get(v, "argv0") && !json_object_get(v, "applyPath"))
        srt_settings_issue(c, sub, "requires applyPath");
}

static void set_tls(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_tls(c, v, path);
}

static void set_windows(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_windows(c, v, path);
}

static const char *const set_ambiguous[] = { "refuse", "asSpelled", "normalize", NULL };

static const struct set_key set_parent_proxy[] = {
    { .name = "http", .type = SET_STR, .flags = SET_NONEMPTY, .fn = set_url },
    { .name = "https", .type = SET_STR, .flags = SET_NONEMPTY, .fn = set_url },
    { .name = "noProxy", .type = SET_STR },
    { 0 },
};

static const struct set_key set_mitm[] = {
    { .name = "socketPath", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    { .name = "domains", .type = SET_STRS, .flags = SET_REQUIRED | SET_NONEMPTY, .fn = set_domains_only },
    { 0 },
};

static const struct set_key set_network[] = {
    { .name = "allowedDomains", .type = SET_STRS, .flags = SET_REQUIRED, .fn = set_allowed },
    { .name = "deniedDomains", .type = SET_STRS, .flags = SET_REQUIRED, .fn = set_denied },
    { .name = "allowUnixSockets", .type = SET_STRS, .fn = set_unix },
    { .name = "allowAllUnixSockets", .type = SET_BOOL, .pol_flag = SRT_POL_ALLOW_ALL_UNIX },
    { .name = "allowLocalBinding", .type = SET_BOOL, .pol_flag = SRT_POL_ALLOW_LOCAL_BINDING },
    { .name = "httpProxyPort", .type = SET_INT, .lo = 1, .hi = 65535, .store = STORE(http_proxy_port) },
    { .name = "socksProxyPort", .type = SET_INT, .lo = 1, .hi = 65535, .store = STORE(socks_proxy_port) },
    { .name = "deniedResolvedAddresses", .type = SET_STRS, .fn = set_resolved },
    { .name = "allowMachLookup", .type = SET_STRS, .flags = SET_UNENFORCED, .fn = set_mach },
    /* Without an ask callback or per-command lists the CLI already denies
     * every host not on the allow list, which is all strictAllowlist adds. */
    { .name = "strictAllowlist", .type = SET_BOOL, .pol_flag = SRT_POL_STRICT_ALLOWLIST },
    { .name = "deniedDomainReasons", .type = SET_MAP, .flags = SET_UNENFORCED, .fn = set_reasons },
    { .name = "parentProxy", .type = SET_OBJ, .flags = SET_UNENFORCED, .sub = set_parent_proxy },
    { .name = "mitmProxy", .type = SET_OBJ, .flags = SET_UNENFORCED, .sub = set_mitm },
    { .name = "requireHostMatch", .type = SET_BOOL, .flags = SET_UNENFORCED },
    { .name = "ambiguousRequestTarget", .type = SET_ENUM, .flags = SET_UNENFORCED, .choices = set_ambiguous },
    { .name = "tlsTerminate", .type = SET_MAP, .flags = SET_UNENFORCED, .fn = set_tls },
    { .name = "allowPlaintextHeaderSet", .type = SET_ANY, .flags = SET_UNENFORCED },
    { .name = "stripResponseHeaders", .type = SET_ANY, .flags = SET_UNENFORCED },
    { .name = "refuseOpaqueTunnels", .type = SET_ANY, .flags = SET_UNENFORCED },
    { .name = "filterRequest", .type = SET_ANY, .flags = SET_UNENFORCED },
    { 0 },
};

static const struct set_key set_filesystem[] = {
    { .name = "denyRead", .type = SET_ANY, .flags = SET_REQUIRED, .fn = set_deny_read },
    { .name = "allowRead", .type = SET_ANY, .flags = 0, .fn = set_allow_read },
    { .name = "allowWrite", .type = SET_ANY, .flags = SET_REQUIRED, .fn = set_allow_write },
    { .name = "denyWrite", .type = SET_ANY, .flags = SET_REQUIRED, .fn = set_deny_write },
    { .name = "allowGitConfig", .type = SET_BOOL, .pol_flag = SRT_POL_ALLOW_GIT_CONFIG },
    { .name = "disabled", .type = SET_BOOL, .pol_flag = SRT_POL_FS_DISABLED },
    { 0 },
};

static const struct set_key set_ripgrep[] = {
    { .name = "command", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    { .name = "args", .type = SET_STRS },
    { .name = "argv0", .type = SET_STR },
    { 0 },
};

static const struct set_key set_seccomp[] = {
    { .name = "applyPath", .type = SET_ABSPATH },
    { .name = "argv0", .type = SET_STR, .flags = SET_NONEMPTY },
    { 0 },
};

static const struct set_key set_git[] = {
    { .name = "safeDirectories", .type = SET_STRS },
    { 0 },
};

static void set_credentials(struct set_check *c, json_t *v, const char *path);

static const struct set_key set_top[] = {
    { .name = "network", .type = SET_OBJ, .flags = SET_REQUIRED, .sub = set_network },
    { .name = "filesystem", .type = SET_OBJ, .flags = SET_REQUIRED, .sub = set_filesystem },
    { .name = "ignoreViolations", .type = SET_MAP, .fn = set_ignore },
    { .name = "enableWeakerNestedSandbox", .type = SET_BOOL, .pol_flag = SRT_POL_WEAKER_NESTED },
    { .name = "mandatoryDenySearchDepth", .type = SET_INT, .lo = 1, .hi = 10, .store = STORE(mandatory_deny_depth) },
    { .name = "ripgrep", .type = SET_OBJ, .sub = set_ripgrep },
    { .name = "allowPty", .type = SET_BOOL, .pol_flag = SRT_POL_ALLOW_PTY },
    { .name = "seccomp", .type = SET_OBJ, .sub = set_seccomp, .fn = set_seccomp_rule },
    { .name = "bwrapPath", .type = SET_ABSPATH, .fn = set_bwrap },
    { .name = "socatPath", .type = SET_ABSPATH, .flags = SET_UNENFORCED },
    { .name = "allowNestedUserNamespaces", .type = SET_BOOL, .pol_flag = SRT_POL_ALLOW_NESTED_USERNS },
    { .name = "enableWeakerNetworkIsolation", .type = SET_BOOL, .flags = SET_UNENFORCED, .pol_flag = SRT_POL_WEAKER_NET },
    { .name = "allowAppleEvents", .type = SET_BOOL, .flags = SET_UNENFORCED, .pol_flag = SRT_POL_ALLOW_APPLE_EVENTS },
    { .name = "git", .type = SET_OBJ, .flags = SET_UNENFORCED, .sub = set_git },
    { .name = "credentials", .type = SET_MAP, .flags = SET_UNENFORCED, .fn = set_credentials },
    { .name = "javaAgentJarPath", .type = SET_ABSPATH, .flags = SET_UNENFORCED },
    { .name = "windows", .type = SET_MAP, .flags = SET_UNENFORCED, .fn = set_windows },
    { 0 },
};

static void set_credentials(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_check_credentials(c, v, path);
}

void srt_settings_check_doc(struct set_check *c, json_t *doc)
{
    if (!json_is_object(doc)) {
        srt_settings_issue(c, "", "must be an object");
        return;
    }
    c->doc = doc;
    srt_settings_walk(c, doc, "", set_top, false);
}
