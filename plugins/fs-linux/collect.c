/* collect.c - a policy's path lists as both plans read them (plan.c for
 * bwrap, weak.c for the weaker nested mode; REFERENCE.md 3.5-3.7): globs
 * expanded, every path resolved, write roots checked against symlinks that
 * lead out of their directory. Each resulting path goes to the caller's sink
 * with its kind; what a plan makes of it is the plan's business. Host-free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsl_int.h"

bool fsl_path_is_private_tree(const char *path)
{
    return fsl_path_is_under(path, "/dev") || fsl_path_is_under(path, "/proc") ||
           fsl_path_is_under(path, "/sys");
}

/* Symlinked write roots must resolve below the link's own directory (3.7):
 * a link to "/", an ancestor or an unrelated tree would widen the policy.
 * The check is made on what realpath resolved, not on an earlier lstat: a
 * directory swapped for a symlink between the two (THREATS F2) would pass
 * an lstat and still resolve elsewhere. A plain entry resolves to a child of
 * its resolved parent, so the same test holds for both. */
int fsl_collect_write_root(const struct fsl_collect *c, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return SRT_OK;  /* missing write roots are skipped (3.5) */
    char *real = realpath(path, NULL);
    if (!real)
        return fsl_vec_pushf(c->warnings, "write root %s cannot be resolved; skipped", path);
    char *parent = fsl_path_parent(path);
    char *rparent = parent ? realpath(parent, NULL) : NULL;
    bool ok = !parent || (rparent && fsl_path_is_under(real, rparent) && strcmp(real, rparent) != 0);
    free(parent);
    free(rparent);
    int r = SRT_OK;
    if (!ok)
        r = fsl_vec_pushf(c->warnings, "write root %s is a symlink to %s outside its directory; "
                          "skipped", path, real);
    else if (!fsl_path_is_private_tree(real))
        r = c->add(c->arg, real, FSL_WRITE);
    free(real);
    return r;
}

/* A glob entry's matches into *paths. A pattern that cannot match is a
 * warning; a deny list cut short by the walk limits is an error, since a
 * partial deny list would silently leave paths open. */
static int fsl_collect_glob(const struct fsl_collect *c, const char *pattern, bool deny,
                            struct fsl_vec *paths)
{
    struct fsl_glob_limits lim = { .max_depth = 64, .max_entries = 200000,
                                   .deadline_ms = c->deadline_ms };
    bool truncated = false;
    char err[FSL_ERRMAX] = "";
    int r = fsl_glob_expand(pattern, &lim, deny, paths, &truncated, err, sizeof err);
    if (r == SRT_EINVAL)
        return fsl_vec_pushf(c->warnings, "%s", err);   /* nothing was appended */
    if (r != SRT_OK || !truncated)
        return r;
    if (deny) {
        snprintf(c->err, FSL_ERRMAX,
                 "expand deny glob %s: walk limit reached, refusing a partial deny list", pattern);
        return SRT_ERANGE;
    }
    return fsl_vec_pushf(c->warnings, "glob %s: walk limit reached, matches incomplete", pattern);
}

int fsl_collect_entry(const struct fsl_collect *c, const struct srt_path_entry *e, unsigned kind)
{
    bool deny = kind & (FSL_DENY_READ | FSL_DENY_WRITE);
    struct fsl_vec paths = {0};
    int r;
    if ((e->flags & SRT_PATH_GLOB) && !(e->flags & SRT_PATH_LITERAL))
        r = fsl_collect_glob(c, e->path, deny, &paths);
    else
        r = fsl_vec_push(&paths, e->path);
    for (size_t i = 0; r == SRT_OK && i < paths.n; i++) {
        if (kind == FSL_WRITE) {
            r = fsl_collect_write_root(c, paths.v[i]);
            continue;
        }
        char *real;
        r = fsl_path_resolve(paths.v[i], &real);
        if (r == SRT_EINVAL) {
            snprintf(c->err, FSL_ERRMAX,
                     "resolve %s: symlink cycle, refusing to drop the rule", paths.v[i]);
            break;
        }
        if (r == SRT_ENOMEM)
            break;
        /* unresolvable: apply at the spelling, which hides at least that */
        if (r != SRT_OK && !(real = strdup(paths.v[i]))) {
            r = SRT_ENOMEM;
            break;
        }
        /* A dropped private-tree path leaves r as it is: SRT_EIO for an
         * unresolvable spelling, which fails the plan. */
        if (!c->drop_private || !fsl_path_is_private_tree(real))
            r = c->add(c->arg, real, kind);
        free(real);
    }
    fsl_vec_free(&paths);
    return r;
}

int fsl_collect_list(const struct fsl_collect *c, const struct srt_path_list *list, unsigned kind)
{
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && i < list->n; i++)
        r = fsl_collect_entry(c, &list->v[i], kind);
    return r;
}

int fsl_collect_rest(const struct fsl_collect *c, const struct srt_policy *pol,
                     const char *state_dir, const char *const *own)
{
    int r = SRT_OK;
    /* The core made the temp directory private before prepare (one owner
     * for every backend); here it is only a write root. */
    if (pol->tmpdir)
        r = fsl_collect_write_root(c, pol->tmpdir);
    if (r == SRT_OK)
        r = fsl_collect_list(c, &pol->deny_read, FSL_DENY_READ);
    if (r == SRT_OK)
        r = fsl_collect_list(c, &pol->allow_read, FSL_ALLOW_READ);
    if (r == SRT_OK)
        r = fsl_collect_list(c, &pol->deny_write, FSL_DENY_WRITE);
    if (r == SRT_OK && state_dir) {
        /* the ledger steers deletions: the sandbox must not edit it */
        struct srt_path_entry e = { .path = state_dir };
        r = fsl_collect_entry(c, &e, FSL_DENY_WRITE);
    }
    /* srt's programs and plugins run outside the sandbox next time: one the
     * sandbox could rewrite would be an escape (THREATS.md F13) */
    for (size_t i = 0; r == SRT_OK && own && own[i]; i++) {
        struct srt_path_entry e = { .path = own[i] };
        r = fsl_collect_entry(c, &e, FSL_DENY_WRITE);
    }
    return r;
}
