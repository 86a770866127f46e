/* deploy.c - the deployment config srt.conf (see deploy_int.h).
 *
 * libconfig parses the file; this module checks its shape (unknown top-level
 * keys are refused: a misspelt "monitors" must not silently drop a trace),
 * applies the built-in defaults for absent keys and answers the per-plugin
 * option lookups behind host->cfg_*. Strings in plugin groups that start with
 * "~/" are expanded against the home directory once, at load. */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy_int.h"
#include "errors_int.h"

#define DEPLOY_MAX_LIST 32

struct srt_config {
    const config_setting_t *group;   /* NULL: empty */
};

struct srt_deploy {
    config_t    cf;
    int         have_cf;
    char       *source;
    char       *dirs[DEPLOY_MAX_LIST];
    size_t      n_dirs;
    char       *enforcer;
    char       *proxies[DEPLOY_MAX_LIST];
    size_t      n_proxies;
    char       *monitors[DEPLOY_MAX_LIST];
    size_t      n_monitors;
    struct srt_config cfgs[DEPLOY_MAX_LIST];
    char       *cfg_names[DEPLOY_MAX_LIST];
    size_t      n_cfgs;
};

static const struct srt_config srt_config_none = { NULL };

#ifdef __APPLE__
#define DEPLOY_ENFORCER "fs-macos"
#else
#define DEPLOY_ENFORCER "fs-linux"
#endif

const char *srt_deploy_exe_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return "/usr/bin";
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash && slash != exe)
        *slash = '\0';
    snprintf(dir, sizeof dir, "%s", exe);
    return dir;
}

static int deploy_add(char **list, size_t *n, const char *value, struct srt_error *err)
{
    if (*n >= DEPLOY_MAX_LIST)
        return srt_error_set(err, SRT_EDEPLOY, "too many entries (at most %d)", DEPLOY_MAX_LIST);
    list[*n] = strdup(value);
    if (!list[*n])
        return srt_error_set(err, SRT_ENOMEM, "out of memory");
    (*n)++;
    return SRT_OK;
}

static int deploy_defaults(struct srt_deploy *d, struct srt_error *err)
{
    int rc = SRT_OK;
    if (d->n_dirs == 0) {
        char dir[PATH_MAX], real[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", srt_deploy_exe_dir(), SRT_REL_PLUGIN_DIR);
        rc = deploy_add(d->dirs, &d->n_dirs, realpath(dir, real) ? real : dir, err);
    }
    if (rc == SRT_OK && !d->enforcer && !(d->enforcer = strdup(DEPLOY_ENFORCER)))
        rc = srt_error_set(err, SRT_ENOMEM, "out of memory");
    return rc;
}

static void deploy_reset_lists_builtin(struct srt_deploy *d, int proxies, int monitors,
                                       struct srt_error *err)
{
    if (proxies) {
        deploy_add(d->proxies, &d->n_proxies, "net-http", err);
        deploy_add(d->proxies, &d->n_proxies, "net-socks5", err);
    }
    if (monitors)
        deploy_add(d->monitors, &d->n_monitors, "monitor", err);
}

static int deploy_fail(struct srt_deploy *d, const config_setting_t *s, struct srt_error *err,
                       const char *fmt, ...) SRT_PRINTF(4, 5);
static int deploy_fail(struct srt_deploy *d, const config_setting_t *s, struct srt_error *err,
                       const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return srt_error_set(err, SRT_EDEPLOY, "%s:%d: %s", d->source,
                         s ? config_setting_source_line(s) : 0, text);
}

static int deploy_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* A list of plugin names: proxies or monitors. */
static int deploy_names(struct srt_deploy *d, const config_setting_t *s, char **list, size_t *n,
                        struct srt_error *err)
{
    const char *key = config_setting_name(s);
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return deploy_fail(d, s, err, "%s: expected a list of plugin names", key);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *v = config_setting_get_string(e);
        if (!v || !deploy_valid_name(v))
            return deploy_fail(d, e, err, "%s: expected plugin names like \"net-http\"", key);
        int rc = deploy_add(list, n, v, err);
        if (rc != SRT_OK)
            return rc;
    }
    return SRT_OK;
}

