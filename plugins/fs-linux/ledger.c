/* ledger.c - placeholders on the host and the ledger that gets them removed
 * (REFERENCE.md 3.5, beyond: swept at the next start after a crash).
 *
 * A placeholder is an empty file or directory created where a protected
 * name does not exist yet, so a read-only bind can sit on it. Each one is
 * recorded as a line in <state dir>/ledger:
 *
 *     <pid> <start-time> <session> <dev> <ino> <f|d> <path>
 *
 * pid and start time identify the srt process (a reused pid has another
 * start time). Any number of sessions may refer to one placeholder; the last
 * one to let go deletes it, and only when it is still empty and still the
 * same inode. All ledger reads and writes hold flock(LOCK_EX). Host-free. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsl_int.h"

struct fsl_ledger {
    int      fd;            /* the ledger file */
    char    *session;
    pid_t    pid;
    uint64_t start;
    struct fsl_vec mine;    /* paths this session refers to */
};

struct fsl_entry {
    pid_t    pid;
    uint64_t start;
    char     session[64];
    dev_t    dev;
    ino_t    ino;
    char     type;          /* 'f' or 'd' */
    char    *path;          /* points into the read buffer */
};

/* Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22),
 * or 0 when the process does not exist. */
static uint64_t fsl_proc_start(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    /* after ")": state is field 3, starttime field 22 */
    for (int field = 2; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static bool fsl_entry_alive(const struct fsl_entry *e)
{
    return e->start != 0 && fsl_proc_start(e->pid) == e->start;
}

/* Read every entry; *buf owns the path strings. */
static int fsl_ledger_read(struct fsl_ledger *lg, char **buf, struct fsl_entry **ents, size_t *n)
{
    *buf = NULL;
    *ents = NULL;
    *n = 0;
    struct stat st;
    if (fstat(lg->fd, &st) != 0)
        return SRT_EIO;
    char *b = malloc((size_t)st.st_size + 1);
    if (!b)
        return SRT_ENOMEM;
    ssize_t got = pread(lg->fd, b, (size_t)st.st_size, 0);
    if (got < 0) {
        free(b);
        return SRT_EIO;
    }
    b[got] = '\0';
    size_t lines = 0;
    for (char *p = b; *p; p++)
        lines += *p == '\n';
    struct fsl_entry *e = calloc(lines + 1, sizeof *e);
    if (!e) {
        free(b);
        return SRT_ENOMEM;
    }
    size_t k = 0;
    for (char *save = NULL, *line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int pid, off = 0;
        unsigned long long dev, ino;
        char type;
        if (sscanf(line, "%d %" SCNu64 " %63s %llu %llu %c %n", &pid, &e[k].start, e[k].session,
                   &dev, &ino, &type, &off) != 6 || off == 0 || line[off] != '/')
            continue;   /* a torn line: ignore rather than act on it */
        e[k].pid = pid;
        e[k].dev = (dev_t)dev;
        e[k].ino = (ino_t)ino;
        e[k].type = type;
        e[k].path = line + off;
        k++;
    }
    *buf = b;
    *ents = e;
    *n = k;
    return SRT_OK;
}

static int fsl_ledger_append(struct fsl_ledger *lg, pid_t pid, uint64_t start, const char *session,
                             const struct stat *st, const char *path)
{
    char *line;
    int len = asprintf(&line, "%d %" PRIu64 " %s %llu %llu %c %s\n", (int)pid, start, session,
                       (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
                       S_ISDIR(st->st_mode) ? 'd' : 'f', path);
    if (len < 0)
        return SRT_ENOMEM;
    off_t end = lseek(lg->fd, 0, SEEK_END);
    ssize_t w = end < 0 ? -1 : pwrite(lg->fd, line, (size_t)len, end);
    free(line);
    return w == len ? SRT_OK : SRT_EIO;
}

/* Replace the ledger with the entries for which keep[i] is set. */
static int fsl_ledger_rewrite(struct fsl_ledger *lg, const struct fsl_entry *e, const bool *keep,
                              size_t n)
{
    if (ftruncate(lg->fd, 0) != 0)
        return SRT_EIO;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        struct stat st = { .st_dev = e[i].dev, .st_ino = e[i].ino,
                           .st_mode = e[i].type == 'd' ? S_IFDIR : S_IFREG };
        int r = fsl_ledger_append(lg, e[i].pid, e[i].start, e[i].session, &st, e[i].path);
        if (r != SRT_OK)
            return r;
    }
    return SRT_OK;
}

/* Delete the placeholder of `e` if it is still the same empty inode. */
static bool fsl_placeholder_remove(const struct fsl_entry *e)
{
    char *parent = fsl_path_parent(e->path);
    const char *base = strrchr(e->path, '/');
    if (!parent || !base || !base[1]) {
        free(parent);
        return false;
    }
    base++;
    bool done = false;
    int pfd = fsl_open_dir_nofollow(parent);
    free(parent);
    if (pfd < 0)
        return false;
    struct stat st;
    if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == e->dev &&
        st.st_ino == e->ino) {
        if (e->type == 'd' && S_ISDIR(st.st_mode))
            done = unlinkat(pfd, base, AT_REMOVEDIR) == 0;   /* fails when not empty */
        else if (e->type == 'f' && S_ISREG(st.st_mode) && st.st_size == 0)
            done = unlinkat(pfd, base, 0) == 0;
    }
    close(pfd);
    return done;
}

static bool fsl_same_inode(const struct fsl_entry *a, const struct fsl_entry *b)
{
    return a->dev == b->dev && a->ino == b->ino && strcmp(a->path, b->path) == 0;
}

/* Drop the entries selected by `drop` and delete their placeholders unless
 * a remaining live entry still refers to them. */
static int fsl_ledger_drop(struct fsl_ledger *lg, struct fsl_entry *e, size_t n, bool *keep,
                           const bool *live, size_t *removed)
{
    int r = fsl_ledger_rewrite(lg, e, keep, n);
    /* Newest first: a placeholder made inside another one goes before it. */
    for (size_t i = n; i-- > 0;) {
        if (keep[i])
            continue;
        bool used = false;
        for (size_t j = 0; j < n && !used; j++)
            used = keep[j] && live[j] && fsl_same_inode(&e[i], &e[j]);
        if (!used && fsl_placeholder_remove(&e[i]) && removed)
            (*removed)++;
    }
    return r;
}

int fsl_ledger_open(const char *dir, const char *session, struct fsl_ledger **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (!session || strlen(session) >= 64 || strpbrk(session, " \n")) {
        snprintf(err, errlen, "open ledger: bad session id");
        return SRT_EINVAL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "create state directory %s: %s", dir, strerror(errno));
        return SRT_EIO;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077)) {
        snprintf(err, errlen, "refuse state directory %s: not a private directory owned by uid %u",
                 dir, (unsigned)geteuid());
        return SRT_EPERM;
    }
    int dfd = fsl_open_dir_nofollow(dir);
    if (dfd < 0) {
        snprintf(err, errlen, "open state directory %s: %s", dir, strerror(errno));
        return SRT_EIO;
    }
    int fd = openat(dfd, "ledger", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    close(dfd);
    if (fd < 0) {
        snprintf(err, errlen, "open ledger in %s: %s", dir, strerror(errno));
        return SRT_EIO;
    }
    struct fsl_ledger *lg = calloc(1, sizeof *lg);
    if (!lg || !(lg->session = strdup(session))) {
        free(lg);
        close(fd);
        return SRT_ENOMEM;
    }
    lg->fd = fd;
    lg->pid = getpid();
    lg->start = fsl_proc_start(lg->pid);
    *out = lg;
    return SRT_OK;
}

