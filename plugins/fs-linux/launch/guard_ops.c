/* guard_ops.c - the create guard's half of each guarded call (guard.c).
 *
 * The command's call is stopped in the kernel; here the watcher reads its
 * path arguments once from the command's memory, checks the final name
 * against danger.h's rule, and, when the name may be made, makes it itself:
 * from the command's directory descriptors (/proc/PID/cwd, /proc/PID/fd/N),
 * under the command's umask, with the same credentials, mount namespace and
 * Landlock domain. The command's own copy of the path is never looked at
 * again, so a second thread rewriting it after the check changes nothing;
 * that is why the guard never lets the kernel continue a checked call
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE would re-read the path).
 *
 * An O_CREAT open follows a final symlink by hand, checking each name it
 * leads to, since the kernel would create the symlink's target. An open
 * made here gets O_NONBLOCK while it is made (a FIFO must not stall the
 * watcher; one that must be waited for is opened apart) and loses it again
 * unless the command asked for it, and always O_NOCTTY (the watcher must
 * never gain a controlling terminal). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../danger.h"
#include "launch_int.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* The kernel's limit on symlinks followed in one lookup. */
#define LAUNCH_GUARD_HOPS 40

/* Is the request still pending? Checked after the caller's /proc entries
 * are open and before anything is made: the PID they were opened by cannot
 * have been reused while it still waits for us. */
static int launch_gc_valid(const struct launch_guard_call *c)
{
    uint64_t id = c->id;
    return ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 ? 0 : -ECANCELED;
}

/* The caller's memory, opened on first use. A caller that made itself
 * non-dumpable cannot be read, and so cannot make names (EPERM). */
static int launch_gc_mem(struct launch_guard_call *c)
{
    if (c->mem < 0) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/mem", (int)c->pid);
        if ((c->mem = open(p, O_RDONLY | O_CLOEXEC)) < 0)
            return errno == ENOENT ? -ECANCELED : -EPERM;
    }
    return 0;
}

/* Read the NUL-terminated string at `addr` of the caller into buf. A page
 * at a time, so a string that ends just before unmapped memory reads. */
static int launch_gc_string(struct launch_guard_call *c, uint64_t addr, char *buf, size_t size)
{
    const uint64_t page = 4096;
    size_t got = 0;
    int r;

    if (addr == 0)
        return -EFAULT;
    if ((r = launch_gc_mem(c)) < 0)
        return r;
    while (got < size) {
        size_t want = (size_t)(page - ((addr + got) & (page - 1)));
        if (want > size - got)
            want = size - got;
        ssize_t n = pread(c->mem, buf + got, want, (off_t)(addr + got));
        if (n <= 0)
            return -EFAULT;
        if (memchr(buf + got, '\0', (size_t)n))
            return 0;
        got += (size_t)n;
    }
    return -ENAMETOOLONG;
}

/* The directory a relative path of the caller starts from: its working
 * directory for AT_FDCWD, else its descriptor `dirfd`. Absolute paths need
 * none (AT_FDCWD here: the kernel ignores it for them), except under
 * openat2's RESOLVE_IN_ROOT (`in_root`), where "/" is that directory. */
static int launch_gc_base(const struct launch_guard_call *c, uint64_t arg, const char *path,
                          bool in_root, int *out)
{
    int dirfd = (int)(uint32_t)arg;
    char p[64];

    *out = AT_FDCWD;
    if (path[0] == '/' && !in_root)
        return 0;
    if (dirfd == AT_FDCWD)
        snprintf(p, sizeof p, "/proc/%d/cwd", (int)c->pid);
    else if (dirfd < 0)
        return -EBADF;
    else
        snprintf(p, sizeof p, "/proc/%d/fd/%d", (int)c->pid, dirfd);
    if ((*out = open(p, O_PATH | O_CLOEXEC)) < 0)
        return errno == ENOENT && dirfd != AT_FDCWD ? -EBADF : -errno;
    return 0;
}

