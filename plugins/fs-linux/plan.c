/* plan.c - the filesystem plan: policy -> bubblewrap options (DESIGN.md 5.1,
 * 5.3; REFERENCE.md 3.1-3.9, 4.2-4.4).
 *
 * Every path any list names becomes one rule carrying the kinds that name it.
 * Two questions decide what a path looks like inside, each answered by the
 * deepest rule at or above it: can it be read (allowRead beats denyRead at the
 * same path, denyRead beats allowWrite) and can it be written (denyWrite beats
 * allowWrite). Mounts are then emitted shallow to deep, one per destination
 * (3.9 (4)), so a deeper mount always lands on top of a shallower one and the
 * outcome does not depend on the order of the lists (3.1). Paths hidden by a
 * read mask get no mount at all, which is what keeps 3.9 (2) and (5).
 * Creates placeholders through the ledger; never calls the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsl_int.h"

/* Rule kinds: the FSL_* kinds of collect.c, and one of the plan's own. */
#define FR_PIN        (1u << 4)   /* ancestor pin: rename/rmdir gives EBUSY (3.8) */

#define FSL_MOUNT_WARN     256

struct fsl_rule {
    char    *path;
    unsigned kinds;
};

struct fsl_rules {
    struct fsl_rule *v;
    size_t n, cap;
};

/* Lookups bisect `rules`; additions wait in `pending` until the next
 * fsl_rules_settle, so a lookup never sees a half-sorted table. */
struct fsl_ctx {
    const struct fsl_plan_in *in;
    struct fsl_plan *out;
    struct fsl_rules rules;
    struct fsl_rules pending;
    int64_t deadline_ms;
    bool oom;                   /* an allocation failed inside a callback */
};

static int fsl_rule_add(struct fsl_ctx *c, const char *path, unsigned kinds)
{
    struct fsl_rules *r = &c->pending;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct fsl_rule *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return SRT_ENOMEM;
        r->v = v;
        r->cap = cap;
    }
    if (!(r->v[r->n].path = strdup(path)))
        return SRT_ENOMEM;
    r->v[r->n++].kinds = kinds;
    return SRT_OK;
}

static int fsl_rule_cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct fsl_rule *)a)->path, ((const struct fsl_rule *)b)->path);
}

/* Move the pending rules in, sort by path and merge duplicates. */
static int fsl_rules_settle(struct fsl_ctx *c)
{
    struct fsl_rules *r = &c->rules, *p = &c->pending;
    if (r->n + p->n > r->cap) {
        struct fsl_rule *v = realloc(r->v, (r->n + p->n) * sizeof *v);
        if (!v)
            return SRT_ENOMEM;
        r->v = v;
        r->cap = r->n + p->n;
    }
    if (p->n)
        memcpy(r->v + r->n, p->v, p->n * sizeof *p->v);
    r->n += p->n;
    p->n = 0;
    if (r->n == 0)
        return SRT_OK;
    qsort(r->v, r->n, sizeof *r->v, fsl_rule_cmp_path);
    size_t k = 0;
    for (size_t i = 1; i < r->n; i++) {
        if (strcmp(r->v[i].path, r->v[k].path) == 0) {
            r->v[k].kinds |= r->v[i].kinds;
            free(r->v[i].path);
        } else {
            r->v[++k] = r->v[i];
        }
    }
    r->n = k + 1;
    return SRT_OK;
}

static struct fsl_rule *fsl_rule_find(const struct fsl_rules *r, const char *path)
{
    struct fsl_rule key = { .path = (char *)path };
    return bsearch(&key, r->v, r->n, sizeof *r->v, fsl_rule_cmp_path);
}

/* The kinds of the deepest rule at or above `path` that has any of `mask`. */
static unsigned fsl_governing(const struct fsl_rules *r, const char *path, unsigned mask,
                              char *at, size_t atlen)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        struct fsl_rule *rule = fsl_rule_find(r, buf);
        if (rule && (rule->kinds & mask)) {
            if (at)
                snprintf(at, atlen, "%s", buf);
            return rule->kinds & mask;
        }
        if (strcmp(buf, "/") == 0)
            return 0;
        char *slash = strrchr(buf, '/');
        if (slash == buf)
            buf[1] = '\0';
        else
            *slash = '\0';
    }
}

