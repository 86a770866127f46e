/* weak.c - the weaker nested mode's plan (fsl_weak.h, DESIGN.md 5.5):
 * policy -> the Landlock allow-lists of `srt-linux-launch --weak`, and the
 * proxy listeners on host loopback.
 *
 * Which path is readable or writable follows the bwrap plan's precedence
 * (plan.c): the deepest entry at or above a path decides; allowRead beats
 * denyRead at the same path, denyRead beats a write root; denyWrite, the
 * mandatory denies and read-denied paths beat a write root. Only the way it
 * is enforced differs: complements instead of mounts. Never calls the host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsl_weak.h"

#define WK_SCAN_BUDGET_MS 5000
#define WK_RULES_WARN     8192

/* Devices a command needs to write whatever the policy says; the rest of
 * the host's /dev (disks, /dev/shm shared with the host) stays read-only. */
static const char *const wk_dev_write[] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/ptmx", "/dev/pts", NULL,
};

struct wk_rule {
    char    *path;
    unsigned kinds;
};

struct wk_ctx {
    const struct fsl_weak_in *in;
    struct fsl_weak_plan     *out;
    struct wk_rule           *v;
    size_t                    n, cap;
    int64_t                   deadline_ms;
};

/* ---- the complement ---- */

static const struct fsl_weak_entry *wk_exact(const struct fsl_weak_entry *v, size_t n,
                                             const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].path, path) == 0)
            return &v[i];
    return NULL;
}

/* Is there an entry strictly beneath `dir` that decides otherwise? */
static bool wk_differs_beneath(const struct fsl_weak_entry *v, size_t n, const char *dir,
                               bool state)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].grant != state && strcmp(v[i].path, dir) != 0 && fsl_path_is_under(v[i].path, dir))
            return true;
    return false;
}

static int wk_visit(const struct fsl_weak_entry *v, size_t n, const char *dir, bool state,
                    fsl_weak_list_fn list, void *arg, struct fsl_vec *out)
{
    if (!wk_differs_beneath(v, n, dir, state))
        return state ? fsl_vec_push(out, dir) : SRT_OK;
    struct fsl_vec names = {0};
    int r = list(dir, &names, arg);
    if (r != SRT_OK) {
        fsl_vec_free(&names);
        return r == SRT_ENOMEM ? r : SRT_OK;   /* unreadable: nothing beneath is granted */
    }
    for (size_t i = 0; r == SRT_OK && i < names.n; i++) {
        char *child = fsl_path_join(dir, names.v[i]);
        if (!child) {
            r = SRT_ENOMEM;
            break;
        }
        const struct fsl_weak_entry *e = wk_exact(v, n, child);
        r = wk_visit(v, n, child, e ? e->grant : state, list, arg, out);
        free(child);
    }
    fsl_vec_free(&names);
    return r;
}

int fsl_weak_complement(const struct fsl_weak_entry *v, size_t n, bool root_grant,
                        fsl_weak_list_fn list, void *arg, struct fsl_vec *out)
{
    const struct fsl_weak_entry *root = wk_exact(v, n, "/");
    return wk_visit(v, n, "/", root ? root->grant : root_grant, list, arg, out);
}

static int wk_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int fsl_weak_list_dir(const char *dir, struct fsl_vec *names, void *arg)
{
    (void)arg;
    int fd = fsl_open_dir_nofollow(dir);
    if (fd < 0)
        return SRT_EIO;
    /* O_PATH cannot be read: reopen the same directory for listing. */
    int rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    DIR *d = rfd >= 0 ? fdopendir(rfd) : NULL;
    if (!d) {
        if (rfd >= 0)
            close(rfd);
        return SRT_EIO;
    }
    int r = SRT_OK;
    struct dirent *de;
    while (r == SRT_OK && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        bool link = de->d_type == DT_LNK;
        struct stat st;
        if (de->d_type == DT_UNKNOWN)
            link = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        if (!link)
            r = fsl_vec_push(names, de->d_name);
    }
    closedir(d);
    if (r == SRT_OK && names->n)
        qsort(names->v, names->n, sizeof *names->v, wk_cmp_str);
    return r;
}

/* ---- collecting the policy's paths ---- */

/* The sink of the collection (and of the devices and mandatory denies):
 * kinds named on one path are merged into one rule. */
static int wk_add(void *arg, const char *path, unsigned kinds)
{
    struct wk_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].path, path) == 0) {
            c->v[i].kinds |= kinds;
            return SRT_OK;
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct wk_rule *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return SRT_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    if (!(c->v[c->n].path = strdup(path)))
        return SRT_ENOMEM;
    c->v[c->n++].kinds = kinds;
    return SRT_OK;
}