static void launch_gc_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* A path split at its final component: the parent open, the component as
 * the call gives it (trailing slashes kept, so the kernel still sees them),
 * the bare name, and the parent's absolute path for the rule. */
struct launch_gc_name {
    int         dfd;
    const char *name;
    char        bare[NAME_MAX + 1];
    char        dir[PATH_MAX];
};

static long launch_gc_open_how(int dfd, const char *path, const struct open_how *how, bool v2)
{
    if (v2)
        return syscall(SYS_openat2, dfd, path, how, sizeof *how);
    return openat(dfd, path, (int)how->flags, (mode_t)how->mode);
}

/* Split `path` (relative to base) and open its parent, with `resolve` (an
 * openat2 caller's RESOLVE_* flags) applied on the way. */
static int launch_gc_split(int base, const char *path, uint64_t resolve,
                           struct launch_gc_name *n)
{
    size_t end = strlen(path), start;

    n->dfd = -1;
    if (end == 0)
        return -ENOENT;
    while (end > 1 && path[end - 1] == '/')
        end--;
    for (start = end; start > 0 && path[start - 1] != '/'; start--)
        ;
    if (end - start > NAME_MAX)
        return -ENAMETOOLONG;
    if (start == end) {                     /* "/" itself */
        strcpy(n->bare, ".");
        n->name = ".";
    } else {
        memcpy(n->bare, path + start, end - start);
        n->bare[end - start] = '\0';
        n->name = path + start;
    }
    char parent[PATH_MAX];
    if (start == 0) {
        strcpy(parent, ".");
    } else {
        if (start >= sizeof parent)
            return -ENAMETOOLONG;
        memcpy(parent, path, start);
        parent[start] = '\0';
    }
    struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = resolve };
    long fd = launch_gc_open_how(base, parent, &how, resolve != 0);
    if (fd < 0)
        return -errno;
    n->dfd = (int)fd;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", n->dfd);
    ssize_t len = readlink(self, n->dir, sizeof n->dir - 1);
    /* a path that filled the buffer may be cut short: no rule is checked
     * against part of a path */
    if (len <= 0 || (size_t)len >= sizeof n->dir - 1) {
        int e = len < 0 ? errno : len == 0 ? EIO : ENAMETOOLONG;
        close(n->dfd);
        n->dfd = -1;
        return -e;
    }
    n->dir[len] = '\0';
    return 0;
}

/* What a refusal says: EROFS where the parent is a read-only mount anyway
 * (the answer the kernel would have given), EACCES elsewhere. */
static long launch_gc_refusal(const struct launch_gc_name *n)
{
    struct statvfs vfs;
    return fstatvfs(n->dfd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) ? -EROFS : -EACCES;
}

