/* tunnel.c - splice relaying: the tunnel phase of a connection, and passes.
 * In a tunnel, bytes flow client -> target and target -> client through one
 * pipe per direction with splice(), so they never enter user space. A
 * direction whose src reaches EOF shuts the write side of its dst
 * (half-close), and the connection ends when both directions have. A pass
 * (srt_relay_pass) moves a counted run of bytes one way the same way while
 * the protocol still drives the connection: a message body whose length the
 * protocol already knows. Where splice is refused (no pipe left, a socket
 * type that does not splice) a direction falls back to recv/send through the
 * connection's queues.
 *
 * Pipe size: a pipe starts at the kernel default (16 pages) and grows once,
 * to RELAY_PIPE_BIG, after RELAY_PIPE_BULK bytes went through it, so only
 * directions that carry bulk data pay for it: fewer, larger splices per byte. Pipe
 * capacity counts against the user's pipe-user-pages-soft budget whether
 * used or not, which is why idle and interactive tunnels keep the default.
 * A growth the kernel refuses (budget, pipe-max-size) keeps the pipe as it
 * is. At most RELAY_BIG_PIPES pipes of a relay are grown at a time (16 MiB),
 * so a crowd of downloads cannot use up the budget the user's other
 * programs share. Bytes held per connection: at most 2 * RELAY_PIPE_BIG in
 * pipes, 64 KiB each when not grown. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_int.h"

#define RELAY_PIPE_BIG      (1024 * 1024)
#define RELAY_BIG_PIPES     16
#define RELAY_PIPE_BULK     (256 * 1024)
#define RELAY_TUNNEL_ROUNDS 16

static void relay_pipe_close(struct srt_relay *r, struct relay_pipe *p)
{
    if (p->big)
        r->n_big_pipes--;
    p->big = false;
    for (int i = 0; i < 2; i++) {
        if (p->fds[i] >= 0)
            close(p->fds[i]);
        p->fds[i] = -1;
    }
    p->size = 0;
}

/* Opens p at the default size; on failure p stays without a pipe and the
 * direction uses recv/send. */
void relay_pipe_open(struct relay_pipe *p)
{
    if (pipe2(p->fds, O_NONBLOCK | O_CLOEXEC) < 0) {
        p->fds[0] = p->fds[1] = -1;
        return;
    }
    int sz = fcntl(p->fds[0], F_GETPIPE_SZ);
    p->size = sz > 0 ? (size_t)sz : 65536;
    p->moved = 0;
    p->grown = false;
}

/* Counts bytes into p and grows it once they look like bulk. */
static void relay_pipe_count(struct srt_relay *r, struct relay_pipe *p, size_t n)
{
    if (p->grown)
        return;
    p->moved += n;
    if (p->moved < RELAY_PIPE_BULK || r->n_big_pipes >= RELAY_BIG_PIPES)
        return;
    p->grown = true;
    int sz = fcntl(p->fds[0], F_SETPIPE_SZ, RELAY_PIPE_BIG);
    if (sz > 0 && (size_t)sz > p->size) {
        p->size = (size_t)sz;
        p->big = true;
        r->n_big_pipes++;
    }
}

void relay_tunnel_close(struct srt_relay_conn *c)
{
    relay_pipe_close(c->relay, &c->pipes[0]);
    relay_pipe_close(c->relay, &c->pipes[1]);
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
        if (c->pipes[i].fds[0] < 0)
            relay_pipe_open(&c->pipes[i]);
}

