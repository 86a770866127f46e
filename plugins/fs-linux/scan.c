/* scan.c - the mandatory-deny walk (REFERENCE.md 3.4, beyond: every write
 * root, not only the working directory).
 *
 * A bounded openat/fdopendir walk that never follows symlinks. It reports
 * what already exists and must be re-bound read-only, every directory it
 * visited (where the planner puts placeholders for names still missing) and
 * every repository it recognised. The names are danger.h's, matched
 * case-insensitively. Host-free. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsl_int.h"

static bool fsl_entry_is_dir(int dfd, const struct dirent *e)
{
    if (e->d_type != DT_UNKNOWN)
        return e->d_type == DT_DIR;
    struct stat st;
    return fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int fsl_protect_path(struct fsl_scan *sc, const char *path)
{
    return fsl_vec_has(&sc->protect, path) ? SRT_OK : fsl_vec_push(&sc->protect, path);
}

static int fsl_protect(struct fsl_scan *sc, const char *dir, const char *name)
{
    char *p = fsl_path_join(dir, name);
    if (!p)
        return SRT_ENOMEM;
    int r = fsl_protect_path(sc, p);
    free(p);
    return r;
}

/* `path` is a directory named like the first component of a two-level
 * dangerous directory (".claude"): protect its dangerous children. */
static int fsl_scan_danger_children(int pfd, const char *name, const char *path,
                                    struct fsl_scan *sc)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? SRT_OK : fsl_protect_path(sc, path);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return SRT_ENOMEM;
    }
    int r = SRT_OK;
    struct dirent *e;
    while (r == SRT_OK && (e = readdir(d)) != NULL)
        if (fsl_danger_is_child(name, e->d_name))
            r = fsl_protect(sc, path, e->d_name);
    closedir(d);
    return r;
}

/* `.git` found in `dir`: a repository (HEAD inside), a worktree or
 * submodule pointer file, or neither. */
static int fsl_scan_git(int dfd, const char *dir, const char *name, uint32_t flags,
                        struct fsl_scan *sc)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return SRT_OK;
    if (!S_ISDIR(st.st_mode))
        return fsl_protect(sc, dir, name);
    int gfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (gfd < 0)
        return fsl_protect(sc, dir, name);
    int r = SRT_OK;
    char *git = fsl_path_join(dir, name);
    if (!git) {
        r = SRT_ENOMEM;
        goto out_close;
    }
    if (faccessat(gfd, "HEAD", F_OK, AT_SYMLINK_NOFOLLOW) != 0)
        goto out_free;
    if ((r = fsl_vec_push(&sc->repos, git)) != SRT_OK)
        goto out_free;
    if (fstatat(gfd, "hooks", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        (r = fsl_protect(sc, git, "hooks")) != SRT_OK)
        goto out_free;
    if ((flags & FSL_SCAN_GIT_CONFIG) && fstatat(gfd, "config", &st, AT_SYMLINK_NOFOLLOW) == 0)
        r = fsl_protect(sc, git, "config");
out_free:
    free(git);
out_close:
    close(gfd);
    return r;
}

struct fsl_scan_walk {
    int      depth;
    uint32_t flags;
    int64_t  deadline_ms;
    struct fsl_scan *sc;
    uid_t    uid;           /* the caller's effective identity */
    gid_t    gid;
    gid_t   *groups;        /* supplementary groups, ngroups of them */
    int      ngroups;
};

/* Can the sandbox enter the directory open at fd? It runs with the caller's
 * uid and groups but no capabilities, so only the mode bits count, while the
 * walk may run as root, which reads directories of other users that neither
 * the command nor bwrap (mounting below them) can enter. */
static bool fsl_scan_can_search(const struct fsl_scan_walk *w, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    if (st.st_uid == w->uid)
        return st.st_mode & S_IXUSR;
    bool member = st.st_gid == w->gid;
    for (int i = 0; !member && i < w->ngroups; i++)
        member = st.st_gid == w->groups[i];
    return st.st_mode & (member ? S_IXGRP : S_IXOTH);
}

