/* tunnel.c - the relay phase of a connection: bytes flow client -> target
 * and target -> client through one pipe per direction with splice(), so
 * they never enter user space. A direction whose src reaches EOF shuts the
 * write side of its dst (half-close), and the connection ends when both
 * directions have. Where splice is refused (no pipe left, a socket type
 * that does not splice) the direction falls back to recv/send through the
 * connection's queues. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_int.h"

#define RELAY_SPLICE_CHUNK  (64 * 1024)
#define RELAY_TUNNEL_ROUNDS 16

static void relay_pipe_close(struct relay_pipe *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->fds[i] >= 0)
            close(p->fds[i]);
        p->fds[i] = -1;
    }
}

void relay_tunnel_close(struct srt_relay_conn *c)
{
    relay_pipe_close(&c->pipes[0]);
    relay_pipe_close(&c->pipes[1]);
}

void relay_tunnel_start(struct srt_relay_conn *c)
{
    /* Bytes that arrived with the handshake go first, in order. */
    if (c->client.in.len && relay_buf_put(&c->up.out, c->client.in.data, c->client.in.len))
        c->client.in.len = 0;
    if (c->up.in.len && relay_buf_put(&c->client.out, c->up.in.data, c->up.in.len))
        c->up.in.len = 0;
    c->state = RELAY_TUNNEL;
    c->head_deadline = 0;
    c->last_active = relay_now_ms();
    relay_arm(c->relay, c->last_active + c->relay->lim.idle_ms);
    for (int i = 0; i < 2; i++)
        if (pipe2(c->pipes[i].fds, O_NONBLOCK | O_CLOEXEC) < 0)
            c->pipes[i].fds[0] = c->pipes[i].fds[1] = -1;
}

/* recv into dst's queue and send it on: the fallback without a pipe. */
static int relay_copy_once(struct relay_end *src, struct relay_end *dst, bool *progress)
{
    char chunk[16384];
    size_t room = dst->out.max - dst->out.len;
    if (room > sizeof chunk)
        room = sizeof chunk;
    if (room == 0)
        return 0;
    ssize_t n = recv(src->fd, chunk, room, 0);
    if (n > 0) {
        if (!relay_buf_put(&dst->out, chunk, (size_t)n))
            return -1;
        *progress = true;
        return 1;
    }
    if (n == 0) {
        src->eof = true;
        return 1;
    }
    if (errno == EINTR)
        return 1;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        src->readable = false;
        return 0;
    }
    return -1;
}

/* Moves what can move from src to dst. Returns false on an error that ends
 * the connection. */
static bool relay_tunnel_dir(struct relay_end *src, struct relay_end *dst, struct relay_pipe *p,
                             bool *progress)
{
    for (;;) {
        if (!relay_end_flush(dst, progress))
            return false;
        if (dst->out.len || p->done)
            return true;
        if (p->held) {
            if (!dst->writable)
                return true;
            ssize_t n = splice(p->fds[0], NULL, dst->fd, NULL, p->held,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                p->held -= (size_t)n;
                *progress = true;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                dst->writable = false;
                return true;
            }
            return false;
        }
        if (src->eof) {
            shutdown(dst->fd, SHUT_WR);
            dst->shut = true;
            p->done = true;
            *progress = true;
            return true;
        }
        if (!src->readable)
            return true;
        if (p->fds[0] < 0) {
            int rc = relay_copy_once(src, dst, progress);
            if (rc < 0)
                return false;
            if (rc == 0 && !dst->out.len)
                return true;
            continue;
        }
        ssize_t n = splice(src->fd, NULL, p->fds[1], NULL, RELAY_SPLICE_CHUNK,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
            p->held += (size_t)n;
            *progress = true;
        } else if (n == 0) {
            src->eof = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            /* The pipe is empty here, so it is the socket that has nothing. */
            src->readable = false;
            return true;
        } else if (errno == EINVAL || errno == ENOSYS) {
            relay_pipe_close(p);
        } else {
            return false;
        }
    }
}

bool relay_tunnel_pump(struct srt_relay_conn *c)
{
    for (int round = 0; round < RELAY_TUNNEL_ROUNDS; round++) {
        bool progress = false;
        if (!relay_tunnel_dir(&c->client, &c->up, &c->pipes[0], &progress) ||
            !relay_tunnel_dir(&c->up, &c->client, &c->pipes[1], &progress))
            return false;
        if (c->pipes[0].done && c->pipes[1].done)
            return false;
        if (!progress)
            return true;
    }
    /* A fast pair must not starve the others: continue from the sweep. */
    relay_kick(c);
    return true;
}
