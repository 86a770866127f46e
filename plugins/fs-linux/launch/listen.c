/* listen.c - the proxy listeners inside the sandbox's network namespace and
 * their hand-over to srt (DESIGN.md 5.2, REFERENCE.md 4.5, fsl_proto.h).
 *
 * The outer stage opens them after entering the namespace and before bwrap
 * runs, so the command finds 3128 and 1080 ready the moment it starts, and
 * the proxies in srt accept() on them directly. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <srt/fs.h>

#include "launch_int.h"

#define LAUNCH_BACKLOG 4096

struct launch_port {
    uint16_t port;
    uint32_t proto;
};

static const struct launch_port launch_ports[] = {
    { FSL_PORT_HTTP,   SRT_PROTO_HTTP },
    { FSL_PORT_SOCKS5, SRT_PROTO_SOCKS5 },
};

/* Returns the listening fd, -EADDRNOTAVAIL/-EAFNOSUPPORT when the family has
 * no loopback here (only meaningful for ::1), or another -errno. */
static int launch_listen_one(int family, uint16_t port, struct launch_error *err)
{
    const char *addr = family == AF_INET ? "127.0.0.1" : "[::1]";
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
                               .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int one = 1;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        if (errno == EAFNOSUPPORT)
            return -EAFNOSUPPORT;
        return launch_fail(err, errno, "cannot create listener %s:%u: %s", addr, port, strerror(errno));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto out_fail;
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
        goto out_fail;
    int rc = family == AF_INET ? bind(fd, (struct sockaddr *)&v4, sizeof(v4))
                               : bind(fd, (struct sockaddr *)&v6, sizeof(v6));
    if (rc < 0) {
        if (family == AF_INET6 && errno == EADDRNOTAVAIL) {
            close(fd);
            return -EADDRNOTAVAIL;
        }
        goto out_fail;
    }
    if (listen(fd, LAUNCH_BACKLOG) < 0)
        goto out_fail;
    return fd;

out_fail:
    rc = launch_fail(err, errno, "cannot listen on %s:%u: %s", addr, port, strerror(errno));
    close(fd);
    return rc;
}

int launch_listeners_open(struct launch_listeners *ls, struct launch_error *err)
{
    static const int families[] = { AF_INET, AF_INET6 };

    ls->n = 0;
    for (size_t f = 0; f < 2; f++) {
        for (size_t p = 0; p < sizeof(launch_ports) / sizeof(launch_ports[0]); p++) {
            int fd = launch_listen_one(families[f], launch_ports[p].port, err);
            if (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT) {
                if (families[f] == AF_INET6 && p == 0)
                    break;   /* no ::1 in this namespace: IPv4 only */
                fd = launch_fail(err, -fd, "cannot listen on %s:%u: %s",
                                 families[f] == AF_INET ? "127.0.0.1" : "[::1]",
                                 launch_ports[p].port, strerror(-fd));
            }
            if (fd < 0) {
                launch_listeners_close(ls);
                return fd;
            }
            ls->fd[ls->n] = fd;
            ls->proto[ls->n] = launch_ports[p].proto;
            ls->n++;
        }
    }
    return 0;
}

void launch_listeners_close(struct launch_listeners *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        close(ls->fd[i]);
    ls->n = 0;
}

int launch_ctl_send(int ctl_fd, const struct launch_listeners *ls,
                    const struct launch_error *failure, struct launch_error *err)
{
    struct fsl_ctl_msg msg;
    size_t n = failure || !ls ? 0 : ls->n;

    memset(&msg, 0, sizeof(msg));
    msg.magic = FSL_CTL_MAGIC;
    msg.version = FSL_CTL_VERSION;
    msg.n_listeners = (uint16_t)n;
    if (failure) {
        msg.status = failure->sys_errno > 0 ? failure->sys_errno : EIO;
        snprintf(msg.error, sizeof(msg.error), "%s", failure->msg);
    }
    for (size_t i = 0; i < n; i++) {
        msg.listener[i].slot = (int32_t)i;
        msg.listener[i].proto = ls->proto[i];
    }
    ssize_t sent = fsl_ctl_send(ctl_fd, &msg, sizeof(msg), n ? ls->fd : NULL, n);
    /* The kernel refuses to pass descriptors while the user has more of
     * them in flight than the sender's RLIMIT_NOFILE, and srt's bind
     * sources may already be on their way to us: the limit is raised as
     * for receiving them (bindfd.c), and the command gets the caller's
     * back from the inner stage (--nofile). */
    if (sent < 0 && errno == ETOOMANYREFS) {
        launch_nofile_raise();
        sent = fsl_ctl_send(ctl_fd, &msg, sizeof(msg), n ? ls->fd : NULL, n);
    }
    if (sent < 0)
        return launch_fail(err, errno, "cannot send listeners on control fd %d: %s",
                           ctl_fd, strerror(errno));
    if ((size_t)sent != sizeof(msg))
        return launch_fail(err, EMSGSIZE, "cannot send listeners on control fd %d: short write", ctl_fd);
    return 0;
}
