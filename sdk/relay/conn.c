/* conn.c - one proxied connection while the protocol drives it: capped
 * byte queues in and out of each end, the pump that moves bytes between
 * sockets and queues under edge-triggered readiness, deadlines, and the
 * per-connection calls the protocol makes (peek, consume, send, finish).
 * The tunnel phase lives in tunnel.c, dialing in dial.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_int.h"

#define RELAY_PUMP_ROUNDS 64

bool relay_buf_put(struct relay_buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len)
        return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > b->max)
            cap = b->max;
        char *d = realloc(b->data, cap);
        if (!d)
            return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

void relay_buf_drop(struct relay_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void relay_buf_free(struct relay_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* A relay writes what it just read: Nagle's algorithm would hold a short
 * write (a spliced body after a queued head) for the peer's delayed ACK.
 * Not a TCP socket: nothing to do. */
void relay_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void relay_end_init(struct relay_end *e, struct srt_relay_conn *c, int fd, size_t max)
{
    e->tag.kind = RELAY_TAG_END;
    e->conn = c;
    e->fd = fd;
    e->in.max = max;
    e->out.max = 2 * max;
}

static void relay_end_close(struct relay_end *e)
{
    relay_pass_reset(e->conn);
    if (e->fd >= 0)
        close(e->fd);
    e->fd = -1;
    e->readable = e->writable = false;
    relay_buf_free(&e->in);
    relay_buf_free(&e->out);
}

/* Closes the upstream end at once, whatever it still holds. */
void relay_up_close(struct srt_relay_conn *c)
{
    relay_end_close(&c->up);
    c->up.eof = c->up.shut = false;
    c->drop_up = false;
    free(c->up_host);
    c->up_host = NULL;
}

struct srt_relay_conn *relay_conn_new(struct srt_relay *r, int fd, const struct srt_session *s,
                                      uint16_t forward)
{
    struct srt_relay_conn *c = calloc(1, sizeof *c);
    if (!c) {
        r->host->log(r->self, SRT_LOG_WARN, "%s: out of memory at accept", r->name);
        close(fd);
        return NULL;
    }
    c->relay = r;
    c->session = s;
    c->forward = forward;
    relay_nodelay(fd);
    relay_end_init(&c->client, c, fd, r->lim.head_max);
    relay_end_init(&c->up, c, -1, r->lim.head_max);
    c->pipes[0].fds[0] = c->pipes[0].fds[1] = -1;
    c->pipes[1].fds[0] = c->pipes[1].fds[1] = -1;
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.ptr = &c->client.tag,
    };
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        r->host->log(r->self, SRT_LOG_WARN, "%s: watch connection: %s", r->name,
                     strerror(errno));
        close(fd);
        free(c);
        return NULL;
    }
    c->next = r->conns;
    if (r->conns)
        r->conns->prev = c;
    r->conns = c;
    r->n_conns++;
    c->last_active = relay_now_ms();
    srt_relay_head_timer(c, true);
    if (forward) {
        if (srt_relay_dial_fixed(c, forward) != SRT_OK)
            relay_conn_close(c);
    } else if (r->proto->on_open(r->ctx, c) != SRT_OK) {
        relay_conn_close(c);
    }
    return c;
}

void relay_conn_close(struct srt_relay_conn *c)
{
    if (c->dead)
        return;
    struct srt_relay *r = c->relay;
    c->dead = true;
    if (!c->forward)
        r->proto->on_close(r->ctx, c);
    c->data = NULL;
    relay_end_close(&c->client);
    relay_up_close(c);
    relay_tunnel_close(c);
    if (c->resolving) {
        /* The job stays with the pool; it comes back as a no-op and frees c. */
        pthread_mutex_lock(&r->lock);
        c->pending->cancel = true;
        pthread_mutex_unlock(&r->lock);
    }
    relay_job_free(c->job);
    c->job = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    r->n_conns--;
    c->grave = r->graveyard;
    c->in_grave = true;
    r->graveyard = c;
}

void relay_conn_reap(struct srt_relay *r)
{
    struct srt_relay_conn *c = r->graveyard;
    r->graveyard = NULL;
    while (c) {
        struct srt_relay_conn *nx = c->grave;
        c->in_grave = false;
        if (!c->resolving)
            free(c);
        c = nx;
    }
}

