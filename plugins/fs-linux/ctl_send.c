/* ctl_send.c - one datagram with descriptors on the control socket
 * (fsl_proto.h), in either direction: the outer stage's listeners to srt,
 * the plugin's bind sources to the outer stage. Built into both. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

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
