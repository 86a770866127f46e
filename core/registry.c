/* registry.c - the plugins loaded for one srt run (registry_int.h).
 *
 * Finds srt-<name>.so in the plugin directories, refuses a wrong kind or a
 * second plugin of the same name, creates each plugin with the shared host
 * table (host.c) and its own srt_handle, and fans events out to monitors.
 * Loading and freeing happen on the main thread; emit may come from any
 * thread, so the plugin list is guarded by a read-write lock that is never
 * held while a plugin's create or destroy runs. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <srt/monitor.h>

#include "deploy_int.h"
#include "errors_int.h"
#include "registry_int.h"

/* What `self` means to the core: which plugin is calling, in which registry. */
struct srt_handle {
    struct srt_registry *reg;
    char                 name[64];
};

struct reg_entry {
    struct srt_plugin *plugin;
    struct srt_handle *self;
};

struct srt_registry {
    uid_t                    trusted_uid;
    const struct srt_policy *policy;
    pthread_rwlock_t         lock;       /* guards v, n and policy */
    struct reg_entry        *v;
    size_t                   n, cap;
};

int srt_registry_new(uid_t trusted_uid, struct srt_registry **out, struct srt_error *err)
{
    struct srt_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return srt_error_set(err, SRT_ENOMEM, "allocate plugin registry");
    if (pthread_rwlock_init(&reg->lock, NULL) != 0) {
        free(reg);
        return srt_error_set(err, SRT_ENOMEM, "initialise plugin registry lock");
    }
    reg->trusted_uid = trusted_uid;
    *out = reg;
    return SRT_OK;
}

void srt_registry_free(struct srt_registry *reg)
{
    if (!reg)
        return;
    for (;;) {
        /* Unlist before destroy, so no event reaches a plugin being destroyed. */
        pthread_rwlock_wrlock(&reg->lock);
        struct reg_entry e = { 0 };
        if (reg->n > 0)
            e = reg->v[--reg->n];
        pthread_rwlock_unlock(&reg->lock);
        if (!e.plugin)
            break;
        srt_loader_close(e.plugin);
        free(e.self);
    }
    pthread_rwlock_destroy(&reg->lock);
    free(reg->v);
    free(reg);
}

static const char *kind_label(uint32_t kind)
{
    switch (kind) {
    case SRT_KIND_ENFORCER: return "an enforcer";
    case SRT_KIND_PROXY:    return "a proxy";
    case SRT_KIND_MONITOR:  return "a monitor";
    }
    return "of unknown kind";
}

static int append(struct srt_registry *reg, struct srt_plugin *p, struct srt_handle *self)
{
    int rc = SRT_OK;
    pthread_rwlock_wrlock(&reg->lock);
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 8;
        struct reg_entry *v = realloc(reg->v, cap * sizeof *v);
        if (!v) {
            rc = SRT_ENOMEM;
            goto out_unlock;
        }
        reg->v = v;
        reg->cap = cap;
    }
    reg->v[reg->n++] = (struct reg_entry){ p, self };
out_unlock:
    pthread_rwlock_unlock(&reg->lock);
    return rc;
}

/* Everything after the loader's own checks: kind, duplicate, create, listing.
 * Takes `p`: on failure it is closed. `want_name` (may be NULL) is the name
 * the file was looked up by. */
static int adopt(struct srt_registry *reg, struct srt_plugin *p, uint32_t kind,
                 const char *want_name, const struct srt_config *cfg,
                 struct srt_plugin **out, struct srt_error *err)
{
    const struct srt_plugin_desc *d = srt_loader_desc(p);
    const char *path = srt_loader_path(p);
    struct srt_handle *self = NULL;
    int rc;
    if (kind && d->kind != kind) {
        rc = srt_error_set(err, SRT_EPLUGIN, "%s: kind: %s is %s, expected %s", path, d->name,
                           kind_label(d->kind), kind_label(kind));
        goto out_close;
    }
    if (want_name && strcmp(d->name, want_name) != 0) {
        rc = srt_error_set(err, SRT_EPLUGIN, "%s: name: declares \"%s\", expected \"%s\"", path,
                           d->name, want_name);
        goto out_close;
    }
    struct srt_plugin *other = srt_registry_find(reg, d->name);
    if (other) {
        rc = srt_error_set(err, SRT_EEXIST, "%s: duplicate name: %s is already loaded from %s",
                           path, d->name, srt_loader_path(other));
        goto out_close;
    }
    self = calloc(1, sizeof *self);
    if (!self) {
        rc = srt_error_set(err, SRT_ENOMEM, "%s: allocate plugin handle", path);
        goto out_close;
    }
    self->reg = reg;
    snprintf(self->name, sizeof self->name, "%s", d->name);
    rc = srt_loader_create(p, srt_host_table(), self, cfg ? cfg : srt_config_empty(), err);
    if (rc != SRT_OK)
        goto out_close;
    rc = append(reg, p, self);
    if (rc != SRT_OK) {
        srt_error_set(err, rc, "%s: register plugin: out of memory", path);
        goto out_close;
    }
    if (out)
        *out = p;
    return SRT_OK;
out_close:
    srt_loader_close(p);
    free(self);
    return rc;
}

