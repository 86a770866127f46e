/* fsl_proto.h - the control channel between the fs-linux plugin and
 * `srt-linux-launch --outer`.
 *
 * The plugin makes a socketpair(AF_UNIX, SOCK_SEQPACKET) and passes one end to
 * the outer stage as `--ctl-fd N` (same descriptor number, not close-on-exec).
 * The outer stage makes the network namespace and the proxy listeners inside
 * it, then sends exactly ONE message on that descriptor:
 *
 *     data:      struct fsl_ctl_msg (fixed size, one datagram)
 *     ancillary: SCM_RIGHTS with msg.n_listeners descriptors, in slot order
 *
 * listener[i].slot is the index of that listener's descriptor in the
 * SCM_RIGHTS array. On failure the outer stage sends the same message with
 * status = the failing errno (positive), n_listeners = 0, no descriptors and a
 * short lower-case reason in `error`, then exits non-zero without exec'ing
 * bwrap. After sending, the outer stage closes the control descriptor and its
 * own copies of the listeners before it execs bwrap, so nothing inside the
 * sandbox can accept() on them. The plugin waits a few seconds at most.
 *
 * In the other direction the plugin sends the sources of the sandbox's bind
 * mounts as descriptors (THREATS F2): bwrap's argv then names them "@K"
 * after --bind-fd and --ro-bind-fd (K counting from 0), and the outer stage
 * replaces each "@K" with the number under which descriptor K arrived.
 * They come in batches of at most FSL_CTL_FDS_BATCH:
 *
 *     data:      struct fsl_ctl_fds (fixed size, one datagram)
 *     ancillary: SCM_RIGHTS with msg.count descriptors, K = first ... first+count-1
 *
 * The outer stage expects exactly as many as its argv names, and runs
 * nothing when they do not all arrive.
 *
 * Shared by plugins/fs-linux/ and plugins/fs-linux/launch/; only
 * fixed-width types so both sides agree on the layout. */
#ifndef FSL_PROTO_H
#define FSL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FSL_CTL_MAGIC   0x4c525453u  /* "STRL" little-endian */
#define FSL_CTL_VERSION 1u

/* 127.0.0.1 and ::1 for each of the two proxy ports. */
#define FSL_CTL_MAX_LISTENERS 4
#define FSL_CTL_ERRMAX        160

/* Sandbox-side ports, REFERENCE.md 4.5 / DESIGN.md 3.5. */
#define FSL_PORT_HTTP   3128
#define FSL_PORT_SOCKS5 1080

/* proto values are those of enum srt_proto in <srt/fs.h>:
 * 1 = HTTP (3128), 2 = SOCKS5 (1080). */
struct fsl_ctl_listener {
    int32_t  slot;      /* index into the SCM_RIGHTS descriptor array */
    uint32_t proto;     /* enum srt_proto */
};

struct fsl_ctl_msg {
    uint32_t magic;         /* FSL_CTL_MAGIC */
    uint16_t version;       /* FSL_CTL_VERSION */
    uint16_t n_listeners;   /* 0..FSL_CTL_MAX_LISTENERS, equals the fds sent */
    int32_t  status;        /* 0 = ok, else the errno of the failing step */
    uint32_t unused_0;
    struct fsl_ctl_listener listener[FSL_CTL_MAX_LISTENERS];
    char     error[FSL_CTL_ERRMAX];  /* NUL-terminated reason when status != 0 */
};

#define FSL_CTL_FDS_MAGIC 0x44465453u  /* "STFD" little-endian */
#define FSL_CTL_FDS_BATCH 200

struct fsl_ctl_fds {
    uint32_t magic;         /* FSL_CTL_FDS_MAGIC */
    uint16_t version;       /* FSL_CTL_VERSION */
    uint16_t count;         /* descriptors in this datagram, 1..FSL_CTL_FDS_BATCH */
    uint32_t first;         /* K of the first one */
    uint32_t total;         /* K of all batches together */
};

/* Send `len` bytes of msg as one datagram on fd with descriptors fds[0..n)
 * (n <= FSL_CTL_FDS_BATCH) attached by SCM_RIGHTS (ctl_dgram.c). Returns
 * what sendmsg returns; never raises SIGPIPE. */
ssize_t fsl_ctl_send(int fd, const void *msg, size_t len, const int *fds, size_t n);
/* Take one datagram of up to `len` bytes from fd into msg, and the
 * descriptors attached to it into fds, *n of them, at most max (<=
 * FSL_CTL_FDS_BATCH). More than max is a truncation: then none is kept and
 * *msg_flags has MSG_CTRUNC, as it has MSG_TRUNC for a longer datagram.
 * `flags` goes to recvmsg (e.g. MSG_CMSG_CLOEXEC); EINTR is retried.
 * Returns what recvmsg returns. */
ssize_t fsl_ctl_take(int fd, void *msg, size_t len, int *fds, size_t max, size_t *n, int flags,
                     int *msg_flags);

#endif /* FSL_PROTO_H */