static int deploy_dirs(struct srt_deploy *d, const config_setting_t *s, const char *home,
                       struct srt_error *err)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return deploy_fail(d, s, err, "%s: expected a list of directories", "plugin_path");
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *v = config_setting_get_string(e);
        char path[PATH_MAX];
        if (!v || !*v)
            return deploy_fail(d, e, err, "%s: expected a directory string", "plugin_path");
        if (strncmp(v, "~/", 2) == 0 && home)
            snprintf(path, sizeof path, "%s/%s", home, v + 2);
        else if (v[0] == '/')
            snprintf(path, sizeof path, "%s", v);
        else
            return deploy_fail(d, e, err, "plugin_path: \"%s\" must be absolute or start with ~/", v);
        int rc = deploy_add(d->dirs, &d->n_dirs, path, err);
        if (rc != SRT_OK)
            return rc;
    }
    return SRT_OK;
}

/* Expand "~/" in every string option of one plugin group. */
static int deploy_expand_group(config_setting_t *g, const char *home, struct srt_error *err)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
        const char *v = config_setting_get_string(e);
        if (v && home && strncmp(v, "~/", 2) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", home, v + 2);
            if (config_setting_set_string(e, path) != CONFIG_TRUE)
                return srt_error_set(err, SRT_ENOMEM, "out of memory");
        }
    }
    return SRT_OK;
}

static int deploy_plugins(struct srt_deploy *d, config_setting_t *s, const char *home,
                          struct srt_error *err)
{
    if (!config_setting_is_group(s))
        return deploy_fail(d, s, err, "%s: expected a group of plugin option groups", "plugins");
    for (int i = 0; i < config_setting_length(s); i++) {
        config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(g);
        if (!config_setting_is_group(g) || !deploy_valid_name(name))
            return deploy_fail(d, g, err, "plugins.%s: expected an option group named after a plugin",
                               name ? name : "?");
        if (d->n_cfgs >= DEPLOY_MAX_LIST)
            return deploy_fail(d, g, err, "%s: too many plugin groups", "plugins");
        int rc = deploy_expand_group(g, home, err);
        if (rc != SRT_OK)
            return rc;
        d->cfgs[d->n_cfgs].group = g;
        d->cfg_names[d->n_cfgs] = strdup(name);
        if (!d->cfg_names[d->n_cfgs])
            return srt_error_set(err, SRT_ENOMEM, "out of memory");
        d->n_cfgs++;
    }
    return SRT_OK;
}

static int deploy_read(struct srt_deploy *d, const char *home, struct srt_error *err)
{
    config_setting_t *root = config_root_setting(&d->cf);
    int seen_proxies = 0, seen_monitors = 0;
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *key = config_setting_name(s);
        int rc;
        if (strcmp(key, "plugin_path") == 0) {
            rc = deploy_dirs(d, s, home, err);
        } else if (strcmp(key, "enforcer") == 0) {
            const char *v = config_setting_get_string(s);
            if (!v || !deploy_valid_name(v))
                return deploy_fail(d, s, err, "%s: expected a plugin name like \"fs-linux\"", key);
            free(d->enforcer);
            rc = (d->enforcer = strdup(v)) ? SRT_OK : srt_error_set(err, SRT_ENOMEM, "out of memory");
        } else if (strcmp(key, "proxies") == 0) {
            seen_proxies = 1;
            rc = deploy_names(d, s, d->proxies, &d->n_proxies, err);
        } else if (strcmp(key, "monitors") == 0) {
            seen_monitors = 1;
            rc = deploy_names(d, s, d->monitors, &d->n_monitors, err);
        } else if (strcmp(key, "plugins") == 0) {
            rc = deploy_plugins(d, s, home, err);
        } else {
            return deploy_fail(d, s, err,
                               "unknown setting \"%s\" (known: plugin_path, enforcer, proxies, monitors, plugins)",
                               key);
        }
        if (rc != SRT_OK)
            return rc;
    }
    /* Absent lists take the built-in default; an explicit empty list means none. */
    deploy_reset_lists_builtin(d, !seen_proxies, !seen_monitors, err);
    return deploy_defaults(d, err);
}