int srt_registry_load_path(struct srt_registry *reg, const char *path, uint32_t kind,
                           const struct srt_config *cfg, struct srt_plugin **out,
                           struct srt_error *err)
{
    struct srt_plugin *p;
    int rc = srt_loader_open(path, reg->trusted_uid, &p, err);
    if (rc != SRT_OK)
        return rc;
    return adopt(reg, p, kind, NULL, cfg, out, err);
}

int srt_registry_load_builtin(struct srt_registry *reg,
                              const struct srt_plugin_desc *(*entry)(void), const char *label,
                              const struct srt_config *cfg, struct srt_plugin **out,
                              struct srt_error *err)
{
    struct srt_plugin *p;
    int rc = srt_loader_open_builtin(entry, label, &p, err);
    if (rc != SRT_OK)
        return rc;
    return adopt(reg, p, 0, NULL, cfg, out, err);
}

int srt_registry_load(struct srt_registry *reg, const char *name, uint32_t kind,
                      const char *const *dirs, size_t n_dirs, const struct srt_config *cfg,
                      struct srt_plugin **out, struct srt_error *err)
{
    /* The name becomes part of a path: only the plugin name alphabet may pass. */
    if (!name || !srt_loader_name_is_valid(name))
        return srt_error_set(err, SRT_EINVAL, "load plugin \"%.64s\": not a valid plugin name",
                             name ? name : "");
    struct srt_plugin *other = srt_registry_find(reg, name);
    if (other)
        return srt_error_set(err, SRT_EEXIST, "load plugin %s: already loaded from %s", name,
                             srt_loader_path(other));
    for (size_t i = 0; i < n_dirs; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/srt-%s.so", dirs[i], name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        struct srt_plugin *p;
        int rc = srt_loader_open(path, reg->trusted_uid, &p, err);
        if (rc != SRT_OK)
            return rc;
        return adopt(reg, p, kind, name, cfg, out, err);
    }
    char where[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < n_dirs && used < sizeof where; i++) {
        int w = snprintf(where + used, sizeof where - used, "%s%s", i ? ", " : "", dirs[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return srt_error_set(err, SRT_ENOTFOUND, "load plugin %s: srt-%s.so not found in %s", name, name,
                         n_dirs ? where : "(no plugin directories)");
}

size_t srt_registry_count(const struct srt_registry *reg)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&reg->lock);
    size_t n = reg->n;
    pthread_rwlock_unlock((pthread_rwlock_t *)&reg->lock);
    return n;
}

struct srt_plugin *srt_registry_get(const struct srt_registry *reg, size_t i)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&reg->lock);
    struct srt_plugin *p = i < reg->n ? reg->v[i].plugin : NULL;
    pthread_rwlock_unlock((pthread_rwlock_t *)&reg->lock);
    return p;
}

struct srt_plugin *srt_registry_find(const struct srt_registry *reg, const char *name)
{
    struct srt_plugin *p = NULL;
    pthread_rwlock_rdlock((pthread_rwlock_t *)&reg->lock);
    for (size_t i = 0; i < reg->n && !p; i++)
        if (strcmp(srt_loader_desc(reg->v[i].plugin)->name, name) == 0)
            p = reg->v[i].plugin;
    pthread_rwlock_unlock((pthread_rwlock_t *)&reg->lock);
    return p;
}

void srt_registry_set_policy(struct srt_registry *reg, const struct srt_policy *pol)
{
    pthread_rwlock_wrlock(&reg->lock);
    reg->policy = pol;
    pthread_rwlock_unlock(&reg->lock);
}

const struct srt_policy *srt_registry_policy(const struct srt_registry *reg)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&reg->lock);
    const struct srt_policy *pol = reg->policy;
    pthread_rwlock_unlock((pthread_rwlock_t *)&reg->lock);
    return pol;
}

int srt_registry_emit(struct srt_registry *reg, const char *source, const struct srt_event *ev)
{
    struct srt_event copy;
    int rc = srt_event_copy(ev, &copy);
    if (rc != SRT_OK)
        return rc;
    if (copy.time_ns == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        copy.time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
    if (source)
        copy.source = source;
    /* Monitors must not block, so holding the read lock across on_event is
     * cheap; it keeps a monitor from being destroyed mid-call. */
    pthread_rwlock_rdlock(&reg->lock);
    for (size_t i = 0; i < reg->n; i++) {
        struct srt_plugin *p = reg->v[i].plugin;
        const struct srt_plugin_desc *d = srt_loader_desc(p);
        if (d->kind != SRT_KIND_MONITOR || !(d->ops.monitor->event_mask & copy.kind))
            continue;
        d->ops.monitor->on_event(srt_loader_inst(p), &copy);
    }
    pthread_rwlock_unlock(&reg->lock);
    return SRT_OK;
}

const char *srt_registry_handle_name(const struct srt_handle *self)
{
    return self ? self->name : NULL;
}

struct srt_registry *srt_registry_handle_owner(const struct srt_handle *self)
{
    return self ? self->reg : NULL;
}