/* Read: allowRead beats denyRead at the same path, denyRead beats a root. */
static bool wk_read_grant(unsigned k)
{
    return (k & FSL_ALLOW_READ) || !(k & FSL_DENY_READ);
}

static bool wk_write_entry(unsigned k)
{
    return (k & (FSL_WRITE | FSL_DENY_WRITE)) || (k & (FSL_DENY_READ | FSL_ALLOW_READ)) == FSL_DENY_READ;
}

/* Write: any deny at the same path beats the root; a read-denied path is
 * not writable either (bwrap masks it read-only). */
static bool wk_write_grant(unsigned k)
{
    return (k & FSL_WRITE) && !(k & FSL_DENY_WRITE) &&
           (k & (FSL_DENY_READ | FSL_ALLOW_READ)) != FSL_DENY_READ;
}

static bool wk_writable(const struct wk_ctx *c, const char *path)
{
    unsigned k = 0;
    size_t best = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t len = strlen(c->v[i].path);
        if (wk_write_entry(c->v[i].kinds) && fsl_path_is_under(path, c->v[i].path) &&
            (!k || len > best)) {
            k = c->v[i].kinds;
            best = len;
        }
    }
    return wk_write_grant(k);
}

static int wk_collect(struct wk_ctx *c)
{
    const struct srt_policy *pol = c->in->policy;
    const struct fsl_collect col = {
        .add = wk_add, .arg = c, .drop_private = false,
        .deadline_ms = c->deadline_ms, .warnings = &c->out->warnings, .err = c->out->err,
    };
    int r = fsl_collect_list(&col, &pol->allow_write, FSL_WRITE);
    for (size_t i = 0; r == SRT_OK && i < pol->default_write.n; i++)
        if (!fsl_path_is_private_tree(pol->default_write.v[i].path))
            r = fsl_collect_entry(&col, &pol->default_write.v[i], FSL_WRITE);
    for (size_t i = 0; r == SRT_OK && wk_dev_write[i]; i++)
        if (access(wk_dev_write[i], F_OK) == 0)
            r = wk_add(c, wk_dev_write[i], FSL_WRITE);
    if (r == SRT_OK)
        r = fsl_collect_rest(&col, pol, c->in->state_dir, c->in->own);
    return r;
}

static bool wk_scan_here(void *c, const char *dir)
{
    return wk_writable(c, dir);
}

/* Mandatory denies (REFERENCE.md 3.4): scan the cwd and every write root
 * that is writable; protect what exists and the hooks and config of every
 * repository, present or not. No placeholders: a missing name is protected
 * only where the complement already freezes its directory. */
static int wk_mandatory(struct wk_ctx *c)
{
    uint32_t flags = fsl_scan_flags(c->in->policy);
    struct fsl_scan sc = {0};
    struct fsl_vec roots = {0};
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && i < c->n; i++)
        if ((c->v[i].kinds & FSL_WRITE) && !fsl_path_is_private_tree(c->v[i].path))
            r = fsl_vec_push(&roots, c->v[i].path);
    if (r == SRT_OK)
        r = fsl_scan_policy(c->in->policy, &roots, wk_scan_here, c, c->deadline_ms, &sc,
                            &c->out->warnings);
    for (size_t i = 0; r == SRT_OK && i < sc.protect.n; i++)
        r = wk_add(c, sc.protect.v[i], FSL_DENY_WRITE);
    for (size_t i = 0; r == SRT_OK && i < sc.repos.n; i++) {
        const char *names[] = { "hooks", (flags & FSL_SCAN_GIT_CONFIG) ? "config" : NULL };
        for (size_t k = 0; r == SRT_OK && k < 2 && names[k]; k++) {
            char *p = fsl_path_join(sc.repos.v[i], names[k]);
            r = p ? wk_add(c, p, FSL_DENY_WRITE) : SRT_ENOMEM;
            free(p);
        }
    }
    fsl_vec_free(&roots);
    fsl_scan_free(&sc);
    return r;
}