void relay_conn_sweep(struct srt_relay_conn *c, int64_t now, int64_t *next)
{
    struct srt_relay *r = c->relay;
    if (c->kick) {
        c->kick = false;
        relay_conn_pump(c);
        if (c->dead)
            return;
    }
    if (c->head_deadline && now >= c->head_deadline) {
        srt_relay_log(c, SRT_LOG_DEBUG, "handshake timed out");
        relay_conn_close(c);
        return;
    }
    if (c->dial_deadline && now >= c->dial_deadline) {
        relay_dial_timeout(c);
        if (c->dead)
            return;
    }
    int64_t idle_at = c->last_active + r->lim.idle_ms;
    if (!c->head_deadline && !c->dialing && now >= idle_at) {
        srt_relay_log(c, SRT_LOG_DEBUG, "idle connection closed");
        relay_conn_close(c);
        return;
    }
    int64_t t = c->head_deadline ? c->head_deadline : idle_at;
    if (c->kick)
        t = now;
    if (c->dial_deadline && c->dial_deadline < t)
        t = c->dial_deadline;
    if (t < *next)
        *next = t;
}

/* Writes queued bytes while the socket takes them. False on a write error. */
bool relay_end_flush(struct relay_end *e, bool *progress)
{
    while (e->out.len && e->writable && e->fd >= 0) {
        ssize_t n = send(e->fd, e->out.data, e->out.len, MSG_NOSIGNAL);
        if (n > 0) {
            relay_buf_drop(&e->out, (size_t)n);
            *progress = true;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            e->writable = false;
        } else {
            return false;
        }
    }
    return true;
}

/* Reads into the in-queue while there is room; a socket error counts as EOF. */
static void relay_end_fill(struct relay_end *e, bool *progress)
{
    while (e->readable && !e->eof && e->fd >= 0 && e->in.len < e->in.max) {
        char chunk[16384];
        size_t want = e->in.max - e->in.len;
        if (want > sizeof chunk)
            want = sizeof chunk;
        ssize_t n = recv(e->fd, chunk, want, 0);
        if (n > 0) {
            if (!relay_buf_put(&e->in, chunk, (size_t)n)) {
                e->eof = true;   /* out of memory: stop reading this end */
                return;
            }
            *progress = true;
        } else if (n == 0) {
            e->eof = true;
            *progress = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            e->readable = false;
        } else {
            e->eof = true;
            *progress = true;
        }
    }
}

struct relay_snap {
    size_t in_c, in_u, out_c, out_u;
    enum relay_state state;
    bool dialing, closing, drop_up, pass_c, pass_u;
    int up_fd;
};

static struct relay_snap relay_snap_take(const struct srt_relay_conn *c)
{
    return (struct relay_snap){
        c->client.in.len, c->up.in.len, c->client.out.len, c->up.out.len,
        c->state, c->dialing, c->closing, c->drop_up, c->pass[SRT_RELAY_CLIENT].on,
        c->pass[SRT_RELAY_UPSTREAM].on, c->up.fd,
    };
}

/* Field by field: padding bytes of the snapshots are indeterminate. */
static bool relay_snap_same(const struct relay_snap *a, const struct relay_snap *b)
{
    return a->in_c == b->in_c && a->in_u == b->in_u && a->out_c == b->out_c &&
           a->out_u == b->out_u && a->state == b->state && a->dialing == b->dialing &&
           a->closing == b->closing && a->drop_up == b->drop_up && a->pass_c == b->pass_c &&
           a->pass_u == b->pass_u && a->up_fd == b->up_fd;
}

