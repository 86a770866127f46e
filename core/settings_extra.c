/* settings_extra.c - T2/T3 objects srt accepts and keeps but does not
 * enforce yet: credentials (REFERENCE.md 2.3, 2.8), network.tlsTerminate and
 * windows.
 *
 * They are type-checked as the reference checks them, so a file that the
 * reference refuses is refused here too, and later features can read the raw
 * values (srt_settings_raw) knowing they are well formed. */
#include <ctype.h>
#include <regex.h>
#include <string.h>

#include "domain_int.h"
#include "settings_build_int.h"

static const char *const ex_modes[] = { "deny", "mask", NULL };
static const char *const ex_nomatch[] = { "warn", "deny", "error", NULL };
static const char *const ex_decode[] = { "jwt", NULL };
static const char *const ex_sigv4[] = { "deny", "passthrough", NULL };
static const char *const ex_backend[] = { "mxc", "srt-win", NULL };

/* Is every injectHosts entry covered by some allowedDomains entry? A
 * wildcard covers a name below it or an equal wildcard. */
static bool ex_covered(json_t *doc, const char *host)
{
    json_t *allowed = json_object_get(json_object_get(doc, "network"), "allowedDomains");
    size_t i;
    json_t *m;
    json_array_foreach(allowed, i, m) {
        const char *a = json_string_value(m);
        if (!a)
            continue;
        if (strcasecmp(a, host) == 0)
            return true;
        size_t an = strlen(a), hn = strlen(host);
        if (an > 2 && a[0] == '*' && a[1] == '.' && hn > an - 1 &&
            strcasecmp(host + hn - (an - 1), a + 1) == 0)
            return true;
    }
    return false;
}

/* Rules shared by credentials.files[] and credentials.envVars[] entries. */
static void ex_secret_rules(struct set_check *c, json_t *e, const char *path, bool is_file)
{
    char sub[SET_PATH_MAX];
    json_t *creds = json_object_get(c->doc, "credentials");
    bool mask = json_is_string(json_object_get(e, "mode")) &&
                strcmp(json_string_value(json_object_get(e, "mode")), "mask") == 0;
    json_t *extract = json_object_get(e, "extract");
    if (json_is_string(extract)) {
        regex_t re;
        srt_settings_child(sub, path, "extract");
        if (regcomp(&re, json_string_value(extract), REG_EXTENDED) != 0) {
            srt_settings_issue(c, sub, "not a valid regular expression");
        } else {
            if (re.re_nsub < 1)
                srt_settings_issue(c, sub, "needs at least one capturing group");
            regfree(&re);
        }
    }
    if (json_object_get(e, "maskClaims") && !json_object_get(e, "decode")) {
        srt_settings_child(sub, path, "maskClaims");
        srt_settings_issue(c, sub, "requires decode");
    }
    json_t *p = json_object_get(e, "path");
    if (is_file && mask && json_is_string(p) && json_string_length(p) &&
        json_string_value(p)[json_string_length(p) - 1] == '/') {
        srt_settings_child(sub, path, "path");
        srt_settings_issue(c, sub, "a masked file path must not end with '/'");
    }
    if (mask && !json_is_true(json_object_get(creds, "allowPlaintextInject")) &&
        !json_object_get(json_object_get(c->doc, "network"), "tlsTerminate")) {
        srt_settings_child(sub, path, "mode");
        srt_settings_issue(c, sub, "mask requires network.tlsTerminate (or credentials.allowPlaintextInject)");
    }
    json_t *hosts = json_object_get(e, "injectHosts");
    size_t i;
    json_t *h;
    json_array_foreach(hosts, i, h) {
        const char *hs = json_string_value(h);
        srt_settings_child(sub, path, "injectHosts");
        srt_settings_index(sub, sub, i);
        if (hs && !srt_domain_pattern_is_valid(hs, false, NULL))
            srt_settings_issue(c, sub, "invalid domain pattern");
        else if (hs && !ex_covered(c->doc, hs))
            srt_settings_issue(c, sub, "not covered by network.allowedDomains");
    }
}