static bool fsl_visible(const struct fsl_rules *r, const char *path)
{
    unsigned k = fsl_governing(r, path, FSL_ALLOW_READ | FSL_DENY_READ | FSL_WRITE, NULL, 0);
    return (k & FSL_ALLOW_READ) || !(k & FSL_DENY_READ);
}

static bool fsl_writable(const struct fsl_rules *r, const char *path, char *root, size_t rootlen)
{
    unsigned k = fsl_governing(r, path, FSL_WRITE | FSL_DENY_WRITE, root, rootlen);
    return (k & FSL_WRITE) && !(k & FSL_DENY_WRITE);
}

/* Writable and visible: a place where a new name could be created. */
static bool fsl_open_here(const struct fsl_rules *r, const char *path)
{
    return fsl_visible(r, path) && fsl_writable(r, path, NULL, 0);
}

static bool fsl_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The sink of the collection: every resolved path becomes a rule. */
static int fsl_collect_rule(void *arg, const char *path, unsigned kind)
{
    return fsl_rule_add(arg, path, kind);
}

/* A placeholder where `path` is missing and its parent is open for writing,
 * by the policy and on the host: the sandbox runs as the caller with no more
 * capabilities, so where the caller cannot create a name (a 0555 directory,
 * someone else's directory, a read-only mount) the sandbox cannot either.
 * The rule `kind` then sits on it. */
static int fsl_placeholder(struct fsl_ctx *c, const char *path, bool is_dir, unsigned kind)
{
    char *parent = fsl_path_parent(path);
    if (!parent)
        return SRT_ENOMEM;
    bool open_here = fsl_open_here(&c->rules, parent) &&
                     faccessat(AT_FDCWD, parent, W_OK | X_OK, AT_EACCESS) == 0;
    free(parent);
    if (!open_here)
        return SRT_OK;  /* already uncreatable */
    int r = fsl_ledger_create(c->in->ledger, path, is_dir, c->out->err, sizeof c->out->err);
    if (r == SRT_EEXIST) {
        c->out->err[0] = '\0';
        r = SRT_OK;     /* appeared meanwhile: protect what is there */
    }
    return r == SRT_OK ? fsl_rule_add(c, path, kind) : r;
}

/* Is `dir` inside one of srt's default write paths (TMPDIR, ~/.npm/_logs)?
 * No host tool reads configuration from there, so missing dangerous names
 * get no placeholders (which would be ghost files in the user's tree). */
static bool fsl_under_default_write(const struct srt_policy *pol, const char *dir)
{
    for (size_t i = 0; i < pol->default_write.n; i++)
        if (fsl_path_is_under(dir, pol->default_write.v[i].path))
            return true;
    return false;
}

/* Does the caller own `dir`, with write permission for itself? Missing
 * dangerous names get placeholders only there. In a directory of another
 * user the sandbox (no capabilities, even for root) cannot create names
 * unless it is open to others, and a shared one like /tmp is nobody's
 * project: placeholders there would be ghost files in other users' trees
 * and would race with their own runs' placeholders. */
static bool fsl_dir_is_callers(const char *dir)
{
    struct stat st;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           (st.st_mode & S_IWUSR);
}

/* Order paths by depth, then by name, so the cap in fsl_mandatory keeps the
 * shallowest directories. */
static int fsl_cmp_shallow_first(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t dx = fsl_path_depth(x), dy = fsl_path_depth(y);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x, y);
}

/* A root the sandbox can write is scanned, and remembered for the after-run
 * audit (audit.c), which must walk exactly the same roots. */
static bool fsl_scan_here(void *arg, const char *dir)
{
    struct fsl_ctx *c = arg;
    if (!fsl_open_here(&c->rules, dir))
        return false;
    if (fsl_vec_push(&c->out->scan_roots, dir) != SRT_OK)
        c->oom = true;
    return true;
}

