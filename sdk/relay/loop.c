/* loop.c - the relay's life cycle and its event loop: one thread per relay
 * waiting on an edge-triggered epoll set of listeners, connection ends and
 * one eventfd that carries commands from the main thread and finished
 * resolver jobs. Also the timer sweep (handshake, connect and idle
 * deadlines) and the connection limit applied at accept. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relay_int.h"

#define RELAY_MAX_WAIT_MS 1000
#define RELAY_RETRY_MS    100

int64_t relay_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void relay_wake(struct srt_relay *r)
{
    uint64_t one = 1;
    /* The counter only overflows after 2^64 wakes; EAGAIN still leaves it readable. */
    ssize_t n = write(r->wakefd, &one, sizeof one);
    (void)n;
}

void relay_arm(struct srt_relay *r, int64_t deadline)
{
    if (deadline > 0 && deadline < r->next_sweep)
        r->next_sweep = deadline;
}

static void relay_accept(struct srt_relay *r, struct relay_listener *l)
{
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                /* Out of descriptors or memory: the edge is spent, so retry
                 * from the sweep rather than wait for the next client. */
                r->host->log(r->self, SRT_LOG_WARN, "%s: accept: %s", r->name, strerror(errno));
                relay_arm(r, relay_now_ms() + RELAY_RETRY_MS);
            }
            return;
        }
        if ((int64_t)r->n_conns >= r->lim.max_conns) {
            r->host->log(r->self, SRT_LOG_DEBUG, "%s: connection limit %lld reached",
                         r->name, (long long)r->lim.max_conns);
            close(fd);
            continue;
        }
        relay_conn_new(r, fd, l->session, l->forward_port);
    }
}

static void relay_close_session(struct srt_relay *r, const struct srt_session *s, bool all)
{
    struct relay_listener **lp = &r->listeners;
    while (*lp) {
        struct relay_listener *l = *lp;
        if (all || l->session == s) {
            *lp = l->next;
            close(l->fd);
            free(l);
        } else {
            lp = &l->next;
        }
    }
    for (struct srt_relay_conn *c = r->conns, *nx; c; c = nx) {
        nx = c->next;
        if (all || c->session == s)
            relay_conn_close(c);
    }
}

/* Runs the pending command; returns true when the loop must end. */
static bool relay_run_command(struct srt_relay *r)
{
    bool quit = false;
    pthread_mutex_lock(&r->lock);
    enum relay_cmd_kind cmd = r->cmd;
    struct relay_listener *l = r->cmd_listener;
    const struct srt_session *s = r->cmd_session;
    pthread_mutex_unlock(&r->lock);
    if (!cmd)
        return false;

    switch (cmd) {
    case RELAY_CMD_ATTACH: {
        struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.ptr = &l->tag };
        if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, l->fd, &ev) < 0) {
            r->host->log(r->self, SRT_LOG_ERROR, "%s: watch listener: %s", r->name,
                         strerror(errno));
            close(l->fd);
            free(l);
            l = NULL;
            break;
        }
        l->next = r->listeners;
        r->listeners = l;
        relay_accept(r, l);
        break;
    }
    case RELAY_CMD_DETACH:
        relay_close_session(r, s, false);
        break;
    case RELAY_CMD_STOP:
        relay_close_session(r, NULL, true);
        quit = true;
        break;
    }

    pthread_mutex_lock(&r->lock);
    r->cmd = 0;
    r->cmd_listener = l;
    r->cmd_done = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return quit;
}

static void relay_sweep(struct srt_relay *r)
{
    int64_t now = relay_now_ms();
    int64_t next = INT64_MAX;
    for (struct srt_relay_conn *c = r->conns, *nx; c; c = nx) {
        nx = c->next;
        relay_conn_sweep(c, now, &next);
    }
    r->next_sweep = next;
    for (struct relay_listener *l = r->listeners; l; l = l->next)
        relay_accept(r, l);
}