static int deploy_new(const char *source, struct srt_deploy **out, struct srt_error *err)
{
    struct srt_deploy *d = calloc(1, sizeof *d);
    if (!d || !(d->source = strdup(source))) {
        free(d);
        return srt_error_set(err, SRT_ENOMEM, "out of memory");
    }
    config_init(&d->cf);
    d->have_cf = 1;
    *out = d;
    return SRT_OK;
}

static int deploy_finish(struct srt_deploy *d, int ok, const char *home, struct srt_deploy **out,
                         struct srt_error *err)
{
    int rc;
    if (!ok) {
        const char *file = config_error_file(&d->cf);
        rc = srt_error_set(err, SRT_EDEPLOY, "%s:%d: %s", file ? file : d->source,
                           config_error_line(&d->cf), config_error_text(&d->cf));
    } else {
        rc = deploy_read(d, home, err);
    }
    if (rc != SRT_OK) {
        srt_deploy_free(d);
        return rc;
    }
    *out = d;
    return SRT_OK;
}

int srt_deploy_parse(const char *text, const char *name, const char *home,
                     struct srt_deploy **out, struct srt_error *err)
{
    struct srt_deploy *d;
    int rc = deploy_new(name, &d, err);
    if (rc != SRT_OK)
        return rc;
    return deploy_finish(d, config_read_string(&d->cf, text) == CONFIG_TRUE, home, out, err);
}

/* The first srt.conf of the search order that exists, or NULL. */
static const char *deploy_find(const char *home, char *buf, size_t len)
{
    const char *env = getenv("SRT_DEPLOY");
    if (env && *env)
        return env;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        snprintf(buf, len, "%s/srt/srt.conf", xdg);
    else if (home)
        snprintf(buf, len, "%s/.config/srt/srt.conf", home);
    else
        buf[0] = '\0';
    if (buf[0] && access(buf, F_OK) == 0)
        return buf;
    snprintf(buf, len, "%s/srt/srt.conf", SRT_SYSCONF_DIR);
    if (access(buf, F_OK) == 0)
        return buf;
    return NULL;
}

int srt_deploy_load(const char *explicit_path, const char *home, struct srt_deploy **out,
                    struct srt_error *err)
{
    char buf[PATH_MAX];
    const char *path = explicit_path ? explicit_path : deploy_find(home, buf, sizeof buf);
    struct srt_deploy *d;
    int rc = deploy_new(path ? path : "built-in", &d, err);
    if (rc != SRT_OK)
        return rc;
    if (!path)
        return deploy_finish(d, 1, home, out, err);
    struct stat st;
    if (stat(path, &st) != 0)
        rc = srt_error_set(err, SRT_EDEPLOY, "%s: cannot read deployment config: %s", path,
                           strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = srt_error_set(err, SRT_EDEPLOY, "%s: deployment config is not a regular file", path);
    if (rc != SRT_OK) {
        srt_deploy_free(d);
        return rc;
    }
    return deploy_finish(d, config_read_file(&d->cf, path) == CONFIG_TRUE, home, out, err);
}

void srt_deploy_free(struct srt_deploy *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_dirs; i++)
        free(d->dirs[i]);
    for (size_t i = 0; i < d->n_proxies; i++)
        free(d->proxies[i]);
    for (size_t i = 0; i < d->n_monitors; i++)
        free(d->monitors[i]);
    for (size_t i = 0; i < d->n_cfgs; i++)
        free(d->cfg_names[i]);
    free(d->enforcer);
    free(d->source);
    if (d->have_cf)
        config_destroy(&d->cf);
    free(d);
}