int fsl_ledger_sweep(struct fsl_ledger *lg, size_t *removed, char *err, size_t errlen)
{
    char *buf;
    struct fsl_entry *e;
    size_t n;
    *removed = 0;
    flock(lg->fd, LOCK_EX);
    int r = fsl_ledger_read(lg, &buf, &e, &n);
    if (r != SRT_OK) {
        flock(lg->fd, LOCK_UN);
        snprintf(err, errlen, "read ledger: %s", strerror(errno));
        return r;
    }
    bool *keep = calloc(n + 1, sizeof *keep);
    bool *live = calloc(n + 1, sizeof *live);
    if (!keep || !live) {
        r = SRT_ENOMEM;
        goto out_free;
    }
    bool any_dead = false;
    for (size_t i = 0; i < n; i++) {
        keep[i] = live[i] = fsl_entry_alive(&e[i]);
        any_dead |= !live[i];
    }
    if (any_dead && (r = fsl_ledger_drop(lg, e, n, keep, live, removed)) != SRT_OK)
        snprintf(err, errlen, "rewrite ledger: %s", strerror(errno));
out_free:
    flock(lg->fd, LOCK_UN);
    free(keep);
    free(live);
    free(e);
    free(buf);
    return r;
}

int fsl_ledger_create(struct fsl_ledger *lg, const char *path, bool is_dir,
                      char *err, size_t errlen)
{
    if (strchr(path, '\n')) {
        snprintf(err, errlen, "create placeholder: newline in path");
        return SRT_EINVAL;
    }
    char *parent = fsl_path_parent(path);
    const char *base = strrchr(path, '/');
    if (!parent)
        return SRT_ENOMEM;
    int pfd = fsl_open_dir_nofollow(parent);
    free(parent);
    if (pfd < 0) {
        snprintf(err, errlen, "create placeholder %s: %s", path, strerror(errno));
        return SRT_EIO;
    }
    base++;
    int r = SRT_OK;
    struct stat st;
    flock(lg->fd, LOCK_EX);
    if (is_dir) {
        if (mkdirat(pfd, base, 0755) != 0)
            r = errno == EEXIST ? SRT_EEXIST : SRT_EIO;
        else if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
            r = SRT_EIO;
    } else {
        int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
            r = errno == EEXIST ? SRT_EEXIST : SRT_EIO;
        else if (fstat(fd, &st) != 0)
            r = SRT_EIO;
        if (fd >= 0)
            close(fd);
    }
    if (r == SRT_OK)
        r = fsl_ledger_append(lg, lg->pid, lg->start, lg->session, &st, path);
    if (r == SRT_OK)
        r = fsl_vec_push(&lg->mine, path);
    flock(lg->fd, LOCK_UN);
    close(pfd);
    if (r == SRT_EIO || r == SRT_EEXIST)
        snprintf(err, errlen, "create placeholder %s: %s", path, strerror(r == SRT_EEXIST ? EEXIST : errno));
    return r;
}

