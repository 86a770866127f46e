/* ctl_recv.c - receive and check the one message `srt-linux-launch --outer`
 * sends on the control socket (fsl_proto.h): the proxy listeners it made in
 * the sandbox's network namespace, or the reason it failed. Host-free. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsl_int.h"
#include "fsl_proto.h"

/* Check what arrived against what the message announces; SRT_OK or
 * SRT_EBACKEND with the reason in err. */
static int fsl_ctl_check(ssize_t got, struct fsl_ctl_msg *msg, int msg_flags, size_t nfds,
                         size_t max, char *err, size_t errlen)
{
    if (got != (ssize_t)sizeof *msg || msg->magic != FSL_CTL_MAGIC ||
        msg->version != FSL_CTL_VERSION) {
        snprintf(err, errlen, "receive listeners from srt-linux-launch: %s",
                 got == 0 ? "it exited before sending them" : got < 0 ? strerror(errno)
                                                                      : "malformed message");
        return SRT_EBACKEND;
    }
    if (msg->status != 0) {
        msg->error[FSL_CTL_ERRMAX - 1] = '\0';
        snprintf(err, errlen, "srt-linux-launch: %s: %s", msg->error, strerror(msg->status));
        return SRT_EBACKEND;
    }
    if (msg->n_listeners != nfds || nfds > max || (msg_flags & MSG_CTRUNC)) {
        snprintf(err, errlen, "receive listeners: %u announced, %zu received, room for %zu",
                 (unsigned)msg->n_listeners, nfds, max);
        return SRT_EBACKEND;
    }
    for (size_t i = 0; i < nfds; i++) {
        int32_t slot = msg->listener[i].slot;
        if (slot < 0 || (size_t)slot >= nfds) {
            snprintf(err, errlen, "receive listeners: bad slot %d", (int)slot);
            return SRT_EBACKEND;
        }
    }
    return SRT_OK;
}

int fsl_ctl_recv(int fd, int timeout_ms, struct srt_listener *out, size_t max, size_t *n,
                 char *err, size_t errlen)
{
    *n = 0;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int pr;
    do
        pr = poll(&pfd, 1, timeout_ms);
    while (pr < 0 && errno == EINTR);
    if (pr == 0) {
        snprintf(err, errlen, "receive listeners from srt-linux-launch: timed out after %d s",
                 timeout_ms / 1000);
        return SRT_EBACKEND;
    }
    struct fsl_ctl_msg msg;
    memset(&msg, 0, sizeof msg);
    int fds[FSL_CTL_MAX_LISTENERS], msg_flags = 0;
    size_t nfds = 0;
    ssize_t got = pr < 0 ? -1 : fsl_ctl_take(fd, &msg, sizeof msg, fds, FSL_CTL_MAX_LISTENERS,
                                             &nfds, MSG_CMSG_CLOEXEC, &msg_flags);
    int r = fsl_ctl_check(got, &msg, msg_flags, nfds, max, err, errlen);
    if (r != SRT_OK) {
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        return r;
    }
    for (size_t i = 0; i < nfds; i++) {
        out[i].fd = fds[msg.listener[i].slot];
        out[i].proto = msg.listener[i].proto;
    }
    *n = nfds;
    return SRT_OK;
}
