/* settings_json.c - the normalised policy as JSON, for `srtctl check`.
 *
 * Shows what srt will enforce, not what was written: absolute paths with
 * their glob/literal flags, canonical domains, the default write paths, the
 * numbers and flags, and the warnings met while loading. */
#include "settings_build_int.h"

static json_t *sj_paths(const struct srt_path_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++) {
        json_t *e = json_pack("{s:s, s:b, s:b}", "path", l->v[i].path, "glob",
                              (l->v[i].flags & SRT_PATH_GLOB) != 0, "literal",
                              (l->v[i].flags & SRT_PATH_LITERAL) != 0);
        if (!e || json_array_append_new(a, e) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *sj_strs(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *sj_list(const struct srt_str_list *l)
{
    return sj_strs(l->v, l->n);
}

static json_t *sj_port(int32_t port)
{
    return port ? json_integer(port) : json_null();
}

json_t *srt_settings_to_json(const struct srt_settings *s)
{
    if (!s)
        return NULL;
    const struct srt_policy *p = &s->pol;
    uint32_t f = p->flags;
    return json_pack(
        "{s:{s:o*, s:o*, s:o*, s:o*, s:o*, s:b, s:b},"
        " s:{s:o*, s:o*, s:o*, s:o*, s:o*, s:b, s:b, s:b, s:o*, s:o*},"
        " s:i, s:b, s:b, s:b, s:b, s:b,"
        " s:s, s:s, s:s, s:s?, s:o*}",
        "filesystem",
        "denyRead", sj_paths(&p->deny_read), "allowRead", sj_paths(&p->allow_read),
        "allowWrite", sj_paths(&p->allow_write), "denyWrite", sj_paths(&p->deny_write),
        "defaultWrite", sj_paths(&p->default_write),
        "allowGitConfig", (f & SRT_POL_ALLOW_GIT_CONFIG) != 0, "disabled", (f & SRT_POL_FS_DISABLED) != 0,
        "network",
        "allowedDomains", sj_list(&p->allowed_domains), "deniedDomains", sj_list(&p->denied_domains),
        "allowUnixSockets", sj_list(&p->allow_unix_sockets), "allowMachLookup", sj_list(&p->allow_mach_lookup),
        "deniedResolvedAddresses", sj_list(&p->denied_resolved),
        "allowAllUnixSockets", (f & SRT_POL_ALLOW_ALL_UNIX) != 0,
        "allowLocalBinding", (f & SRT_POL_ALLOW_LOCAL_BINDING) != 0,
        "strictAllowlist", (f & SRT_POL_STRICT_ALLOWLIST) != 0,
        "httpProxyPort", sj_port(p->http_proxy_port), "socksProxyPort", sj_port(p->socks_proxy_port),
        "mandatoryDenySearchDepth", (int)p->mandatory_deny_depth,
        "enableWeakerNestedSandbox", (f & SRT_POL_WEAKER_NESTED) != 0,
        "allowNestedUserNamespaces", (f & SRT_POL_ALLOW_NESTED_USERNS) != 0,
        "allowPty", (f & SRT_POL_ALLOW_PTY) != 0,
        "enableWeakerNetworkIsolation", (f & SRT_POL_WEAKER_NET) != 0,
        "allowAppleEvents", (f & SRT_POL_ALLOW_APPLE_EVENTS) != 0,
        "cwd", p->cwd, "home", p->home, "tmpdir", p->tmpdir, "bwrapPath", p->bwrap_path,
        "warnings", sj_strs((const char *const *)s->warnings.v, s->warnings.n));
}
