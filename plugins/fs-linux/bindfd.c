/* bindfd.c - bind mounts from descriptors (THREATS F2).
 *
 * srt checks a path, and bwrap mounts it milliseconds later by name: a
 * process outside the new sandbox (another sandbox writing the same
 * directory) can swap a checked directory for a symlink in between, and a
 * path-based bind would land on whatever the symlink names - /etc, for a
 * write root. Where bwrap knows --bind-fd, each bind's source is opened here
 * without following any symlink (canonical paths have none, so one found now
 * was planted), and bwrap mounts the inode srt holds and checks after the
 * mount that the destination shows that inode. The descriptors travel to the
 * outer stage over the control socket (fsl_proto.h); bwrap's argv names them
 * "@K". Without --bind-fd the binds stay path-based and the inner stage's
 * --expect check (expect.c) is the remaining guard. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsl_int.h"
#include "fsl_proto.h"

static int fsl_bindfd_send_batch(int ctl, const int *fds, uint32_t first, uint16_t count,
                                 uint32_t total)
{
    struct fsl_ctl_fds msg = { .magic = FSL_CTL_FDS_MAGIC, .version = FSL_CTL_VERSION,
                               .count = count, .first = first, .total = total };
    return fsl_ctl_send(ctl, &msg, sizeof msg, fds, count) == (ssize_t)sizeof msg ? 0 : -1;
}

/* The kernel refuses to have more descriptors in flight on unix sockets
 * than the sender's RLIMIT_NOFILE, and the outer stage may not be reading
 * yet: a plan with very many binds needs the soft limit raised while they
 * are sent. */
static void fsl_bindfd_room(uint32_t total, struct rlimit *saved)
{
    struct rlimit rl;
    saved->rlim_cur = RLIM_INFINITY;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= (rlim_t)total + 64 ||
        rl.rlim_cur >= rl.rlim_max)
        return;
    *saved = rl;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

int fsl_bindfd_send(struct fsl_vec *bwrap, int ctl, char *err, size_t errlen)
{
    uint32_t total = 0;
    for (size_t i = 0; i + 2 < bwrap->n; i++)
        if (fsl_is_bind(bwrap->v[i]) && strcmp(bwrap->v[i + 1], "/") != 0)
            total++, i += 2;
    struct rlimit saved;
    fsl_bindfd_room(total, &saved);
    int fds[FSL_CTL_FDS_BATCH];
    uint16_t n = 0;
    uint32_t k = 0;
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && i + 2 < bwrap->n; i++) {
        if (!fsl_is_bind(bwrap->v[i]) || strcmp(bwrap->v[i + 1], "/") == 0)
            continue;
        const char *src = bwrap->v[i + 1];
        int fd = fsl_open_nofollow(src);
        if (fd < 0) {
            int e = errno;
            if (e == ELOOP)
                snprintf(err, errlen, "bind source %s has a symlink on its path now (replaced "
                         "during setup?); refusing", src);
            else if (e == ENOENT)
                snprintf(err, errlen, "bind source %s vanished during setup", src);
            else
                snprintf(err, errlen, "open bind source %s: %s", src, strerror(e));
            r = e == ELOOP ? SRT_EPERM : SRT_EIO;
            break;
        }
        fds[n++] = fd;
        char *opt = strdup(strcmp(bwrap->v[i], "--bind") == 0 ? "--bind-fd" : "--ro-bind-fd");
        char *ref = malloc(16);
        if (!opt || !ref) {
            free(opt);
            free(ref);
            r = SRT_ENOMEM;
            break;
        }
        snprintf(ref, 16, "@%u", k++);
        free(bwrap->v[i]);
        free(bwrap->v[i + 1]);
        bwrap->v[i] = opt;
        bwrap->v[i + 1] = ref;
        i += 2;
        if (n == FSL_CTL_FDS_BATCH || k == total) {
            if (fsl_bindfd_send_batch(ctl, fds, k - n, n, total) != 0) {
                snprintf(err, errlen, "send bind sources to the outer stage: %s", strerror(errno));
                r = SRT_EIO;
            }
            while (n)
                close(fds[--n]);   /* in flight now: the kernel holds them */
        }
    }
    while (n)
        close(fds[--n]);
    if (saved.rlim_cur != RLIM_INFINITY)
        setrlimit(RLIMIT_NOFILE, &saved);
    return r;
}