static void ex_file_rules(struct set_check *c, json_t *e, const char *path)
{
    ex_secret_rules(c, e, path, true);
}

static void ex_env_rules(struct set_check *c, json_t *e, const char *path)
{
    const char *name = json_string_value(json_object_get(e, "name"));
    if (name) {
        bool ok = *name && (isalpha((unsigned char)*name) || *name == '_');
        for (const char *p = name; ok && *p; p++)
            ok = isalnum((unsigned char)*p) || *p == '_';
        if (!ok) {
            char sub[SET_PATH_MAX];
            srt_settings_child(sub, path, "name");
            srt_settings_issue(c, sub, "must match ^[A-Za-z_][A-Za-z0-9_]*$");
        }
    }
    ex_secret_rules(c, e, path, false);
}

/* awsPairs members must name masked envVars entries without extract, once. */
static void ex_aws_rules(struct set_check *c, json_t *pair, const char *path)
{
    static const char *const members[] = { "accessKeyIdVar", "secretAccessKeyVar", "sessionTokenVar" };
    json_t *creds = json_object_get(c->doc, "credentials");
    json_t *envs = json_object_get(creds, "envVars");
    json_t *pairs = json_object_get(creds, "awsPairs");
    for (size_t k = 0; k < 3; k++) {
        const char *var = json_string_value(json_object_get(pair, members[k]));
        if (!var)
            continue;
        char sub[SET_PATH_MAX];
        srt_settings_child(sub, path, members[k]);
        bool found = false;
        size_t i;
        json_t *e;
        json_array_foreach(envs, i, e) {
            const char *n = json_string_value(json_object_get(e, "name"));
            const char *mode = json_string_value(json_object_get(e, "mode"));
            if (n && strcmp(n, var) == 0 && mode && strcmp(mode, "mask") == 0 && !json_object_get(e, "extract"))
                found = true;
        }
        if (!found)
            srt_settings_issue(c, sub, "must name a masked credentials.envVars entry without extract");
        size_t uses = 0;
        json_t *p;
        json_array_foreach(pairs, i, p)
            for (size_t j = 0; j < 3; j++) {
                const char *o = json_string_value(json_object_get(p, members[j]));
                uses += o && strcmp(o, var) == 0;
            }
        if (uses > 1)
            srt_settings_issue(c, sub, "variable appears more than once in awsPairs");
    }
}

#define EX_SECRET_COMMON                                                       \
    { .name = "mode", .type = SET_ENUM, .choices = ex_modes },                 \
    { .name = "extract", .type = SET_STR, .flags = SET_NONEMPTY },             \
    { .name = "onExtractNoMatch", .type = SET_ENUM, .choices = ex_nomatch },   \
    { .name = "decode", .type = SET_ENUM, .choices = ex_decode },              \
    { .name = "maskClaims", .type = SET_STRS, .flags = SET_NONEMPTY },         \
    { .name = "injectHosts", .type = SET_STRS, .flags = SET_NONEMPTY }