const char *srt_deploy_source(const struct srt_deploy *d) { return d->source; }
const char *srt_deploy_enforcer(const struct srt_deploy *d) { return d->enforcer; }

const char *const *srt_deploy_plugin_path(const struct srt_deploy *d, size_t *n)
{
    *n = d->n_dirs;
    return (const char *const *)d->dirs;
}

const char *const *srt_deploy_proxies(const struct srt_deploy *d, size_t *n)
{
    *n = d->n_proxies;
    return (const char *const *)d->proxies;
}

const char *const *srt_deploy_monitors(const struct srt_deploy *d, size_t *n)
{
    *n = d->n_monitors;
    return (const char *const *)d->monitors;
}

const struct srt_config *srt_deploy_config(const struct srt_deploy *d, const char *name)
{
    for (size_t i = 0; i < d->n_cfgs; i++)
        if (strcmp(d->cfg_names[i], name) == 0)
            return &d->cfgs[i];
    return &srt_config_none;
}

const struct srt_config *srt_config_empty(void) { return &srt_config_none; }

static const config_setting_t *config_member(const struct srt_config *cfg, const char *key)
{
    if (!cfg || !cfg->group || !key)
        return NULL;
    return config_setting_get_member(cfg->group, key);
}

int srt_config_str(const struct srt_config *cfg, const char *key, const char **out)
{
    const config_setting_t *s = config_member(cfg, key);
    if (!s)
        return SRT_ENOTFOUND;
    const char *v = config_setting_get_string(s);
    if (!v)
        return SRT_ETYPE;
    *out = v;
    return SRT_OK;
}

int srt_config_int(const struct srt_config *cfg, const char *key, int64_t *out)
{
    const config_setting_t *s = config_member(cfg, key);
    if (!s)
        return SRT_ENOTFOUND;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
        return SRT_ETYPE;
    *out = config_setting_get_int64(s);
    return SRT_OK;
}

int srt_config_bool(const struct srt_config *cfg, const char *key, int *out)
{
    const config_setting_t *s = config_member(cfg, key);
    if (!s)
        return SRT_ENOTFOUND;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return SRT_ETYPE;
    *out = config_setting_get_bool(s);
    return SRT_OK;
}

int srt_deploy_set_str(struct srt_deploy *d, const char *name, const char *key,
                       const char *value, struct srt_error *err)
{
    config_setting_t *root = config_root_setting(&d->cf);
    config_setting_t *plugins = config_setting_get_member(root, "plugins");
    if (!plugins)
        plugins = config_setting_add(root, "plugins", CONFIG_TYPE_GROUP);
    config_setting_t *g = plugins ? config_setting_get_member(plugins, name) : NULL;
    if (plugins && !g) {
        if (d->n_cfgs >= DEPLOY_MAX_LIST)
            return srt_error_set(err, SRT_EDEPLOY, "too many plugin groups");
        g = config_setting_add(plugins, name, CONFIG_TYPE_GROUP);
        if (g) {
            d->cfgs[d->n_cfgs].group = g;
            d->cfg_names[d->n_cfgs] = strdup(name);
            if (!d->cfg_names[d->n_cfgs])
                return srt_error_set(err, SRT_ENOMEM, "out of memory");
            d->n_cfgs++;
        }
    }
    if (!g)
        return srt_error_set(err, SRT_EDEPLOY, "cannot add option group plugins.%s", name);
    config_setting_t *s = config_setting_get_member(g, key);
    if (s && config_setting_type(s) != CONFIG_TYPE_STRING) {
        config_setting_remove(g, key);
        s = NULL;
    }
    if (!s)
        s = config_setting_add(g, key, CONFIG_TYPE_STRING);
    if (!s || config_setting_set_string(s, value) != CONFIG_TRUE)
        return srt_error_set(err, SRT_ENOMEM, "cannot set plugins.%s.%s", name, key);
    return SRT_OK;
}
