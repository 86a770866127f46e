/* loader.c - open one plugin module and check it (STYLE.md 1, loader_int.h).
 *
 * Steps 1-3 of the loader rules live here: file safety, dlopen and the entry,
 * and the descriptor checks. The descriptor and its ops table are copied into
 * zeroed structs of the core's size, never reading past the plugin's
 * struct_size, so every later reader sees NULL/0 for members the plugin's ABI
 * minor does not have. Duplicate names and the host table are the registry's. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <srt/fs.h>
#include <srt/monitor.h>
#include <srt/net.h>

#include "errors_int.h"
#include "loader_int.h"

/* End of member m: the size a struct must declare to contain it. */
#define SRT_END_OF(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))

/* The 1.0 sizes: frozen, so they stay right when later minors append members. */
#define SRT_DESC_SIZE_1_0     SRT_END_OF(struct srt_plugin_desc, ops)
#define SRT_ENFORCER_SIZE_1_0 SRT_END_OF(struct srt_enforcer_ops, cleanup)
#define SRT_PROXY_SIZE_1_0    SRT_END_OF(struct srt_proxy_ops, stop)
#define SRT_MONITOR_SIZE_1_0  SRT_END_OF(struct srt_monitor_ops, on_session_end)

/* Every major starts with struct_size, abi_major, abi_minor. */
#define SRT_DESC_HEAD_SIZE    SRT_END_OF(struct srt_plugin_desc, abi_minor)

#define SRT_NAME_MAX 63

struct srt_plugin {
    char *path;                     /* file, or the built-in's label */
    void *dl;                       /* NULL for a built-in */
    int   fd;                       /* the checked file, open while loaded; -1 for a built-in */
    struct srt_plugin_desc desc;    /* the plugin's descriptor, zero-padded */
    union {
        struct srt_enforcer_ops enforcer;
        struct srt_proxy_ops    proxy;
        struct srt_monitor_ops  monitor;
    } ops;                          /* desc.ops points here */
    void *inst;
    bool  created;
};

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case SRT_KIND_ENFORCER: return "enforcer";
    case SRT_KIND_PROXY:    return "proxy";
    case SRT_KIND_MONITOR:  return "monitor";
    }
    return NULL;
}

/* The name a plugin of `kind` must start with (STYLE.md 6). */
static const char *kind_prefix(uint32_t kind)
{
    switch (kind) {
    case SRT_KIND_ENFORCER: return "fs-";
    case SRT_KIND_PROXY:    return "net-";
    case SRT_KIND_MONITOR:  return "monitor";
    }
    return NULL;
}

/* Step 1: the file is what it claims and nobody untrusted can change it.
 * Stores an open descriptor of the checked file in *fd_out. */