static const struct set_key ex_file[] = {
    { .name = "path", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    EX_SECRET_COMMON,
    { .name = "maskDuplicates", .type = SET_BOOL },
    { 0 },
};

static const struct set_key ex_env[] = {
    { .name = "name", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    EX_SECRET_COMMON,
    { 0 },
};

static const struct set_key ex_aws[] = {
    { .name = "accessKeyIdVar", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    { .name = "secretAccessKeyVar", .type = SET_STR, .flags = SET_REQUIRED | SET_NONEMPTY },
    { .name = "sessionTokenVar", .type = SET_STR, .flags = SET_NONEMPTY },
    { 0 },
};

static const struct set_key ex_sigv4_keys[] = {
    { .name = "streaming", .type = SET_ENUM, .choices = ex_sigv4 },
    { .name = "presigned", .type = SET_ENUM, .choices = ex_sigv4 },
    { .name = "sigv4a", .type = SET_ENUM, .choices = ex_sigv4 },
    { 0 },
};

static const struct set_key ex_credentials[] = {
    { .name = "files", .type = SET_OBJS, .flags = SET_STRICT, .sub = ex_file, .fn = ex_file_rules },
    { .name = "envVars", .type = SET_OBJS, .flags = SET_STRICT, .sub = ex_env, .fn = ex_env_rules },
    { .name = "allowPlaintextInject", .type = SET_BOOL },
    { .name = "awsPairs", .type = SET_OBJS, .flags = SET_STRICT, .sub = ex_aws, .fn = ex_aws_rules },
    { .name = "sigv4", .type = SET_OBJ, .flags = SET_STRICT, .sub = ex_sigv4_keys },
    { 0 },
};

void srt_settings_check_credentials(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_walk(c, v, path, ex_credentials, true);
}

static void ex_exclude(struct set_check *c, json_t *v, const char *path)
{
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        if (strcmp(json_string_value(m), "*") == 0) {
            char sub[SET_PATH_MAX];
            srt_settings_index(sub, path, i);
            srt_settings_issue(c, sub, "must not be * (that would exclude every host)");
        }
    }
    srt_settings_check_domains(c, v, path, true, NULL);
}

static const struct set_key ex_tls[] = {
    { .name = "caCertPath", .type = SET_STR, .flags = SET_NONEMPTY },
    { .name = "caKeyPath", .type = SET_STR, .flags = SET_NONEMPTY },
    { .name = "excludeDomains", .type = SET_STRS, .fn = ex_exclude },
    { .name = "extraCaCertPaths", .type = SET_STRS },
    { .name = "maxTunnels", .type = SET_INT, .lo = 1, .hi = 65536 },
    { .name = "handshakeTimeoutMs", .type = SET_INT, .lo = 100, .hi = 600000 },
    { 0 },
};

void srt_settings_check_tls(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_walk(c, v, path, ex_tls, false);
    if (!json_object_get(v, "caCertPath") != !json_object_get(v, "caKeyPath"))
        srt_settings_issue(c, path, "caCertPath and caKeyPath must be given together");
}

static bool ex_is_uuid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void ex_uuid(struct set_check *c, json_t *v, const char *path)
{
    if (!ex_is_uuid(json_string_value(v)))
        srt_settings_issue(c, path, "must be a UUID");
}

static void ex_user(struct set_check *c, json_t *v, const char *path)
{
    if (json_string_length(v) > 20)
        srt_settings_issue(c, path, "must be at most 20 characters");
}

static void ex_port_range(struct set_check *c, json_t *v, const char *path)
{
    json_t *lo = json_array_get(v, 0), *hi = json_array_get(v, 1);
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(lo) || !json_is_integer(hi) ||
        json_integer_value(lo) < 1 || json_integer_value(hi) > 65535 ||
        json_integer_value(lo) > json_integer_value(hi) ||
        json_integer_value(hi) - json_integer_value(lo) + 1 > 64)
        srt_settings_issue(c, path, "must be [low, high] ports with low <= high and at most 64 ports");
}

static const struct set_key ex_srtwin[] = {
    { .name = "path", .type = SET_STR, .flags = SET_NONEMPTY },
    { 0 },
};

static const struct set_key ex_windows[] = {
    { .name = "backend", .type = SET_ENUM, .choices = ex_backend },
    { .name = "sandboxUser", .type = SET_STR, .flags = SET_NONEMPTY, .fn = ex_user },
    { .name = "sublayerGuid", .type = SET_STR, .fn = ex_uuid },
    { .name = "wfpSublayerGuid", .type = SET_STR, .fn = ex_uuid },
    { .name = "proxyPortRange", .type = SET_ANY, .fn = ex_port_range },
    { .name = "srtWin", .type = SET_OBJ, .sub = ex_srtwin },
    { 0 },
};

void srt_settings_check_windows(struct set_check *c, json_t *v, const char *path)
{
    srt_settings_walk(c, v, path, ex_windows, false);
}