/* Mandatory denies: scan the cwd and every write root, protect what exists,
 * and put placeholders on the dangerous names missing in every directory the
 * scan visited (3.4 beyond). */
static int fsl_mandatory(struct fsl_ctx *c)
{
    uint32_t flags = fsl_scan_flags(c->in->policy);
    struct fsl_scan sc = {0};
    struct fsl_vec roots = {0};
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && i < c->rules.n; i++)
        if (c->rules.v[i].kinds & FSL_WRITE)
            r = fsl_vec_push(&roots, c->rules.v[i].path);
    if (r == SRT_OK)
        r = fsl_scan_policy(c->in->policy, &roots, fsl_scan_here, c, c->deadline_ms,
                            &sc, &c->out->warnings);
    if (r == SRT_OK && c->oom)
        r = SRT_ENOMEM;
    /* What existed before the run, for the after-run audit (audit.c). */
    for (size_t i = 0; r == SRT_OK && i < sc.protect.n; i++)
        r = fsl_vec_push(&c->out->scanned, sc.protect.v[i]);
    if (r != SRT_OK)
        goto out_free;
    for (size_t i = 0; i < sc.protect.n; i++) {
        fsl_ledger_adopt(c->in->ledger, sc.protect.v[i]);
        if ((r = fsl_rule_add(c, sc.protect.v[i], FSL_DENY_WRITE)) != SRT_OK)
            goto out_free;
    }
    if ((r = fsl_rules_settle(c)) != SRT_OK)
        goto out_free;
    /* With the create guard (launch/guard.c) a missing dangerous name is
     * refused whenever it is made, at any depth: no placeholder is needed,
     * none appears on the host and none costs a mount. */
    if (c->in->guarded)
        goto out_free;
    /* Shallow directories first, and at most FSL_PLACEHOLDER_DIRS of them:
     * every placeholder is a mount and a host-visible empty file, so a large
     * tree would otherwise cost thousands of mounts (bwrap stops at 9000
     * arguments). Deeper directories keep the protection of what exists. */
    if (sc.dirs.n > 1)
        qsort(sc.dirs.v, sc.dirs.n, sizeof *sc.dirs.v, fsl_cmp_shallow_first);
    size_t placed = 0;
    for (size_t i = 0; i < sc.dirs.n; i++) {
        const char *d = sc.dirs.v[i];
        if (!fsl_open_here(&c->rules, d) || fsl_under_default_write(c->in->policy, d) ||
            !fsl_dir_is_callers(d))
            continue;
        if (placed++ == FSL_PLACEHOLDER_DIRS) {
            r = fsl_vec_pushf(&c->out->warnings,
                              "%zu directories below the write roots: dangerous names that do not "
                              "exist yet are made uncreatable in the %d shallowest only",
                              sc.dirs.n, FSL_PLACEHOLDER_DIRS);
            break;
        }
        for (size_t k = 0; r == SRT_OK && fsl_danger_files[k]; k++) {
            char *p = fsl_path_join(d, fsl_danger_files[k]);
            if (!p)
                r = SRT_ENOMEM;
            else if (!fsl_exists(p))
                r = fsl_placeholder(c, p, false, FSL_DENY_WRITE);
            free(p);
        }
        for (size_t k = 0; r == SRT_OK && fsl_danger_dirs[k]; k++) {
            char *p = fsl_path_join(d, fsl_danger_dirs[k]);
            if (!p) {
                r = SRT_ENOMEM;
                break;
            }
            char *slash = strchr(p + strlen(d) + 1, '/');
            if (slash) {
                /* A missing parent (.claude) gets the placeholder itself; one
                 * this run just made covers its other children too. */
                *slash = '\0';
                bool ours = c->in->ledger && fsl_vec_has(fsl_ledger_paths(c->in->ledger), p);
                bool parent_there = !ours && fsl_exists(p);
                if (ours) {
                    free(p);
                    continue;
                }
                if (parent_there)
                    *slash = '/';
            }
            if (!fsl_exists(p))
                r = fsl_placeholder(c, p, true, FSL_DENY_WRITE);
            free(p);
        }
        if (r != SRT_OK)
            goto out_free;
    }
    for (size_t i = 0; r == SRT_OK && i < sc.repos.n; i++) {
        const char *names[] = { "hooks", (flags & FSL_SCAN_GIT_CONFIG) ? "config" : NULL };
        for (size_t k = 0; r == SRT_OK && k < 2 && names[k]; k++) {
            char *p = fsl_path_join(sc.repos.v[i], names[k]);
            if (!p)
                r = SRT_ENOMEM;
            else if (!fsl_exists(p))
                r = fsl_placeholder(c, p, k == 0, FSL_DENY_WRITE);
            free(p);
        }
    }