void relay_conn_pump(struct srt_relay_conn *c)
{
    struct srt_relay *r = c->relay;
    for (int round = 0; round < RELAY_PUMP_ROUNDS && !c->dead; round++) {
        if (c->state == RELAY_TUNNEL) {
            if (!relay_tunnel_pump(c))
                relay_conn_close(c);
            return;
        }
        bool progress = false;
        if (!relay_end_flush(&c->client, &progress)) {
            relay_conn_close(c);
            return;
        }
        if (c->closing && c->client.out.len == 0) {
            relay_conn_close(c);
            return;
        }
        if (c->up.fd >= 0 && !c->dialing) {
            if (!relay_end_flush(&c->up, &progress)) {
                /* The target stopped reading: nothing more can reach it. */
                c->up.out.len = 0;
                c->up.eof = true;
                c->drop_up = true;
                progress = true;
            }
            if (c->drop_up && c->up.out.len == 0) {
                relay_up_close(c);
                progress = true;
            }
            if (c->pass[SRT_RELAY_UPSTREAM].on) {
                if (!relay_pass_pump(c, SRT_RELAY_UPSTREAM, &progress)) {
                    relay_conn_close(c);
                    return;
                }
            } else {
                relay_end_fill(&c->up, &progress);
            }
            if (c->pass[SRT_RELAY_CLIENT].on && !relay_pass_pump(c, SRT_RELAY_CLIENT, &progress)) {
                relay_conn_close(c);
                return;
            }
        }
        if (!c->pass[SRT_RELAY_CLIENT].on)
            relay_end_fill(&c->client, &progress);
        if (c->closing || c->forward) {
            if (!progress)
                return;
            continue;   /* no protocol work: a final flush, or a forward dialing */
        }

        struct relay_snap before = relay_snap_take(c);
        r->proto->on_step(r->ctx, c);
        if (c->dead)
            return;
        struct relay_snap after = relay_snap_take(c);
        if (!progress && relay_snap_same(&before, &after))
            return;
    }
    /* Still busy after many rounds: come back from the sweep rather than
     * starve the other connections. */
    if (!c->dead)
        relay_kick(c);
}

void relay_kick(struct srt_relay_conn *c)
{
    c->kick = true;
    relay_arm(c->relay, relay_now_ms());
}

void relay_conn_event(struct relay_end *e, uint32_t events)
{
    struct srt_relay_conn *c = e->conn;
    if (c->dead || e->fd < 0)
        return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        e->readable = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        e->writable = true;
    c->last_active = relay_now_ms();
    if (e == &c->up && c->dialing) {
        /* While resolving, up is a kept connection waiting for the decision. */
        if (!c->resolving && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
            relay_dial_connected(c);
        return;
    }
    relay_conn_pump(c);
}

/* ---- the protocol's per-connection calls ---- */

static struct relay_end *relay_side(struct srt_relay_conn *c, enum srt_relay_side side)
{
    return side == SRT_RELAY_CLIENT ? &c->client : &c->up;
}

void *srt_relay_data(const struct srt_relay_conn *c) { return c->data; }
void srt_relay_set_data(struct srt_relay_conn *c, void *data) { c->data = data; }
const struct srt_session *srt_relay_session(const struct srt_relay_conn *c) { return c->session; }

const char *srt_relay_peek(struct srt_relay_conn *c, enum srt_relay_side side, size_t *len)
{
    struct relay_end *e = relay_side(c, side);
    *len = e->in.len;
    return e->in.data ? e->in.data : "";
}

void srt_relay_consume(struct srt_relay_conn *c, enum srt_relay_side side, size_t n)
{
    relay_buf_drop(&relay_side(c, side)->in, n);
}

bool srt_relay_eof(const struct srt_relay_conn *c, enum srt_relay_side side)
{
    return side == SRT_RELAY_CLIENT ? c->client.eof : c->up.eof;
}

int srt_relay_send(struct srt_relay_conn *c, enum srt_relay_side side, const void *p, size_t n)
{
    return relay_buf_put(&relay_side(c, side)->out, p, n) ? SRT_OK : SRT_ERANGE;
}

size_t srt_relay_room(const struct srt_relay_conn *c, enum srt_relay_side side)
{
    const struct relay_buf *b = side == SRT_RELAY_CLIENT ? &c->client.out : &c->up.out;
    return b->max - b->len;
}

void srt_relay_head_timer(struct srt_relay_conn *c, bool on)
{
    c->head_deadline = on ? relay_now_ms() + c->relay->lim.handshake_ms : 0;
    relay_arm(c->relay, c->head_deadline);
    if (!on) {
        c->last_active = relay_now_ms();
        relay_arm(c->relay, c->last_active + c->relay->lim.idle_ms);
    }
}

void srt_relay_drop_upstream(struct srt_relay_conn *c)
{
    if (c->up.fd < 0 || c->dialing)
        return;
    if (c->up.out.len == 0) {
        relay_up_close(c);
    } else {
        c->drop_up = true;
    }
}

void srt_relay_finish(struct srt_relay_conn *c)
{
    c->closing = true;
}

void srt_relay_tunnel(struct srt_relay_conn *c)
{
    relay_tunnel_start(c);
}