static int check_file(const char *path, uid_t trusted_uid, int *fd_out, struct srt_error *err)
{
    /* O_NOFOLLOW: a symlink could be swapped for something else after the
     * check. O_NONBLOCK: a FIFO planted under a plugin name must not hang us. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return srt_error_set(err, SRT_ENOTFOUND, "%s: open: no such file", path);
        if (errno == ELOOP)
            return srt_error_set(err, SRT_EPERM, "%s: file safety: is a symbolic link", path);
        return srt_error_set(err, SRT_EIO, "%s: open: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = SRT_OK;
    if (fstat(fd, &st) != 0)
        rc = srt_error_set(err, SRT_EIO, "%s: stat: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = srt_error_set(err, SRT_EPERM, "%s: file safety: not a regular file", path);
    else if (st.st_uid != 0 && st.st_uid != trusted_uid)
        rc = srt_error_set(err, SRT_EPERM, "%s: file safety: owned by uid %lu, not root or uid %lu",
                           path, (unsigned long)st.st_uid, (unsigned long)trusted_uid);
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        rc = srt_error_set(err, SRT_EPERM, "%s: file safety: writable by group or others (mode %04o)",
                           path, (unsigned)(st.st_mode & 07777));
    if (rc != SRT_OK) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return SRT_OK;
}

/* dlerror() text names the file it was given (/proc/self/fd/N here); drop that
 * prefix, since every message already starts with the real path. */
static const char *dl_detail(const char *given)
{
    const char *e = dlerror();
    if (!e)
        return "unknown error";
    size_t n = strlen(given);
    if (strncmp(e, given, n) == 0 && strncmp(e + n, ": ", 2) == 0)
        return e + n + 2;
    return e;
}

/* Step 2 for a module: load exactly the file that was checked. */
static int open_module(const char *path, int fd, void **dl_out,
                       const struct srt_plugin_desc *(**entry_out)(void), struct srt_error *err)
{
    char self_path[64];
    snprintf(self_path, sizeof self_path, "/proc/self/fd/%d", fd);
    /* Loading through the descriptor closes the window between the checks and
     * dlopen; without /proc the path is all there is. The descriptor stays open
     * while the module is loaded: the dynamic linker reuses a loaded object
     * whose name matches, so no two loaded plugins may share an fd number. */
    const char *load = access(self_path, F_OK) == 0 ? self_path : path;
    dlerror();
    void *dl = dlopen(load, RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        return srt_error_set(err, SRT_EPLUGIN, "%s: dlopen: %s", path, dl_detail(load));
    dlerror();
    void *sym = dlsym(dl, SRT_ENTRY_SYMBOL);
    if (!sym) {
        dlclose(dl);
        return srt_error_set(err, SRT_ENOTFOUND, "%s: entry: %s not found", path, SRT_ENTRY_SYMBOL);
    }
    /* POSIX guarantees that a function pointer round-trips through void *. */
    const struct srt_plugin_desc *(*entry)(void) = NULL;
    memcpy(&entry, &sym, sizeof entry);
    *dl_out = dl;
    *entry_out = entry;
    return SRT_OK;
}

bool srt_loader_name_is_valid(const char *name)
{
    size_t n = strnlen(name, SRT_NAME_MAX + 1);
    if (n == 0 || n > SRT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* Copy the plugin's ops table (declared size `have`) into p->ops. */
static int copy_ops(struct srt_plugin *p, const void *src, size_t need, size_t room,
                    struct srt_error *err)
{
    uint32_t have;
    memcpy(&have, src, sizeof have);
    if (have < need)
        return srt_error_set(err, SRT_EVERSION, "%s: ops table too short: struct_size %u, need at least %zu",
                             p->path, have, need);
    memcpy(&p->ops, src, have < room ? have : room);
    return SRT_OK;
}

/* Step 3, then fill p->desc and p->ops from what the entry returned. */
static int check_desc(struct srt_plugin *p, const struct srt_plugin_desc *d, struct srt_error *err)
{
    const char *path = p->path;
    if (!d)
        return srt_error_set(err, SRT_EPLUGIN, "%s: entry: %s returned NULL", path, SRT_ENTRY_SYMBOL);
    uint32_t size = d->struct_size;
    if (size < SRT_DESC_HEAD_SIZE)
        return srt_error_set(err, SRT_EVERSION, "%s: descriptor too short: struct_size %u, need at least %zu",
                             path, size, SRT_DESC_SIZE_1_0);
    if (d->abi_major != SRT_ABI_MAJOR)
        return srt_error_set(err, SRT_EVERSION, "%s: ABI major %u is not supported (this srt speaks %d.x)",
                             path, (unsigned)d->abi_major, SRT_ABI_MAJOR);
    if (size < SRT_DESC_SIZE_1_0)
        return srt_error_set(err, SRT_EVERSION, "%s: descriptor too short: struct_size %u, need at least %zu",
                             path, size, SRT_DESC_SIZE_1_0);
    memcpy(&p->desc, d, size < sizeof p->desc ? size : sizeof p->desc);
    struct srt_plugin_desc *c = &p->desc;

    const char *kname = kind_name(c->kind);
    if (!kname)
        return srt_error_set(err, SRT_EPLUGIN, "%s: kind: unknown kind %u", path, c->kind);
    if (!c->name)
        return srt_error_set(err, SRT_EPLUGIN, "%s: name: missing", path);
    if (!srt_loader_name_is_valid(c->name))
        return srt_error_set(err, SRT_EPLUGIN, "%s: name: \"%.64s\" is not [a-z0-9-]{1,%d}",
                             path, c->name, SRT_NAME_MAX);
    const char *prefix = kind_prefix(c->kind);
    if (strncmp(c->name, prefix, strlen(prefix)) != 0)
        return srt_error_set(err, SRT_EPLUGIN, "%s: name: \"%s\" does not start with \"%s\" (kind %s)",
                             path, c->name, prefix, kname);
    if (!c->create || !c->destroy)
        return srt_error_set(err, SRT_EPLUGIN, "%s: mandatory op: %s is NULL", path,
                             c->create ? "destroy" : "create");
    if (!c->ops.enforcer)
        return srt_error_set(err, SRT_EPLUGIN, "%s: ops: no %s ops table", path, kname);

    int rc;
    switch (c->kind) {
    case SRT_KIND_ENFORCER:
        rc = copy_ops(p, c->ops.enforcer, SRT_ENFORCER_SIZE_1_0, sizeof p->ops.enforcer, err);
        if (rc == SRT_OK && !p->ops.enforcer.probe)
            rc = srt_error_set(err, SRT_EPLUGIN, "%s: mandatory op: enforcer probe is NULL", path);
        c->ops.enforcer = &p->ops.enforcer;
        break;
    case SRT_KIND_PROXY:
        /* attach may be NULL: the proxy then reports "not supported". */
        rc = copy_ops(p, c->ops.proxy, SRT_PROXY_SIZE_1_0, sizeof p->ops.proxy, err);
        c->ops.proxy = &p->ops.proxy;
        break;
    default:
        rc = copy_ops(p, c->ops.monitor, SRT_MONITOR_SIZE_1_0, sizeof p->ops.monitor, err);
        if (rc == SRT_OK && !p->ops.monitor.on_event)
            rc = srt_error_set(err, SRT_EPLUGIN, "%s: mandatory op: monitor on_event is NULL", path);
        c->ops.monitor = &p->ops.monitor;
        break;
    }
    if (rc != SRT_OK)
        return rc;
    /* Listings print these; an absent string reads as empty rather than NULL. */
    if (!c->version)
        c->version = "";
    if (!c->summary)
        c->summary = "";
    return SRT_OK;
}

static int plugin_new(const char *label, struct srt_plugin **out, struct srt_error *err)
{
    struct srt_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return srt_error_set(err, SRT_ENOMEM, "%s: allocate plugin", label);
    p->fd = -1;
    p->path = strdup(label);
    if (!p->path) {
        free(p);
        return srt_error_set(err, SRT_ENOMEM, "%s: allocate plugin", label);
    }
    *out = p;
    return SRT_OK;
}

int srt_loader_open(const char *path, uid_t trusted_uid, struct srt_plugin **out,
                    struct srt_error *err)
{
    if (!path || !out)
        return srt_error_set(err, SRT_EINVAL, "open plugin: no path given");
    int fd = -1;
    int rc = check_file(path, trusted_uid, &fd, err);
    if (rc != SRT_OK)
        return rc;
    struct srt_plugin *p;
    rc = plugin_new(path, &p, err);
    if (rc != SRT_OK) {
        close(fd);
        return rc;
    }
    p->fd = fd;
    const struct srt_plugin_desc *(*entry)(void) = NULL;
    rc = open_module(path, fd, &p->dl, &entry, err);
    if (rc == SRT_OK)
        rc = check_desc(p, entry(), err);
    if (rc != SRT_OK) {
        srt_loader_close(p);
        return rc;
    }
    *out = p;
    return SRT_OK;
}

int srt_loader_open_builtin(const struct srt_plugin_desc *(*entry)(void), const char *label,
                            struct srt_plugin **out, struct srt_error *err)
{
    if (!entry || !label || !out)
        return srt_error_set(err, SRT_EINVAL, "open built-in plugin: no entry given");
    struct srt_plugin *p;
    int rc = plugin_new(label, &p, err);
    if (rc != SRT_OK)
        return rc;
    rc = check_desc(p, entry(), err);
    if (rc != SRT_OK) {
        srt_loader_close(p);
        return rc;
    }
    *out = p;
    return SRT_OK;
}

int srt_loader_create(struct srt_plugin *p, const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, struct srt_error *err)
{
    if (!p || !host)
        return srt_error_set(err, SRT_EINVAL, "create plugin: no plugin or host given");
    if (p->created)
        return srt_error_set(err, SRT_EINVAL, "%s: create: already created", p->path);
    struct srt_error inner = { 0 };
    void *inst = NULL;
    int rc = p->desc.create(host, self, cfg, &inst, &inner);
    if (rc == SRT_OK) {
        p->inst = inst;
        p->created = true;
        return SRT_OK;
    }
    /* A positive return is a plugin bug; it still means create failed. */
    if (rc > 0)
        rc = SRT_EPLUGIN;
    inner.msg[sizeof inner.msg - 1] = '\0';
    srt_error_set(err, rc, "%s: create failed: %s", p->path,
                  inner.msg[0] ? inner.msg : srt_strerror(rc));
    if (err)
        err->sys_errno = inner.sys_errno;
    return rc;
}

void srt_loader_close(struct srt_plugin *p)
{
    if (!p)
        return;
    if (p->created)
        p->desc.destroy(p->inst);
    if (p->dl)
        dlclose(p->dl);
    if (p->fd >= 0)
        close(p->fd);
    free(p->path);
    free(p);
}

const struct srt_plugin_desc *srt_loader_desc(const struct srt_plugin *p) { return &p->desc; }
void *srt_loader_inst(const struct srt_plugin *p) { return p->created ? p->inst : NULL; }
const char *srt_loader_path(const struct srt_plugin *p) { return p->path; }