/* Visit the directory `path` open at dfd (consumed), `level` below the root. */
static int fsl_scan_dir(struct fsl_scan_walk *w, int dfd, const char *path, int level)
{
    struct fsl_scan *sc = w->sc;
    if (w->deadline_ms && fsl_now_ms() > w->deadline_ms) {
        sc->truncated = true;
        close(dfd);
        return SRT_OK;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return SRT_ENOMEM;
    }
    int r = fsl_vec_push(&sc->dirs, path);
    struct dirent *e;
    while (r == SRT_OK && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        if (strcasecmp(name, "node_modules") == 0)
            continue;
        if (fsl_danger_name_in(name, fsl_danger_files) || fsl_danger_name_in(name, fsl_danger_dirs)) {
            r = fsl_protect(sc, path, name);
            continue;
        }
        if (strcasecmp(name, ".git") == 0) {
            r = fsl_scan_git(dirfd(d), path, name, w->flags, sc);
            continue;
        }
        if (!fsl_entry_is_dir(dirfd(d), e))
            continue;
        if (fsl_danger_is_parent(name)) {
            /* only its named children are dangerous; it is not walked */
            char *sub = fsl_path_join(path, name);
            if (!sub) {
                r = SRT_ENOMEM;
                break;
            }
            r = fsl_scan_danger_children(dirfd(d), name, sub, sc);
            free(sub);
            continue;
        }
        if (level >= w->depth)
            continue;
        char *sub = fsl_path_join(path, name);
        if (!sub) {
            r = SRT_ENOMEM;
            break;
        }
        int sfd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0) {
            r = errno == ENOENT ? SRT_OK : fsl_protect(sc, path, name);  /* unreadable: whole */
        } else if (!fsl_scan_can_search(w, sfd)) {
            close(sfd);
            r = fsl_protect(sc, path, name);    /* closed to the sandbox: whole */
        } else {
            r = fsl_scan_dir(w, sfd, sub, level + 1);
        }
        free(sub);
    }
    closedir(d);
    return r;
}

int fsl_scan_tree(const char *root, int depth, uint32_t flags, int64_t deadline_ms,
                  struct fsl_scan *sc)
{
    struct fsl_scan_walk w = {
        .depth = depth, .flags = flags, .deadline_ms = deadline_ms, .sc = sc,
        .uid = geteuid(), .gid = getegid(),
    };
    if (fsl_vec_has(&sc->dirs, root))
        return SRT_OK;
    int n = getgroups(0, NULL);
    if (n > 0) {
        if (!(w.groups = calloc((size_t)n, sizeof *w.groups)))
            return SRT_ENOMEM;
        w.ngroups = getgroups(n, w.groups);
        if (w.ngroups < 0)
            w.ngroups = 0;
    }
    int r;
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        r = errno == ENOENT || errno == ENOTDIR ? SRT_OK : fsl_protect_path(sc, root);
    else
        r = fsl_scan_dir(&w, fd, root, 0);
    free(w.groups);
    return r;
}

uint32_t fsl_scan_flags(const struct srt_policy *pol)
{
    return (pol->flags & SRT_POL_ALLOW_GIT_CONFIG) ? 0 : FSL_SCAN_GIT_CONFIG;
}

int fsl_scan_policy(const struct srt_policy *pol, const struct fsl_vec *write_roots,
                    fsl_scan_here_fn here, void *arg, int64_t deadline_ms,
                    struct fsl_scan *sc, struct fsl_vec *warnings)
{
    int depth = pol->mandatory_deny_depth > 0 ? pol->mandatory_deny_depth : 3;
    struct fsl_vec roots = {0};
    int r = SRT_OK;
    char *cwd = pol->cwd ? realpath(pol->cwd, NULL) : NULL;
    if (cwd)
        r = fsl_vec_take(&roots, cwd);
    for (size_t i = 0; r == SRT_OK && i < write_roots->n; i++)
        if (!fsl_vec_has(&roots, write_roots->v[i]))
            r = fsl_vec_push(&roots, write_roots->v[i]);
    for (size_t i = 0; r == SRT_OK && i < roots.n; i++)
        if (here(arg, roots.v[i]))
            r = fsl_scan_tree(roots.v[i], depth, fsl_scan_flags(pol), deadline_ms, sc);
    if (r == SRT_OK && sc->truncated)
        r = fsl_vec_pushf(warnings, "mandatory-deny scan ran out of time; partial results used");
    fsl_vec_free(&roots);
    return r;
}

void fsl_scan_free(struct fsl_scan *sc)
{
    fsl_vec_free(&sc->protect);
    fsl_vec_free(&sc->dirs);
    fsl_vec_free(&sc->repos);
    sc->truncated = false;
}