static bool launch_gc_exists(const struct launch_gc_name *n)
{
    struct stat st;
    return fstatat(n->dfd, n->bare, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Is the new name refused? Records it for the report when it is. */
static bool launch_gc_refused(struct launch_guard_call *c, const struct launch_gc_name *n,
                              unsigned how, const char *op)
{
    if (!fsl_danger_refused(n->dir, n->bare, how | c->how))
        return false;
    c->op = op;
    snprintf(c->refused, sizeof c->refused, "%s%s%s", n->dir,
             strcmp(n->dir, "/") == 0 ? "" : "/", n->bare);
    return true;
}

/* The caller's umask, which the kernel would have applied to its mode;
 * read only for a call that really makes something (it costs a /proc read). */
static int launch_gc_umask(const struct launch_guard_call *c, mode_t *mask)
{
    char p[64], buf[512];
    snprintf(p, sizeof p, "/proc/%d/status", (int)c->pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -ECANCELED;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -ECANCELED;
    buf[n] = '\0';
    const char *u = strstr(buf, "\nUmask:");
    unsigned long v;
    if (!u || sscanf(u + 7, "%lo", &v) != 1)
        return -EIO;
    *mask = (mode_t)(v & 0777);
    return 0;
}

/* Open n as h asks. An O_CREAT open without O_EXCL first tries the file as
 * it is: most such opens find it (a shell's `>` on an existing file), and
 * only a real creation needs the caller's umask. */
static long launch_gc_open_name(const struct launch_guard_call *c, const struct launch_gc_name *n,
                                const struct open_how *h, bool v2)
{
    long fd;
    mode_t mask, old;

    if ((h->flags & O_CREAT) && !(h->flags & O_EXCL)) {
        struct open_how plain = *h;
        plain.flags &= ~(uint64_t)O_CREAT;
        plain.mode = 0;
        if ((fd = launch_gc_open_how(n->dfd, n->name, &plain, v2)) >= 0 || errno != ENOENT)
            return fd >= 0 ? fd : -errno;
    }
    if (!(h->flags & O_CREAT))
        return (fd = launch_gc_open_how(n->dfd, n->name, h, v2)) >= 0 ? fd : -errno;
    int r = launch_gc_umask(c, &mask);
    if (r < 0)
        return r;
    old = umask(mask);
    fd = launch_gc_open_how(n->dfd, n->name, h, v2);
    r = fd >= 0 ? 0 : -errno;
    umask(old);
    return fd >= 0 ? fd : r;
}

/* open, creat, openat, openat2 with O_CREAT; openat2 without it too. */
static long launch_gc_open(struct launch_guard_call *c, int base, const char *path0,
                           struct open_how how, bool v2)
{
    const uint64_t asked = how.flags;
    char path[PATH_MAX];
    int owned = -1;
    long r = -ELOOP;

    snprintf(path, sizeof path, "%s", path0);
    for (int hop = 0; hop <= LAUNCH_GUARD_HOPS; hop++) {
        struct launch_gc_name n;
        struct open_how h = how;
        if ((r = launch_gc_split(base, path, how.resolve, &n)) < 0)
            break;
        if ((h.flags & O_CREAT) && launch_gc_refused(c, &n, 0, "create")) {
            bool exists = launch_gc_exists(&n);
            if (!exists || (h.flags & O_EXCL)) {
                r = exists ? -EEXIST : launch_gc_refusal(&n);
                if (exists)
                    c->op = NULL;
                launch_gc_close(n.dfd);
                break;
            }
            /* it exists (protected or not, the mounts decide): open it,
             * but never make it */
            c->op = NULL;
            h.flags &= ~(uint64_t)O_CREAT;
            h.mode = 0;
        } else if (h.flags & O_CREAT) {
            h.flags |= O_NOFOLLOW;   /* a final symlink is followed below */
        }
        h.flags |= O_NOCTTY | O_NONBLOCK;
        if ((r = launch_gc_valid(c)) == 0)
            r = launch_gc_open_name(c, &n, &h, v2);
        if (r == -ENXIO && !(asked & O_NONBLOCK) && (h.flags & O_ACCMODE) == O_WRONLY) {
            /* A FIFO no reader has opened yet: the kernel would wait for
             * one. The name exists, so the wait is a plain open, made
             * apart (guard.c) so that the watcher goes on answering. */
            c->wait_dfd = n.dfd;
            snprintf(c->wait_name, sizeof c->wait_name, "%s", n.name);
            c->wait_flags = (int)(h.flags & ~(uint64_t)(O_CREAT | O_NONBLOCK));
            c->cloexec = asked & O_CLOEXEC;
            r = LAUNCH_GUARD_WAIT;
            break;
        }
        /* Only a final symlink of an O_CREAT open is followed by hand: not
         * when the caller said O_NOFOLLOW, nor under RESOLVE_* rules, whose
         * meaning a walk here would not keep. */
        if (r != -ELOOP || !(h.flags & O_CREAT) || (asked & O_NOFOLLOW) || how.resolve) {
            launch_gc_close(n.dfd);
            break;
        }
        /* The name is a symlink: go on from where it points. */
        char link[PATH_MAX];
        ssize_t len = readlinkat(n.dfd, n.bare, link, sizeof link - 1);
        if (len < 0) {              /* the loop was in the directories */
            launch_gc_close(n.dfd);
            break;
        }
        link[len] = '\0';
        memcpy(path, link, (size_t)len + 1);
        launch_gc_close(owned);
        owned = base = n.dfd;
        r = -ELOOP;
    }
    launch_gc_close(owned);
    if (r >= 0 && !(asked & O_NONBLOCK)) {
        int fl = fcntl((int)r, F_GETFL);
        if (fl >= 0)
            fcntl((int)r, F_SETFL, fl & ~O_NONBLOCK);
    }
    if (r >= 0) {
        c->fd = (int)r;
        c->cloexec = asked & O_CLOEXEC;
    }
    return r;
}

/* openat2's struct open_how from the caller, checked as the kernel would. */
static int launch_gc_how(struct launch_guard_call *c, uint64_t addr, uint64_t size,
                         struct open_how *how)
{
    unsigned char extra[256];

    if (size < sizeof *how)
        return -EINVAL;
    if (size > sizeof *how + sizeof extra)
        return -E2BIG;
    int r = launch_gc_mem(c);
    if (r < 0)
        return r;
    if (pread(c->mem, how, sizeof *how, (off_t)addr) != (ssize_t)sizeof *how)
        return -EFAULT;
    size_t more = (size_t)size - sizeof *how;
    if (more) {
        if (pread(c->mem, extra, more, (off_t)(addr + sizeof *how)) != (ssize_t)more)
            return -EFAULT;
        for (size_t i = 0; i < more; i++)
            if (extra[i])
                return -E2BIG;
    }
    return 0;
}

/* mkdir, mknod and symlink: one new name, made by `make`. */
enum launch_gc_make { LAUNCH_GC_MKDIR, LAUNCH_GC_MKNOD, LAUNCH_GC_SYMLINK };

static long launch_gc_make(struct launch_guard_call *c, enum launch_gc_make kind, int base,
                           const char *path, mode_t mode, dev_t dev, const char *target)
{
    static const char *const op[] = { "mkdir", "mknod", "symlink" };
    static const unsigned how[] = { FSL_MAKE_DIR, 0, FSL_MAKE_SYMLINK };
    struct launch_gc_name n;
    mode_t mask;
    long r = launch_gc_split(base, path, 0, &n);

    if (r < 0)
        return r;
    if (launch_gc_refused(c, &n, how[kind], op[kind])) {
        r = launch_gc_refusal(&n);
        if (launch_gc_exists(&n)) {     /* nothing would be made: say so, as the kernel would */
            r = -EEXIST;
            c->op = NULL;
        }
    } else if ((r = launch_gc_valid(c)) == 0 && kind == LAUNCH_GC_SYMLINK) {
        r = symlinkat(target, n.dfd, n.name) == 0 ? 0 : -errno;
    } else if (r == 0 && (r = launch_gc_umask(c, &mask)) == 0) {
        mode_t old = umask(mask);
        if (kind == LAUNCH_GC_MKDIR)
            r = mkdirat(n.dfd, n.name, mode);
        else
            r = mknodat(n.dfd, n.name, mode, dev);
        r = r == 0 ? 0 : -errno;
        umask(old);
    }
    close(n.dfd);
    return r;
}

/* How the existing name `path` (from base) arrives under a new one:
 * always with its contents, as a whole tree when it is a directory, as a
 * symlink when it is one. */
static unsigned launch_gc_moved(int base, const char *path)
{
    struct stat st;

    if (fstatat(base, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return FSL_MAKE_MOVED;
    if (S_ISDIR(st.st_mode))
        return FSL_MAKE_MOVED | FSL_MAKE_DIR;
    return S_ISLNK(st.st_mode) ? FSL_MAKE_MOVED | FSL_MAKE_SYMLINK : FSL_MAKE_MOVED;
}

/* link and rename: a name that arrives with contents. */
static long launch_gc_move(struct launch_guard_call *c, bool is_link, int obase,
                           const char *opath, int nbase, const char *npath, unsigned flags)
{
    struct launch_gc_name n, o = { .dfd = -1 };
    const char *op = is_link ? "link" : "rename";
    long r = launch_gc_split(nbase, npath, 0, &n);

    if (r < 0)
        return r;
    if (!is_link && (flags & RENAME_EXCHANGE) && (r = launch_gc_split(obase, opath, 0, &o)) < 0)
        goto out;
    /* an exchange moves each name's object to the other name; a hard
     * link of a symlink is a symlink (directories cannot be linked) */
    if (launch_gc_refused(c, &n, launch_gc_moved(obase, opath), op) ||
        (o.dfd >= 0 && launch_gc_refused(c, &o, launch_gc_moved(n.dfd, n.bare), op))) {
        r = launch_gc_refusal(&n);
        goto out;
    }
    if ((r = launch_gc_valid(c)) < 0)
        goto out;
    if (is_link && (flags & AT_EMPTY_PATH) && opath[0] == '\0') {
        /* the caller's descriptor itself, as its /proc link (O_TMPFILE) */
        char fdp[64];
        snprintf(fdp, sizeof fdp, "/proc/%d/fd/%d", (int)c->pid, (int)(uint32_t)c->args[0]);
        r = linkat(AT_FDCWD, fdp, n.dfd, n.name, AT_SYMLINK_FOLLOW);
    } else if (is_link) {
        r = linkat(obase, opath, n.dfd, n.name, (int)(flags & AT_SYMLINK_FOLLOW));
    } else {
        r = syscall(SYS_renameat2, obase, opath, n.dfd, n.name, flags);
    }
    if (r < 0)
        r = -errno;
out:
    launch_gc_close(o.dfd);
    close(n.dfd);
    return r;
}

/* Which argument holds what, per guarded call. */
struct launch_gc_args {
    int  dir, path;        /* dirfd (-1: AT_FDCWD) and path of the new name */
    int  odir, opath;      /* link/rename: the existing name */
    int  flags, mode, dev; /* -1: none */
    int  target;           /* symlink: its contents */
    enum { GC_OPEN, GC_OPEN2, GC_MKDIR, GC_MKNOD, GC_SYMLINK, GC_LINK, GC_RENAME } kind;
    int  fixed_flags;      /* creat: its implied open flags */
};

static bool launch_gc_lookup(int nr, struct launch_gc_args *a)
{
    const struct launch_gc_args none = { -1, -1, -1, -1, -1, -1, -1, -1, GC_OPEN, 0 };
    *a = none;
    switch (nr) {
#ifdef __NR_creat
    case __NR_open:      a->path = 0; a->flags = 1; a->mode = 2; return true;
    case __NR_creat:     a->path = 0; a->mode = 1;
                         a->fixed_flags = O_CREAT | O_WRONLY | O_TRUNC; return true;
    case __NR_mkdir:     a->kind = GC_MKDIR; a->path = 0; a->mode = 1; return true;
    case __NR_mknod:     a->kind = GC_MKNOD; a->path = 0; a->mode = 1; a->dev = 2; return true;
    case __NR_symlink:   a->kind = GC_SYMLINK; a->target = 0; a->path = 1; return true;
    case __NR_link:      a->kind = GC_LINK; a->opath = 0; a->path = 1; return true;
    case __NR_rename:    a->kind = GC_RENAME; a->opath = 0; a->path = 1; return true;
#endif
    case __NR_openat:    a->dir = 0; a->path = 1; a->flags = 2; a->mode = 3; return true;
    case __NR_openat2:   a->kind = GC_OPEN2; a->dir = 0; a->path = 1; return true;
    case __NR_mkdirat:   a->kind = GC_MKDIR; a->dir = 0; a->path = 1; a->mode = 2; return true;
    case __NR_mknodat:   a->kind = GC_MKNOD; a->dir = 0; a->path = 1; a->mode = 2; a->dev = 3;
                         return true;
    case __NR_symlinkat: a->kind = GC_SYMLINK; a->target = 0; a->dir = 1; a->path = 2;
                         return true;
    case __NR_linkat:    a->kind = GC_LINK; a->odir = 0; a->opath = 1; a->dir = 2; a->path = 3;
                         a->flags = 4; return true;
    case __NR_renameat:  a->kind = GC_RENAME; a->odir = 0; a->opath = 1; a->dir = 2;
                         a->path = 3; return true;
    case __NR_renameat2: a->kind = GC_RENAME; a->odir = 0; a->opath = 1; a->dir = 2;
                         a->path = 3; a->flags = 4; return true;
    default:
        return false;
    }
}

static uint64_t launch_gc_arg(const struct launch_guard_call *c, int i)
{
    return i < 0 ? (uint64_t)(uint32_t)AT_FDCWD : c->args[i];
}

long launch_guard_call_run(struct launch_guard_call *c)
{
    struct launch_gc_args a;
    struct open_how how2 = { 0 };
    char path[PATH_MAX], opath[PATH_MAX], target[PATH_MAX];
    int base = -1, obase = -1;
    long r;

    c->fd = c->wait_dfd = -1;
    c->op = NULL;
    if (!launch_gc_lookup(c->nr, &a))
        return -ENOSYS;
    /* openat2's struct first, as the kernel reads it: its resolve flags
     * say where an absolute path starts */
    if (a.kind == GC_OPEN2 && (r = launch_gc_how(c, c->args[2], c->args[3], &how2)) < 0)
        goto out;
    if ((r = launch_gc_string(c, c->args[a.path], path, sizeof path)) < 0 ||
        (r = launch_gc_base(c, launch_gc_arg(c, a.dir), path,
                            (how2.resolve & RESOLVE_IN_ROOT) != 0, &base)) < 0)
        goto out;
    if (a.opath >= 0 &&
        ((r = launch_gc_string(c, c->args[a.opath], opath, sizeof opath)) < 0 ||
         (r = launch_gc_base(c, launch_gc_arg(c, a.odir), opath, false, &obase)) < 0))
        goto out;
    if (a.target >= 0 && (r = launch_gc_string(c, c->args[a.target], target, sizeof target)) < 0)
        goto out;
    switch (a.kind) {
    case GC_OPEN: {
        struct open_how how = {
            .flags = a.fixed_flags ? (uint64_t)a.fixed_flags : (uint32_t)c->args[a.flags],
            .mode = (uint32_t)c->args[a.mode] & 07777,
        };
        r = launch_gc_open(c, base, path, how, false);
        break;
    }
    case GC_OPEN2:
        r = launch_gc_open(c, base, path, how2, true);
        break;
    case GC_MKDIR:
        r = launch_gc_make(c, LAUNCH_GC_MKDIR, base, path, (mode_t)c->args[a.mode], 0, NULL);
        break;
    case GC_MKNOD:
        r = launch_gc_make(c, LAUNCH_GC_MKNOD, base, path, (mode_t)c->args[a.mode],
                           (dev_t)c->args[a.dev], NULL);
        break;
    case GC_SYMLINK:
        r = launch_gc_make(c, LAUNCH_GC_SYMLINK, base, path, 0, 0, target);
        break;
    case GC_LINK:
    case GC_RENAME:
        r = launch_gc_move(c, a.kind == GC_LINK, obase, opath, base, path,
                           a.flags >= 0 ? (unsigned)c->args[a.flags] : 0);
        break;
    }
out:
    launch_gc_close(base);
    launch_gc_close(obase);
    return r;
}