out_free:
    fsl_vec_free(&roots);
    fsl_scan_free(&sc);
    return r == SRT_OK ? fsl_rules_settle(c) : r;
}

/* Deny rules on paths that do not exist (3.5): a placeholder on the first
 * missing component, so neither the path nor its missing parents can be
 * made; where that parent is not writable anyway, nothing is needed. */
static int fsl_missing_denies(struct fsl_ctx *c)
{
    size_t n = c->rules.n;
    for (size_t i = 0; i < n; i++) {
        unsigned deny = c->rules.v[i].kinds & (FSL_DENY_READ | FSL_DENY_WRITE);
        if (!deny || fsl_exists(c->rules.v[i].path))
            continue;
        char *first = strdup(c->rules.v[i].path);
        if (!first)
            return SRT_ENOMEM;
        for (;;) {
            char *parent = fsl_path_parent(first);
            if (!parent) {
                free(first);
                return SRT_ENOMEM;
            }
            if (fsl_exists(parent) || strcmp(parent, "/") == 0) {
                free(parent);
                break;
            }
            free(first);
            first = parent;
        }
        bool leaf = strcmp(first, c->rules.v[i].path) == 0;
        c->rules.v[i].kinds &= ~deny;
        int r = fsl_placeholder(c, first, !leaf, deny);
        free(first);
        if (r != SRT_OK)
            return r;
    }
    return fsl_rules_settle(c);
}

/* Is the rule at index i a read mask that will really be mounted? */
static bool fsl_is_mask(const struct fsl_rules *r, const struct fsl_rule *rule)
{
    if ((rule->kinds & (FSL_DENY_READ | FSL_ALLOW_READ)) != FSL_DENY_READ)
        return false;
    char *parent = fsl_path_parent(rule->path);
    bool v = parent && fsl_visible(r, parent);
    free(parent);
    return v;
}

/* Ancestor pins (3.8): every directory strictly between a protected path and
 * the write root that covers it, while it is itself visible and writable. */
static int fsl_pins(struct fsl_ctx *c)
{
    size_t n = c->rules.n;
    for (size_t i = 0; i < n; i++) {
        const struct fsl_rule *rule = &c->rules.v[i];
        if (!(rule->kinds & FSL_DENY_WRITE) && !fsl_is_mask(&c->rules, rule))
            continue;
        char root[4096];
        char *d = fsl_path_parent(rule->path);
        if (!d)
            return SRT_ENOMEM;
        if (!fsl_writable(&c->rules, d, root, sizeof root)) {
            free(d);
            continue;
        }
        while (strcmp(d, root) != 0 && strcmp(d, "/") != 0) {
            if (!fsl_path_is_private_tree(d) && fsl_open_here(&c->rules, d) &&
                fsl_rule_add(c, d, FR_PIN) != SRT_OK) {
                free(d);
                return SRT_ENOMEM;
            }
            char *up = fsl_path_parent(d);
            free(d);
            if (!(d = up))
                return SRT_ENOMEM;
        }
        free(d);
    }
    return fsl_rules_settle(c);
}

static int fsl_cmp_depth(const void *a, const void *b)
{
    const struct fsl_rule *x = a, *y = b;
    size_t dx = fsl_path_depth(x->path), dy = fsl_path_depth(y->path);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x->path, y->path);
}

static int fsl_push3(struct fsl_vec *v, const char *a, const char *b, const char *cc)
{
    int r = fsl_vec_push(v, a);
    if (r == SRT_OK && b)
        r = fsl_vec_push(v, b);
    if (r == SRT_OK && cc)
        r = fsl_vec_push(v, cc);
    return r;
}

