/* dial.c - from a target the client asked for to a connected upstream
 * socket. The decision, the resolution and the vetting run in the resolver
 * pool (resolver.c) so a slow policy callback or DNS server blocks only the
 * connection that waits for it; the loop then connects, without blocking,
 * to the vetted addresses only, in order, and reports to the protocol. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_int.h"

void relay_job_free(struct relay_job *job)
{
    if (job) {
        free(job->host);
        free(job->keep_host);
        free(job);
    }
}

/* Can the connected upstream carry another exchange: nothing queued or
 * unread either way, no pass, and the target has not closed? */
static bool relay_up_idle(struct srt_relay_conn *c)
{
    if (c->up.fd < 0 || !c->up_host || c->drop_up || c->up.out.len || c->up.in.len ||
        c->up.eof || c->up.shut || c->pass[SRT_RELAY_UPSTREAM].on ||
        c->pass[SRT_RELAY_CLIENT].on)
        return false;
    char b;
    ssize_t n = recv(c->up.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static int relay_dial_submit(struct srt_relay_conn *c, const char *host, uint16_t port,
                             bool fixed)
{
    if (c->dialing || c->resolving || (fixed && c->up.fd >= 0))
        return SRT_EINVAL;
    if (c->up.fd >= 0 && !relay_up_idle(c))
        relay_up_close(c);
    struct relay_job *job = calloc(1, sizeof *job);
    if (!job || !(job->host = strdup(host)) ||
        (c->up.fd >= 0 && !(job->keep_host = strdup(c->up_host)))) {
        relay_job_free(job);
        return SRT_ENOMEM;
    }
    job->keep_port = c->up_port;
    job->fixed = fixed;
    job->conn = c;
    job->session = c->session;
    job->port = port;
    relay_job_free(c->job);
    c->job = NULL;
    c->pending = job;
    c->dialing = true;
    c->resolving = true;
    c->head_deadline = 0;
    c->dial_deadline = relay_now_ms() + c->relay->lim.connect_ms;
    relay_arm(c->relay, c->dial_deadline);
    relay_pool_submit(c->relay, job);
    return SRT_OK;
}

int srt_relay_dial(struct srt_relay_conn *c, const char *host, uint16_t port)
{
    return relay_dial_submit(c, host, port, false);
}

int srt_relay_dial_fixed(struct srt_relay_conn *c, uint16_t port)
{
    if (port == 0)
        return SRT_EINVAL;
    /* Through the pool all the same, so on_dialed never runs inside this call. */
    return relay_dial_submit(c, "127.0.0.1", port, true);
}

static void relay_dial_end(struct srt_relay_conn *c, enum srt_relay_dial how,
                           const char *reason)
{
    struct srt_relay *r = c->relay;
    struct srt_net_verdict v = { .struct_size = sizeof v };
    if (c->job)
        v = c->job->verdict;
    if (reason) {
        v.allow = 0;
        snprintf(v.reason, sizeof v.reason, "%s", reason);
    }
    c->dialing = false;
    c->dial_deadline = 0;
    c->last_active = relay_now_ms();
    if (how == SRT_RELAY_DIAL_OK && c->job && !c->job->reuse) {
        free(c->up_host);
        c->up_host = strdup(v.host);   /* NULL only disables reuse */
        c->up_port = c->job->port;
    }
    relay_job_free(c->job);
    c->job = NULL;
    if (c->forward && how != SRT_RELAY_DIAL_OK) {
        srt_relay_log(c, SRT_LOG_DEBUG, "cannot reach the external proxy 127.0.0.1:%u",
                      c->forward);
        relay_conn_close(c);
        return;
    }
    if (c->forward)
        relay_tunnel_start(c);
    else
        r->proto->on_dialed(r->ctx, c, how, &v);
    if (!c->dead)
        relay_conn_pump(c);
}

static void relay_sockaddr(const struct srt_relay_addr *a, uint16_t port,
                           struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, a->bytes, 4);
        *len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, a->bytes, 16);
        *len = sizeof *sin6;
    }
}

/* Tries the next vetted address; ends the dial when none is left. */
static void relay_dial_next(struct srt_relay_conn *c, int last_errno)
{
    struct relay_job *job = c->job;
    while (c->next_addr < job->n_addrs) {
        const struct srt_relay_addr *a = &job->addrs[c->next_addr++];
        struct sockaddr_storage ss;
        socklen_t len;
        relay_sockaddr(a, job->port, &ss, &len);
        int fd = socket(a->family == 4 ? AF_INET : AF_INET6,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
            last_errno = errno;
            close(fd);
            continue;
        }
        struct epoll_event ev = {
            .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
            .data.ptr = &c->up.tag,
        };
        if (epoll_ctl(c->relay->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            last_errno = errno;
            close(fd);
            continue;
        }
        relay_nodelay(fd);
        c->up.fd = fd;
        c->up.readable = c->up.writable = c->up.eof = c->up.shut = false;
        return;   /* relay_dial_connected follows on EPOLLOUT */
    }
    relay_dial_end(c, last_errno == ECONNREFUSED ? SRT_RELAY_DIAL_REFUSED
                                                 : SRT_RELAY_DIAL_UNREACHABLE, NULL);
}

void relay_dial_result(struct relay_job *job)
{
    struct srt_relay_conn *c = job->conn;
    c->resolving = false;
    c->pending = NULL;
    if (c->dead) {
        /* Closed while the pool held it: free it now unless the reaper will. */
        relay_job_free(job);
        if (!c->in_grave)
            free(c);
        return;
    }
    if (!c->dialing) {
        relay_job_free(job);   /* timed out meanwhile and already reported */
        return;
    }
    c->job = job;
    if (job->how == SRT_RELAY_DIAL_OK && job->reuse && c->up.fd >= 0 && relay_up_idle(c)) {
        relay_dial_end(c, SRT_RELAY_DIAL_OK, NULL);
        return;
    }
    /* Another authority, a refusal, or the kept one went away meanwhile. */
    if (c->up.fd >= 0)
        relay_up_close(c);
    if (job->how != SRT_RELAY_DIAL_OK) {
        relay_dial_end(c, job->how, NULL);
        return;
    }
    if (job->reuse) {
        /* Decided, but the kept connection cannot serve: decide and dial anew. */
        free(job->keep_host);
        job->keep_host = NULL;
        job->reuse = false;
        job->verdict = (struct srt_net_verdict){ 0 };
        c->job = NULL;
        c->pending = job;
        c->resolving = true;
        relay_pool_submit(c->relay, job);
        return;
    }
    c->next_addr = 0;
    relay_dial_next(c, EHOSTUNREACH);
}

void relay_dial_connected(struct srt_relay_conn *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->up.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (!err && getpeername(c->up.fd, (struct sockaddr *)&peer, &plen) < 0 && errno == ENOTCONN)
        return;   /* a wake-up before the connect finished */
    if (err) {
        close(c->up.fd);
        c->up.fd = -1;
        relay_dial_next(c, err);
        return;
    }
    c->up.writable = true;
    relay_dial_end(c, SRT_RELAY_DIAL_OK, NULL);
}

void relay_dial_timeout(struct srt_relay_conn *c)
{
    if (c->up.fd >= 0)
        relay_up_close(c);
    /* A job still in the pool comes back to relay_dial_result, which drops it. */
    relay_dial_end(c, SRT_RELAY_DIAL_UNREACHABLE, "connection timed out");
}
