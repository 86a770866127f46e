/* session.c - sandbox runs and their private directories (see session_int.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors_int.h"
#include "session_int.h"

#define SESSION_KEY_CHARS 100

#define SESSION_LOCK "lock"
#define SESSION_ORPHAN_AGE_S 10   /* a lock-less dir this old is a crashed start */

struct srt_session_owner {
    struct srt_session view;
    int    lock_fd;      /* flock held for the life of the run */
    char   id[17];
    char  *command;
    char  *command_key;
    char   runtime_dir[PATH_MAX];
};

size_t srt_base64_encode(const void *in, size_t len, char *out, size_t out_len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = in;
    size_t need = (len + 2) / 3 * 4;
    if (out_len < need + 1)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? tab[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

int srt_session_private_dir(const char *path, struct srt_error *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return srt_error_set(err, SRT_EIO, "cannot create %s: %s", path, strerror(errno));
    struct stat st;
    if (lstat(path, &st) != 0)
        return srt_error_set(err, SRT_EIO, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return srt_error_set(err, SRT_EPERM, "%s is not a directory (refusing a symlink or file)", path);
    if (st.st_uid != geteuid())
        return srt_error_set(err, SRT_EPERM, "%s belongs to uid %u, not to the caller", path,
                             (unsigned)st.st_uid);
    if ((st.st_mode & 0077) != 0 && chmod(path, 0700) != 0)
        return srt_error_set(err, SRT_EIO, "cannot make %s private: %s", path, strerror(errno));
    return SRT_OK;
}

int srt_session_runtime_base(const char **out, struct srt_error *err)
{
    static char base[PATH_MAX];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == geteuid() && (st.st_mode & 0077) == 0)
        snprintf(base, sizeof base, "%s/srt", xdg);
    else
        snprintf(base, sizeof base, "/tmp/srt-run-%u", (unsigned)geteuid());
    int rc = srt_session_private_dir(base, err);
    if (rc == SRT_OK)
        *out = base;
    return rc;
}

static void session_rm_tree(int dirfd);

/* Remove the runtime directories of runs that are gone. A live srt holds an
 * exclusive flock on its directory's lock file, so a lock we can take means
 * its owner died (SIGKILL, OOM) without cleaning up; pid reuse cannot fool
 * this. */
static void session_sweep(const char *base)
{
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = bfd >= 0 ? fdopendir(bfd) : NULL;
    if (!d) {
        if (bfd >= 0)
            close(bfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != 16 || strspn(e->d_name, "0123456789abcdef") != 16)
            continue;
        int sfd = openat(bfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
            continue;
        int lfd = openat(sfd, SESSION_LOCK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        int dead = lfd >= 0 ? flock(lfd, LOCK_EX | LOCK_NB) == 0
                            : fstat(sfd, &st) == 0 && time(NULL) - st.st_mtime > SESSION_ORPHAN_AGE_S;
        if (lfd >= 0)
            close(lfd);
        if (dead) {
            session_rm_tree(sfd);   /* closes sfd */
            unlinkat(bfd, e->d_name, AT_REMOVEDIR);
        } else {
            close(sfd);
        }
    }
    closedir(d);
}

int srt_session_new(const char *command, const struct srt_policy *policy,
                    struct srt_session_owner **out, struct srt_error *err)
{
    struct srt_session_owner *o = calloc(1, sizeof *o);
    if (!o)
        return srt_error_set(err, SRT_ENOMEM, "out of memory");
    o->lock_fd = -1;
    unsigned char rnd[8];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        free(o);
        return srt_error_set(err, SRT_EIO, "cannot read random bytes: %s", strerror(errno));
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(o->id + 2 * i, 3, "%02x", rnd[i]);
    size_t klen = strnlen(command, SESSION_KEY_CHARS);
    o->command = strdup(command);
    o->command_key = malloc((klen + 2) / 3 * 4 + 1);
    if (!o->command || !o->command_key) {
        srt_session_free(o);
        return srt_error_set(err, SRT_ENOMEM, "out of memory");
    }
    srt_base64_encode(command, klen, o->command_key, (klen + 2) / 3 * 4 + 1);
    const char *base;
    int rc = srt_session_runtime_base(&base, err);
    if (rc != SRT_OK) {
        srt_session_free(o);
        return rc;
    }
    session_sweep(base);
    snprintf(o->runtime_dir, sizeof o->runtime_dir, "%s/%s", base, o->id);
    if (mkdir(o->runtime_dir, 0700) != 0) {
        rc = srt_error_set(err, SRT_EIO, "cannot create %s: %s", o->runtime_dir, strerror(errno));
        o->runtime_dir[0] = '\0';
        srt_session_free(o);
        return rc;
    }
    char lock[PATH_MAX + 8];
    snprintf(lock, sizeof lock, "%s/" SESSION_LOCK, o->runtime_dir);
    o->lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (o->lock_fd < 0 || flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = srt_error_set(err, SRT_EIO, "cannot lock %s: %s", lock, strerror(errno));
        srt_session_free(o);
        return rc;
    }
    o->view.struct_size = sizeof o->view;
    o->view.id = o->id;
    o->view.command = o->command;
    o->view.command_key = o->command_key;
    o->view.runtime_dir = o->runtime_dir;
    o->view.policy = policy;
    *out = o;
    return SRT_OK;
}

/* Remove everything below dirfd's directory without following symlinks. */
static void session_rm_tree(int dirfd)
{
    DIR *d = fdopendir(dirfd);
    if (!d) {
        close(dirfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd, e->d_name, 0) == 0)
            continue;
        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            session_rm_tree(sub);
            unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
        }
    }
    closedir(d);
}

void srt_session_free(struct srt_session_owner *o)
{
    if (!o)
        return;
    if (o->runtime_dir[0]) {
        /* The lock goes last: until the tree is gone, no sweeper may race us. */
        int fd = open(o->runtime_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            session_rm_tree(fd);
        rmdir(o->runtime_dir);
    }
    if (o->lock_fd >= 0)
        close(o->lock_fd);
    free(o->command);
    free(o->command_key);
    free(o);
}

const struct srt_session *srt_session_view(const struct srt_session_owner *o)
{
    return &o->view;
}