static void *relay_main(void *arg)
{
    struct srt_relay *r = arg;
    struct epoll_event evs[64];
    bool quit = false;

    while (!quit) {
        int64_t now = relay_now_ms();
        int timeout = RELAY_MAX_WAIT_MS;
        if (r->next_sweep - now < timeout)
            timeout = r->next_sweep > now ? (int)(r->next_sweep - now) : 0;
        int n = epoll_wait(r->epfd, evs, 64, timeout);
        if (n < 0 && errno != EINTR) {
            r->host->log(r->self, SRT_LOG_ERROR, "%s: epoll_wait: %s", r->name, strerror(errno));
            break;
        }
        bool woken = false;
        for (int i = 0; i < n; i++) {
            struct relay_tag *t = evs[i].data.ptr;
            if (t->kind == RELAY_TAG_WAKE) {
                woken = true;
            } else if (t->kind == RELAY_TAG_LISTENER) {
                relay_accept(r, (struct relay_listener *)t);
            } else {
                relay_conn_event((struct relay_end *)t, evs[i].events);
            }
        }
        /* Commands and results after the batch: a detach frees listeners that
         * later events of the same batch may still point at. */
        if (woken) {
            uint64_t v;
            ssize_t rd = read(r->wakefd, &v, sizeof v);
            (void)rd;
            quit = relay_run_command(r);
            struct relay_job *job;
            while ((job = relay_pool_take_done(r)))
                relay_dial_result(job);
        }
        if (relay_now_ms() >= r->next_sweep)
            relay_sweep(r);
        relay_conn_reap(r);
    }
    return NULL;
}

static void relay_command(struct srt_relay *r, enum relay_cmd_kind cmd,
                          struct relay_listener *l, const struct srt_session *s)
{
    pthread_mutex_lock(&r->lock);
    r->cmd = cmd;
    r->cmd_listener = l;
    r->cmd_session = s;
    r->cmd_done = false;
    pthread_mutex_unlock(&r->lock);
    relay_wake(r);
    pthread_mutex_lock(&r->lock);
    while (!r->cmd_done)
        pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

static int relay_limit(const struct srt_host *host, const struct srt_config *cfg,
                       const char *key, int64_t lo, int64_t hi, int64_t *out,
                       struct srt_error *err)
{
    int64_t v;
    int rc = host->cfg_int(cfg, key, &v);
    if (rc == SRT_ENOTFOUND)
        return SRT_OK;
    if (rc != SRT_OK) {
        host->fail(err, rc, "read option %s: not an integer", key);
        return rc;
    }
    if (v < lo || v > hi) {
        host->fail(err, SRT_ERANGE, "option %s = %lld: must be %lld to %lld", key,
                   (long long)v, (long long)lo, (long long)hi);
        return SRT_ERANGE;
    }
    *out = v;
    return SRT_OK;
}

int srt_relay_limits_load(const struct srt_host *host, const struct srt_config *cfg,
                          struct srt_relay_limits *out, struct srt_error *err)
{
    *out = (struct srt_relay_limits){
        .handshake_ms = 10000,
        .idle_ms = 300000,
        .connect_ms = 10000,
        .max_conns = 4096,
        .resolvers = 4,
        .head_max = 64 * 1024,
    };
    int rc;
    if ((rc = relay_limit(host, cfg, "handshake_timeout_ms", 1, 3600000, &out->handshake_ms, err)) ||
        (rc = relay_limit(host, cfg, "idle_timeout_ms", 1, 86400000, &out->idle_ms, err)) ||
        (rc = relay_limit(host, cfg, "connect_timeout_ms", 1, 3600000, &out->connect_ms, err)) ||
        (rc = relay_limit(host, cfg, "max_connections", 1, 1000000, &out->max_conns, err)) ||
        (rc = relay_limit(host, cfg, "resolver_threads", 1, 64, &out->resolvers, err)))
        return rc;
    return SRT_OK;
}

int srt_relay_new(const struct srt_host *host, struct srt_handle *self, const char *name,
                  const struct srt_relay_limits *lim, const struct srt_relay_proto *proto,
                  void *ctx, struct srt_relay **out, struct srt_error *err)
{
    struct srt_relay *r = calloc(1, sizeof *r);
    if (!r) {
        host->fail(err, SRT_ENOMEM, "allocate relay %s", name);
        return SRT_ENOMEM;
    }
    r->host = host;
    r->self = self;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->lim = *lim;
    r->proto = proto;
    r->ctx = ctx;
    r->next_sweep = INT64_MAX;
    r->wake_tag.kind = RELAY_TAG_WAKE;
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    int rc = SRT_EIO;
    if (r->epfd < 0 || r->wakefd < 0) {
        host->fail(err, SRT_EIO, "create event loop of %s: %s", name, strerror(errno));
        goto out_close;
    }
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.ptr = &r->wake_tag };
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->wakefd, &ev) < 0) {
        host->fail(err, SRT_EIO, "watch wake-up of %s: %s", name, strerror(errno));
        goto out_close;
    }
    *out = r;
    return SRT_OK;