/* Emit mounts shallow to deep; then the read-only remounts of the masks. */
static int fsl_emit_mounts(struct fsl_ctx *c)
{
    struct fsl_vec *a = &c->out->bwrap;
    struct fsl_vec remount = {0};
    struct fsl_rule *order = malloc((c->rules.n + 1) * sizeof *order);
    if (!order)
        return SRT_ENOMEM;
    memcpy(order, c->rules.v, c->rules.n * sizeof *order);
    qsort(order, c->rules.n, sizeof *order, fsl_cmp_depth);
    int r = fsl_writable(&c->rules, "/", NULL, 0) ? fsl_push3(a, "--bind", "/", "/")
                                                  : fsl_push3(a, "--ro-bind", "/", "/");
    size_t mounts = 0;
    for (size_t i = 0; r == SRT_OK && i < c->rules.n; i++) {
        const struct fsl_rule *rule = &order[i];
        const char *x = rule->path;
        if (strcmp(x, "/") == 0)
            continue;
        char *parent = fsl_path_parent(x);
        if (!parent) {
            r = SRT_ENOMEM;
            break;
        }
        bool pv = fsl_visible(&c->rules, parent);
        bool pw = fsl_writable(&c->rules, parent, NULL, 0);
        free(parent);
        struct stat st;
        if (stat(x, &st) != 0)
            continue;   /* nothing there to mount */
        if ((rule->kinds & (FSL_DENY_READ | FSL_ALLOW_READ)) == FSL_DENY_READ) {
            if (!pv)
                continue;   /* already inside a mask: one mask is enough */
            if (S_ISDIR(st.st_mode)) {
                r = fsl_push3(a, "--tmpfs", x, NULL);
                if (r == SRT_OK)
                    r = fsl_vec_push(&remount, x);
            } else {
                r = fsl_push3(a, "--ro-bind", c->in->deny_file, x);
            }
            mounts++;
            continue;
        }
        if (!fsl_visible(&c->rules, x))
            continue;   /* hidden by a mask and not re-opened */
        bool w = fsl_writable(&c->rules, x, NULL, 0);
        /* re-exposed under a mask, a root or pin (a mount point is what
         * makes rename EBUSY), a change of writability, or a deny-write
         * where a write could otherwise land */
        bool need = !pv || (rule->kinds & (FSL_WRITE | FR_PIN)) || w != pw ||
                    ((rule->kinds & FSL_DENY_WRITE) && pw);
        if (!need)
            continue;
        r = fsl_push3(a, w ? "--bind" : "--ro-bind", x, x);
        if (r == SRT_OK && w && (rule->kinds & FSL_WRITE))
            r = fsl_vec_push(&c->out->ll_write, x);
        mounts++;
    }
    for (size_t i = 0; r == SRT_OK && i < remount.n; i++)
        r = fsl_push3(a, "--remount-ro", remount.v[i], NULL);
    if (r == SRT_OK && mounts > FSL_MOUNT_WARN)
        r = fsl_vec_pushf(&c->out->warnings, "the sandbox needs %zu mounts; start-up may be slow", mounts);
    fsl_vec_free(&remount);
    free(order);
    return r;
}

/* --as-pid-1: the inner stage is the PID namespace's init and the
 * command's watcher (launch/watch.c); bwrap's own init would be one more
 * process and one more fork on every start. */
static int fsl_emit_isolation(struct fsl_ctx *c)
{
    static const char *const flags[] = {
        "--die-with-parent", "--new-session", "--unshare-user", "--unshare-pid", "--as-pid-1",
        "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", NULL,
    };
    struct fsl_vec *a = &c->out->bwrap;
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && flags[i]; i++)
        r = fsl_vec_push(a, flags[i]);
    if (r == SRT_OK && c->in->disable_userns &&
        !(c->in->policy->flags & SRT_POL_ALLOW_NESTED_USERNS))
        r = fsl_vec_push(a, "--disable-userns");
    if (r == SRT_OK)
        r = fsl_push3(a, "--cap-drop", "ALL", NULL);
    return r;
}