/* recv into dst's queue and send it on: the fallback without a pipe. */
static int relay_copy_once(struct relay_end *src, struct relay_end *dst, uint64_t max,
                           bool *progress)
{
    char chunk[16384];
    size_t room = dst->out.max - dst->out.len;
    if (room > sizeof chunk)
        room = sizeof chunk;
    if (room > max)
        room = (size_t)max;
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

/* Moves what can move from src to dst. The pipe is refilled while it has
 * room, so reading src overlaps with dst draining. `limit` (NULL: none)
 * counts the bytes src may still give, for a pass, which also leaves dst
 * open at src's EOF. Returns false on an error that ends the connection. */
static bool relay_tunnel_dir(struct relay_end *src, struct relay_end *dst, struct relay_pipe *p,
                             uint64_t *limit, bool *progress)
{
    uint64_t unlimited = UINT64_MAX;
    uint64_t *left = limit ? limit : &unlimited;
    bool in_blocked = false;   /* this call saw EAGAIN from src with bytes held */
    for (;;) {
        if (!relay_end_flush(dst, progress))
            return false;
        if (dst->out.len || p->done)
            return true;
        bool moved = false;
        if (p->held && dst->writable) {
            ssize_t n = splice(p->fds[0], NULL, dst->fd, NULL, p->held,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                p->held -= (size_t)n;
                moved = true;
                in_blocked = false;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                dst->writable = false;
            } else {
                return false;
            }
        }
        if (src->eof || *left == 0) {
            if (!p->held && limit)
                return true;
            if (!p->held) {
                shutdown(dst->fd, SHUT_WR);
                dst->shut = true;
                p->done = true;
                *progress = true;
                return true;
            }
        } else if (src->readable && !in_blocked && p->fds[0] < 0) {
            size_t before = dst->out.len;
            int rc = relay_copy_once(src, dst, *left, &moved);
            if (rc < 0)
                return false;
            if (limit)
                *limit -= dst->out.len - before;
            moved |= rc > 0;
        } else if (src->readable && !in_blocked && p->held < p->size) {
            size_t want = p->size - p->held;
            if (want > *left)
                want = (size_t)*left;
            ssize_t n = splice(src->fd, NULL, p->fds[1], NULL, want,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                p->held += (size_t)n;
                if (limit)
                    *limit -= (uint64_t)n;
                moved = true;
                relay_pipe_count(src->conn->relay, p, (size_t)n);
            } else if (n == 0) {
                src->eof = true;
                moved = true;
            } else if (errno == EINTR) {
                continue;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* With the pipe empty it is the socket that has nothing; with
                 * bytes held it may be the pipe that is full, so the edge is
                 * kept and the read tried again once the pipe drained. */
                if (p->held)
                    in_blocked = true;
                else
                    src->readable = false;
            } else if ((errno == EINVAL || errno == ENOSYS) && !p->held) {
                relay_pipe_close(src->conn->relay, p);
                moved = true;
            } else {
                return false;
            }
        }
        if (!moved)
            return true;
        *progress = true;
    }
}

bool relay_tunnel_pump(struct srt_relay_conn *c)
{
    for (int round = 0; round < RELAY_TUNNEL_ROUNDS; round++) {
        bool progress = false;
        if (!relay_tunnel_dir(&c->client, &c->up, &c->pipes[0], NULL, &progress) ||
            !relay_tunnel_dir(&c->up, &c->client, &c->pipes[1], NULL, &progress))
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

/* ---- passes ---- */

static struct relay_end *relay_pass_src(struct srt_relay_conn *c, enum srt_relay_side side)
{
    return side == SRT_RELAY_CLIENT ? &c->client : &c->up;
}

int srt_relay_pass(struct srt_relay_conn *c, enum srt_relay_side side, uint64_t n)
{
    struct relay_pass *ps = &c->pass[side];
    if (c->state != RELAY_PROTO || ps->on || c->up.fd < 0 || c->dialing)
        return SRT_EINVAL;
    struct relay_pipe *p = &c->pipes[side];
    if (p->fds[0] < 0)
        relay_pipe_open(p);   /* without one the pass copies through the queues */
    ps->on = true;
    ps->left = n;
    return SRT_OK;
}

bool srt_relay_passing(const struct srt_relay_conn *c, enum srt_relay_side side)
{
    return c->pass[side].on;
}

uint64_t srt_relay_pass_left(const struct srt_relay_conn *c, enum srt_relay_side side)
{
    return c->pass[side].left + c->pipes[side].held;
}

void relay_pass_reset(struct srt_relay_conn *c)
{
    for (int i = 0; i < 2; i++) {
        c->pass[i].on = false;
        c->pass[i].left = 0;
        if (c->pipes[i].held) {
            /* Bytes of the old upstream must not reach the next one. */
            relay_pipe_close(c->relay, &c->pipes[i]);
            c->pipes[i].held = 0;
        }
    }
}

bool relay_pass_pump(struct srt_relay_conn *c, enum srt_relay_side side, bool *progress)
{
    struct relay_pass *ps = &c->pass[side];
    if (!ps->on)
        return true;
    struct relay_end *src = relay_pass_src(c, side);
    struct relay_end *dst = side == SRT_RELAY_CLIENT ? &c->up : &c->client;
    struct relay_pipe *p = &c->pipes[side];
    /* Bytes received before the pass started go first, through dst's queue. */
    if (src->in.len && ps->left) {
        size_t k = src->in.len, room = dst->out.max - dst->out.len;
        if (k > ps->left)
            k = (size_t)ps->left;
        if (k > room)
            k = room;
        if (k && relay_buf_put(&dst->out, src->in.data, k)) {
            relay_buf_drop(&src->in, k);
            ps->left -= k;
            *progress = true;
        }
        if (src->in.len && ps->left)
            return relay_end_flush(dst, progress);
    }
    if (!relay_tunnel_dir(src, dst, p, &ps->left, progress))
        return false;
    if ((ps->left == 0 || src->eof) && p->held == 0) {
        /* Done, or src ended early: pass_left keeps what never came. */
        ps->on = false;
        *progress = true;
    }
    return true;
}