/* Both complements from the collected rules. */
static int wk_emit(struct wk_ctx *c)
{
    struct fsl_weak_entry *rd = calloc(c->n + 1, sizeof *rd);
    struct fsl_weak_entry *wr = calloc(c->n + 1, sizeof *wr);
    size_t nr = 0, nw = 0;
    int r = rd && wr ? SRT_OK : SRT_ENOMEM;
    for (size_t i = 0; r == SRT_OK && i < c->n; i++) {
        unsigned k = c->v[i].kinds;
        if (k & (FSL_DENY_READ | FSL_ALLOW_READ | FSL_WRITE))
            rd[nr++] = (struct fsl_weak_entry){ c->v[i].path, wk_read_grant(k) };
        if (wk_write_entry(k))
            wr[nw++] = (struct fsl_weak_entry){ c->v[i].path, wk_write_grant(k) };
    }
    if (r == SRT_OK)
        r = fsl_weak_complement(rd, nr, true, fsl_weak_list_dir, NULL, &c->out->read);
    if (r == SRT_OK)
        r = fsl_weak_complement(wr, nw, false, fsl_weak_list_dir, NULL, &c->out->write);
    if (r == SRT_OK && c->out->read.n + c->out->write.n > WK_RULES_WARN)
        r = fsl_vec_pushf(&c->out->warnings, "the weaker sandbox needs %zu landlock rules; "
                          "start-up may be slow", c->out->read.n + c->out->write.n);
    free(rd);
    free(wr);
    return r;
}

int fsl_weak_build(const struct fsl_weak_in *in, struct fsl_weak_plan *out)
{
    memset(out, 0, sizeof *out);
    struct wk_ctx c = { .in = in, .out = out };
    c.deadline_ms = fsl_now_ms() + (in->scan_budget_ms > 0 ? in->scan_budget_ms : WK_SCAN_BUDGET_MS);
    int r;
    if (in->policy->flags & SRT_POL_FS_DISABLED) {
        /* REFERENCE.md 3.10: the whole host filesystem is writable */
        r = fsl_vec_push(&out->read, "/");
        if (r == SRT_OK)
            r = fsl_vec_push(&out->write, "/");
    } else {
        r = wk_collect(&c);
        if (r == SRT_OK)
            r = wk_mandatory(&c);
        if (r == SRT_OK)
            r = wk_emit(&c);
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i].path);
    free(c.v);
    if (r != SRT_OK && !out->err[0])
        snprintf(out->err, sizeof out->err, "build weaker sandbox plan: %s",
                 r == SRT_ENOMEM ? "out of memory" : "failed");
    return r;
}

void fsl_weak_free(struct fsl_weak_plan *plan)
{
    fsl_vec_free(&plan->read);
    fsl_vec_free(&plan->write);
    fsl_vec_free(&plan->warnings);
}

/* ---- listeners and the launch command ---- */

int fsl_weak_listen(int fds[2], uint16_t ports[2], char *err, size_t errlen)
{
    fds[0] = fds[1] = -1;
    for (int i = 0; i < 2; i++) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SOMAXCONN) != 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
            snprintf(err, errlen, "listen on 127.0.0.1 for the %s proxy: %s",
                     i == 0 ? "http" : "socks5", strerror(errno));
            if (fd >= 0)
                close(fd);
            if (fds[0] >= 0)
                close(fds[0]);
            fds[0] = -1;
            return SRT_EIO;
        }
        fds[i] = fd;
        ports[i] = ntohs(sa.sin_port);
    }
    return SRT_OK;
}

int fsl_weak_argv(const char *launcher, const struct fsl_weak_plan *plan,
                  const uint16_t ports[2], const struct fsl_weak_run *how,
                  const char *const *argv, struct fsl_vec *out)
{
    int r = fsl_vec_push(out, launcher);
    if (r == SRT_OK)
        r = fsl_vec_push(out, "--weak");
    if (r == SRT_OK && how->allow_unix)
        r = fsl_vec_push(out, "--allow-unix");
    for (size_t i = 0; r == SRT_OK && i < plan->read.n; i++)
        if ((r = fsl_vec_push(out, "--ll-read")) == SRT_OK)
            r = fsl_vec_push(out, plan->read.v[i]);
    for (size_t i = 0; r == SRT_OK && i < plan->write.n; i++)
        if ((r = fsl_vec_push(out, "--ll-write")) == SRT_OK)
            r = fsl_vec_push(out, plan->write.v[i]);
    for (size_t i = 0; r == SRT_OK && i < 2; i++)
        if ((r = fsl_vec_push(out, "--connect-port")) == SRT_OK)
            r = fsl_vec_pushf(out, "%u", (unsigned)ports[i]);
    if (r == SRT_OK && how->guard) {
        r = fsl_vec_push(out, "--guard");
        if (r == SRT_OK && how->git_config_ok)
            r = fsl_vec_push(out, "--allow-git-config");
        if (r == SRT_OK && how->report_fd >= 0 && (r = fsl_vec_push(out, "--report-fd")) == SRT_OK)
            r = fsl_vec_pushf(out, "%d", how->report_fd);
    }
    if (r == SRT_OK)
        r = fsl_vec_push(out, "--");
    for (size_t i = 0; r == SRT_OK && argv[i]; i++)
        r = fsl_vec_push(out, argv[i]);
    return r;
}