bool fsl_ledger_adopt(struct fsl_ledger *lg, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return false;
    char *buf;
    struct fsl_entry *e;
    size_t n;
    bool adopted = false;
    flock(lg->fd, LOCK_EX);
    if (fsl_ledger_read(lg, &buf, &e, &n) == SRT_OK) {
        for (size_t i = 0; i < n && !adopted; i++)
            if (e[i].dev == st.st_dev && e[i].ino == st.st_ino && strcmp(e[i].path, path) == 0 &&
                fsl_entry_alive(&e[i]))
                adopted = fsl_ledger_append(lg, lg->pid, lg->start, lg->session, &st, path) == SRT_OK &&
                          fsl_vec_push(&lg->mine, path) == SRT_OK;
        free(e);
        free(buf);
    }
    flock(lg->fd, LOCK_UN);
    return adopted;
}

int fsl_ledger_release(struct fsl_ledger *lg, size_t *removed)
{
    char *buf;
    struct fsl_entry *e;
    size_t n;
    size_t dummy = 0;
    if (!removed)
        removed = &dummy;
    *removed = 0;
    flock(lg->fd, LOCK_EX);
    int r = fsl_ledger_read(lg, &buf, &e, &n);
    if (r != SRT_OK) {
        flock(lg->fd, LOCK_UN);
        return r;
    }
    bool *keep = calloc(n + 1, sizeof *keep);
    bool *live = calloc(n + 1, sizeof *live);
    if (keep && live) {
        for (size_t i = 0; i < n; i++) {
            bool ours = e[i].pid == lg->pid && e[i].start == lg->start &&
                        strcmp(e[i].session, lg->session) == 0;
            keep[i] = !ours;
            live[i] = !ours && fsl_entry_alive(&e[i]);
        }
        r = fsl_ledger_drop(lg, e, n, keep, live, removed);
    } else {
        r = SRT_ENOMEM;
    }
    flock(lg->fd, LOCK_UN);
    free(keep);
    free(live);
    free(e);
    free(buf);
    fsl_vec_free(&lg->mine);
    return r;
}

const struct fsl_vec *fsl_ledger_paths(const struct fsl_ledger *lg)
{
    return &lg->mine;
}

void fsl_ledger_close(struct fsl_ledger *lg)
{
    if (!lg)
        return;
    close(lg->fd);
    fsl_vec_free(&lg->mine);
    free(lg->session);
    free(lg);
}

int fsl_ledger_record_as(struct fsl_ledger *lg, pid_t pid, uint64_t start,
                         const char *session, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return SRT_EIO;
    flock(lg->fd, LOCK_EX);
    int r = fsl_ledger_append(lg, pid, start, session, &st, path);
    flock(lg->fd, LOCK_UN);
    return r;
}