out_close:
    if (r->epfd >= 0)
        close(r->epfd);
    if (r->wakefd >= 0)
        close(r->wakefd);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r);
    return rc;
}

/* Start the loop thread (and ready the resolver pool, whose threads come
 * with the first dials). Deferred to the first attach: srt loads its
 * proxies before it knows whether a sandbox will need them, and this way
 * the thread starts while the sandbox is still being built. */
static int relay_start(struct srt_relay *r, struct srt_error *err)
{
    int rc = relay_pool_start(r);
    if (rc != SRT_OK) {
        r->host->fail(err, rc, "start resolver threads of %s", r->name);
        return rc;
    }
    if ((errno = pthread_create(&r->thread, NULL, relay_main, r)) != 0) {
        r->host->fail(err, SRT_EIO, "start loop thread of %s: %s", r->name, strerror(errno));
        relay_pool_stop(r);
        return SRT_EIO;
    }
    r->running = true;
    return SRT_OK;
}

static int relay_attach(struct srt_relay *r, int fd, const struct srt_session *s,
                        uint16_t forward_port, struct srt_error *err)
{
    if (r->stopped) {
        close(fd);
        r->host->fail(err, SRT_EINVAL, "attach listener to %s: relay stopped", r->name);
        return SRT_EINVAL;
    }
    int rc;
    if (!r->running && (rc = relay_start(r, err)) != SRT_OK) {
        close(fd);
        return rc;
    }
    struct relay_listener *l = calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        r->host->fail(err, SRT_ENOMEM, "attach listener to %s", r->name);
        return SRT_ENOMEM;
    }
    l->tag.kind = RELAY_TAG_LISTENER;
    l->fd = fd;
    l->session = s;
    l->forward_port = forward_port;
    /* Edge-triggered accept loops until EAGAIN, so the socket must not block. */
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        r->host->fail(err, SRT_EIO, "attach listener to %s: %s", r->name, strerror(errno));
        close(fd);
        free(l);
        return SRT_EIO;
    }
    relay_command(r, RELAY_CMD_ATTACH, l, s);
    pthread_mutex_lock(&r->lock);
    bool ok = r->cmd_listener != NULL;
    pthread_mutex_unlock(&r->lock);
    if (!ok) {
        r->host->fail(err, SRT_EIO, "attach listener to %s: cannot watch it", r->name);
        return SRT_EIO;
    }
    return SRT_OK;
}

int srt_relay_attach(struct srt_relay *r, int fd, const struct srt_session *s,
                     struct srt_error *err)
{
    return relay_attach(r, fd, s, 0, err);
}

int srt_relay_attach_forward(struct srt_relay *r, int fd, const struct srt_session *s,
                             uint16_t port, struct srt_error *err)
{
    if (port == 0) {
        close(fd);
        r->host->fail(err, SRT_EINVAL, "attach forwarding listener to %s: port 0", r->name);
        return SRT_EINVAL;
    }
    return relay_attach(r, fd, s, port, err);
}

void srt_relay_detach(struct srt_relay *r, const struct srt_session *s)
{
    if (!r->running)
        return;
    relay_command(r, RELAY_CMD_DETACH, NULL, s);
    /* A decision may still be running for a closed connection of s. */
    relay_pool_wait_session(r, s);
}

void srt_relay_stop(struct srt_relay *r)
{
    r->stopped = true;
    if (!r->running)
        return;
    relay_command(r, RELAY_CMD_STOP, NULL, NULL);
    pthread_join(r->thread, NULL);
    r->running = false;
    relay_pool_stop(r);
    relay_conn_reap(r);
}

void srt_relay_free(struct srt_relay *r)
{
    if (!r)
        return;
    srt_relay_stop(r);
    close(r->epfd);
    close(r->wakefd);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r);
}

void srt_relay_emit(struct srt_relay_conn *c, uint32_t kind, const char *target,
                    const char *operation, const char *reason)
{
    struct srt_event ev = {
        .struct_size = sizeof ev,
        .kind = kind,
        .session = c->session ? c->session->id : NULL,
        .command = c->session ? c->session->command : NULL,
        .target = target,
        .operation = operation,
        .reason = reason,
    };
    struct srt_relay *r = c->relay;
    if (r->host->emit(r->self, &ev) != SRT_OK)
        r->host->log(r->self, SRT_LOG_WARN, "%s: emit violation for %s refused", r->name,
                     target ? target : "?");
}

void srt_relay_log(struct srt_relay_conn *c, int level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->relay->host->log(c->relay->self, level, "%s: %s", c->relay->name, line);
}
