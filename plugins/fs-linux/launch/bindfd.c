/* bindfd.c - the outer stage's side of descriptor binds (../fsl_proto.h,
 * ../bindfd.c): receive the bind sources srt opened and put their numbers
 * where bwrap's argv says "@K" after --bind-fd or --ro-bind-fd. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../fsl_proto.h"
#include "launch_int.h"

/* The index K of an "@K" source, or -1 when `arg` is none. */
static long launch_bindfd_ref(char **argv, size_t i)
{
    if (i == 0 || (strcmp(argv[i - 1], "--bind-fd") != 0 && strcmp(argv[i - 1], "--ro-bind-fd") != 0))
        return -1;
    long k;
    return argv[i][0] == '@' && launch_parse_int(argv[i] + 1, 0, LONG_MAX, &k) == 0 ? k : -1;
}

void launch_nofile_raise(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Many binds mean many descriptors: allow as many as the hard limit does.
 * bwrap and the inner stage inherit that; the inner stage puts the caller's
 * own limit back for the command (launch_bindfd_nofile). */
static void launch_bindfd_room(size_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 64)
        launch_nofile_raise();
}

static int launch_bindfd_recv(int ctl, int *fds, uint32_t total, struct launch_error *err)
{
    uint32_t got = 0;
    while (got < total) {
        struct fsl_ctl_fds msg;
        int in[FSL_CTL_FDS_BATCH], msg_flags;
        size_t nfd;
        /* no MSG_CMSG_CLOEXEC: bwrap inherits them */
        ssize_t n = fsl_ctl_take(ctl, &msg, sizeof msg, in, FSL_CTL_FDS_BATCH, &nfd, 0,
                                 &msg_flags);
        if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
            return -ECANCELED;   /* srt gave up on the run */
        if (n < 0)
            return launch_fail(err, errno, "cannot receive bind sources: %s", strerror(errno));
        bool ok = n == (ssize_t)sizeof msg && !(msg_flags & (MSG_CTRUNC | MSG_TRUNC)) &&
                  msg.magic == FSL_CTL_FDS_MAGIC && msg.version == FSL_CTL_VERSION &&
                  msg.total == total && msg.first == got && msg.count == nfd && nfd > 0 &&
                  got + nfd <= total;
        for (size_t i = 0; i < nfd; i++) {
            if (ok)
                fds[got + i] = in[i];
            else
                close(in[i]);
        }
        if (!ok)
            return launch_fail(err, EPROTO, "malformed bind sources from srt");
        got += (uint32_t)nfd;
    }
    return 0;
}

int launch_bindfd_take(int ctl, char **argv, struct launch_error *err)
{
    size_t total = 0;
    for (size_t i = 0; argv[i]; i++)
        if (launch_bindfd_ref(argv, i) >= 0)
            total++;
    if (total == 0)
        return 0;
    launch_bindfd_room(total);
    int *fds = malloc(total * sizeof *fds);
    if (!fds)
        return launch_fail(err, ENOMEM, "cannot receive bind sources: out of memory");
    int rc = launch_bindfd_recv(ctl, fds, (uint32_t)total, err);
    for (size_t i = 0; rc == 0 && argv[i]; i++) {
        long k = launch_bindfd_ref(argv, i);
        if (k < 0)
            continue;
        char *num = malloc(16);
        if (k >= (long)total || !num) {
            free(num);
            rc = launch_fail(err, EPROTO, "bind source %s out of range", argv[i]);
            break;
        }
        snprintf(num, 16, "%d", fds[k]);
        argv[i] = num;   /* the blob's string stays with the exec */
    }
    free(fds);
    return rc;
}

int launch_bindfd_nofile(long soft, struct launch_error *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || (rlim_t)soft > rl.rlim_max)
        return launch_fail(err, EINVAL, "invalid --nofile %ld", soft);
    rl.rlim_cur = (rlim_t)soft;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return launch_fail(err, errno, "cannot restore the descriptor limit: %s", strerror(errno));
    return 0;
}
