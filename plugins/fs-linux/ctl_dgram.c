/* ctl_dgram.c - one datagram with descriptors on a socket, sent or taken:
 * the control socket's messages (fsl_proto.h) in either direction (the
 * outer stage's listeners to srt, the plugin's bind sources to the outer
 * stage) and the create guard's listener inside the sandbox. Built into the
 * plugin and the launcher. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsl_proto.h"

ssize_t fsl_ctl_send(int fd, const void *msg, size_t len, const int *fds, size_t n)
{
    union {
        char           buf[CMSG_SPACE(sizeof(int) * FSL_CTL_FDS_BATCH)];
        struct cmsghdr align;
    } ctrl;
    if (n > FSL_CTL_FDS_BATCH) {
        errno = EINVAL;
        return -1;
    }
    memset(&ctrl, 0, sizeof ctrl);
    struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (n > 0) {
        mh.msg_control = ctrl.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
    }
    ssize_t sent;
    do
        sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t fsl_ctl_take(int fd, void *msg, size_t len, int *fds, size_t max, size_t *n, int flags,
                     int *msg_flags)
{
    union {
        char           buf[CMSG_SPACE(sizeof(int) * FSL_CTL_FDS_BATCH)];
        struct cmsghdr align;
    } ctrl;
    *n = 0;
    *msg_flags = 0;
    if (max > FSL_CTL_FDS_BATCH) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov = { .iov_base = msg, .iov_len = len };
    /* room for `max` descriptors only: the kernel drops the rest and says
     * MSG_CTRUNC */
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf,
                         .msg_controllen = CMSG_SPACE(sizeof(int) * max) };
    ssize_t got;
    do
        got = recvmsg(fd, &mh, flags);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return got;
    *msg_flags = mh.msg_flags;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int one;
            memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof one);
            if (*n < max) {
                fds[(*n)++] = one;
            } else {            /* CMSG_SPACE rounds up: room for one more */
                close(one);
                *msg_flags |= MSG_CTRUNC;
            }
        }
    }
    if (*msg_flags & MSG_CTRUNC) {  /* what came is not what was sent: none */
        for (size_t i = 0; i < *n; i++)
            close(fds[i]);
        *n = 0;
    }
    return got;
}