/* After the view is complete (3.9 (6)): private /dev and /proc, read-only
 * /proc/sys (THREATS R3), then the working directory. */
static int fsl_emit_private(struct fsl_ctx *c)
{
    struct fsl_vec *a = &c->out->bwrap;
    int r = fsl_push3(a, "--dev", "/dev", NULL);
    if (r == SRT_OK)
        r = fsl_push3(a, "--proc", "/proc", NULL);
    if (r == SRT_OK)
        r = fsl_push3(a, "--ro-bind", "/proc/sys", "/proc/sys");
    if (r == SRT_OK && c->in->policy->cwd)
        r = fsl_push3(a, "--chdir", c->in->policy->cwd, NULL);
    return r;
}

static int fsl_collect(struct fsl_ctx *c)
{
    const struct srt_policy *pol = c->in->policy;
    const struct fsl_collect col = {
        .add = fsl_collect_rule, .arg = c, .drop_private = true,
        .deadline_ms = c->deadline_ms, .warnings = &c->out->warnings, .err = c->out->err,
    };
    int r = fsl_collect_list(&col, &pol->allow_write, FSL_WRITE);
    if (r == SRT_OK)
        r = fsl_collect_list(&col, &pol->default_write, FSL_WRITE);
    if (r == SRT_OK)
        r = fsl_collect_rest(&col, pol, c->in->state_dir, c->in->own);
    struct stat st;
    if (r == SRT_OK && stat("/etc/ssh/ssh_config.d", &st) == 0 && S_ISDIR(st.st_mode))
        r = fsl_rule_add(c, "/etc/ssh/ssh_config.d", FSL_DENY_READ);  /* 4.4 */
    return r == SRT_OK ? fsl_rules_settle(c) : r;
}

int fsl_plan_build(const struct fsl_plan_in *in, struct fsl_plan *out)
{
    memset(out, 0, sizeof *out);
    struct fsl_ctx c = { .in = in, .out = out };
    c.deadline_ms = fsl_now_ms() + (in->scan_budget_ms > 0 ? in->scan_budget_ms : FSL_SCAN_BUDGET_MS);
    const struct srt_policy *pol = in->policy;
    int r = fsl_emit_isolation(&c);
    if (r != SRT_OK)
        goto out_fail;
    if (pol->flags & SRT_POL_FS_DISABLED) {
        /* 3.10: the whole host filesystem is writable, nothing else applies */
        r = fsl_push3(&out->bwrap, "--bind", "/", "/");
        if (r == SRT_OK)
            r = fsl_vec_push(&out->ll_write, "/");
    } else {
        r = fsl_collect(&c);
        if (r == SRT_OK)
            r = fsl_mandatory(&c);
        if (r == SRT_OK)
            r = fsl_missing_denies(&c);
        if (r == SRT_OK)
            r = fsl_pins(&c);
        if (r == SRT_OK)
            r = fsl_emit_mounts(&c);
        if (r == SRT_OK)
            r = fsl_expect_binds(&out->bwrap, &out->expect, out->err, sizeof out->err);
    }
    if (r == SRT_OK)
        r = fsl_emit_private(&c);
out_fail:
    for (size_t i = 0; i < c.rules.n; i++)
        free(c.rules.v[i].path);
    for (size_t i = 0; i < c.pending.n; i++)
        free(c.pending.v[i].path);
    free(c.rules.v);
    free(c.pending.v);
    if (r != SRT_OK && !out->err[0])
        snprintf(out->err, sizeof out->err, "build filesystem plan: %s",
                 r == SRT_ENOMEM ? "out of memory" : "failed");
    return r;
}

void fsl_plan_free(struct fsl_plan *plan)
{
    fsl_vec_free(&plan->bwrap);
    fsl_vec_free(&plan->ll_write);
    fsl_vec_free(&plan->warnings);
    fsl_vec_free(&plan->scan_roots);
    fsl_vec_free(&plan->scanned);
    fsl_vec_free(&plan->expect);
}
