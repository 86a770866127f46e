/* net_peers.c - the loopback echo server, HTTP origin and client helpers
 * of net_peers.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net_peers.h"

#define PEER_MAX_HEADS 64
#define PEER_BUF_MAX   (1024 * 1024)

enum peer_kind { PEER_ECHO, PEER_ORIGIN };

struct peer_conn {
    int               fd;
    char             *buf;
    size_t            len;
    struct peer_conn *prev, *next;   /* the peer's open connections */
};

struct net_peer {
    enum peer_kind  kind;
    int             lfd;
    int             stopfd;
    int             epfd;
    uint16_t        port;
    pthread_t       thread;
    pthread_mutex_t lock;
    size_t          accepts;
    size_t          requests;
    char           *heads[PEER_MAX_HEADS];
    struct peer_conn listener;
    struct peer_conn *conns;
};

int net_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sin;
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 4096) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

/* Blocking write of everything to a non-blocking peer socket. */
static bool peer_write(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pf = { .fd = fd, .events = POLLOUT };
            if (poll(&pf, 1, 5000) <= 0)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static void peer_close(struct net_peer *p, struct peer_conn *pc)
{
    if (pc->prev)
        pc->prev->next = pc->next;
    else
        p->conns = pc->next;
    if (pc->next)
        pc->next->prev = pc->prev;
    close(pc->fd);
    free(pc->buf);
    free(pc);
}

/* Decodes a chunked body at p; returns its encoded length or 0 if incomplete. */
static size_t peer_unchunk(const char *p, size_t n, char *out, size_t *out_len)
{
    size_t i = 0;
    *out_len = 0;
    for (;;) {
        const char *eol = memmem(p + i, n - i, "\r\n", 2);
        if (!eol)
            return 0;
        size_t size = strtoul(p + i, NULL, 16);
        i = (size_t)(eol - p) + 2;
        if (size == 0) {
            const char *end = memmem(p + i - 2, n - (i - 2), "\r\n\r\n", 4);
            return end ? (size_t)(end - p) + 4 : 0;
        }
        if (n - i < size + 2)
            return 0;
        memcpy(out + *out_len, p + i, size);
        *out_len += size;
        i += size + 2;
    }
}

static const char *peer_header(const char *head, const char *name, char *val, size_t len)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
        if (strncasecmp(l + 2, name, nl) == 0 && l[2 + nl] == ':') {
            const char *v = l + 3 + nl;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            snprintf(val, len, "%.*s", (int)(e - v), v);
            return val;
        }
    }
    return NULL;
}

/* Answers every complete request in pc->buf; false when the connection ends. */
static bool peer_origin_serve(struct net_peer *p, struct peer_conn *pc)
{
    for (;;) {
        char *end = memmem(pc->buf, pc->len, "\r\n\r\n", 4);
        if (!end)
            return true;
        size_t head_len = (size_t)(end - pc->buf) + 4;
        char *head = strndup(pc->buf, head_len);
        char *body = malloc(pc->len + 1);
        if (!head || !body) {
            free(head);
            free(body);
            return false;
        }
        char val[256];
        size_t body_len = 0, used = head_len;
        if (peer_header(head, "Transfer-Encoding", val, sizeof val)) {
            size_t enc = peer_unchunk(pc->buf + head_len, pc->len - head_len, body, &body_len);
            if (!enc) {
                free(head);
                free(body);
                return true;
            }
            used += enc;
        } else if (peer_header(head, "Content-Length", val, sizeof val)) {
            body_len = strtoul(val, NULL, 10);
            if (pc->len - head_len < body_len) {
                free(head);
                free(body);
                return true;
            }
            memcpy(body, pc->buf + head_len, body_len);
            used += body_len;
        }
        body[body_len] = '\0';
        memmove(pc->buf, pc->buf + used, pc->len - used);
        pc->len -= used;

        char method[32] = "", target[1024] = "", host[256] = "";
        sscanf(head, "%31s %1023s", method, target);
        peer_header(head, "Host", host, sizeof host);
        bool close_after = peer_header(head, "Connection", val, sizeof val) &&
                           strcasecmp(val, "close") == 0;
        pthread_mutex_lock(&p->lock);
        if (p->requests < PEER_MAX_HEADS)
            p->heads[p->requests] = strdup(head);
        p->requests++;
        pthread_mutex_unlock(&p->lock);

        size_t rlen = body_len + strlen(method) + strlen(target) + strlen(host) + 32;
        char *reply = malloc(rlen);
        char *msg = malloc(rlen + 128);
        bool ok = reply && msg;
        if (ok) {
            int n = snprintf(reply, rlen, "%s %s host=%s body=%s", method, target, host, body);
            int m;
            if (strcmp(target, "/chunked") == 0)
                m = snprintf(msg, rlen + 128,
                             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
                             n, reply);
            else if (strcmp(target, "/eof") == 0)
                m = snprintf(msg, rlen + 128, "HTTP/1.1 200 OK\r\n\r\n%s", reply);
            else
                m = snprintf(msg, rlen + 128, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s",
                             n, reply);
            ok = peer_write(pc->fd, msg, (size_t)m);
            if (strcmp(target, "/eof") == 0)
                close_after = true;
        }
        free(reply);
        free(msg);
        free(head);
        free(body);
        if (!ok || close_after)
            return false;
    }
}

/* Reads what is there; false when the connection is finished. */
static bool peer_readable(struct net_peer *p, struct peer_conn *pc)
{
    for (;;) {
        char chunk[65536];
        ssize_t n = recv(pc->fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        if (n <= 0) {
            if (p->kind == PEER_ECHO && n == 0)
                shutdown(pc->fd, SHUT_WR);
            return false;
        }
        if (p->kind == PEER_ECHO) {
            if (!peer_write(pc->fd, chunk, (size_t)n))
                return false;
            continue;
        }
        if (pc->len + (size_t)n > PEER_BUF_MAX)
            return false;
        char *nb = realloc(pc->buf, pc->len + (size_t)n);
        if (!nb)
            return false;
        pc->buf = nb;
        memcpy(pc->buf + pc->len, chunk, (size_t)n);
        pc->len += (size_t)n;
        if (!peer_origin_serve(p, pc))
            return false;
    }
}

static void *peer_main(void *arg)
{
    struct net_peer *p = arg;
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(p->epfd, evs, 64, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return NULL;
        for (int i = 0; i < n; i++) {
            struct peer_conn *pc = evs[i].data.ptr;
            if (!pc)
                return NULL;   /* the stop eventfd */
            if (pc->fd == p->lfd) {
                int fd;
                while ((fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct peer_conn *c = calloc(1, sizeof *c);
                    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
                    if (!c || (c->fd = fd, epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)) {
                        close(fd);
                        free(c);
                        continue;
                    }
                    c->next = p->conns;
                    if (p->conns)
                        p->conns->prev = c;
                    p->conns = c;
                    pthread_mutex_lock(&p->lock);
                    p->accepts++;
                    pthread_mutex_unlock(&p->lock);
                }
                continue;
            }
            if (!peer_readable(p, pc))
                peer_close(p, pc);
        }
    }
}

static struct net_peer *peer_start(enum peer_kind kind)
{
    struct net_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->kind = kind;
    pthread_mutex_init(&p->lock, NULL);
    p->lfd = net_listen(&p->port);
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    p->stopfd = eventfd(0, EFD_CLOEXEC);
    if (p->lfd < 0 || p->epfd < 0 || p->stopfd < 0)
        goto fail;
    fcntl(p->lfd, F_SETFL, O_NONBLOCK);
    p->listener.fd = p->lfd;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->listener };
    struct epoll_event sev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->lfd, &ev) < 0 ||
        epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->stopfd, &sev) < 0 ||
        pthread_create(&p->thread, NULL, peer_main, p) != 0)
        goto fail;
    return p;
fail:
    if (p->lfd >= 0)
        close(p->lfd);
    if (p->epfd >= 0)
        close(p->epfd);
    if (p->stopfd >= 0)
        close(p->stopfd);
    free(p);
    return NULL;
}

struct net_peer *net_echo_start(void) { return peer_start(PEER_ECHO); }
struct net_peer *net_origin_start(void) { return peer_start(PEER_ORIGIN); }
uint16_t net_peer_port(const struct net_peer *p) { return p->port; }

size_t net_peer_accepts(const struct net_peer *p)
{
    pthread_mutex_lock((pthread_mutex_t *)&p->lock);
    size_t n = p->accepts;
    pthread_mutex_unlock((pthread_mutex_t *)&p->lock);
    return n;
}

size_t net_origin_requests(const struct net_peer *p)
{
    pthread_mutex_lock((pthread_mutex_t *)&p->lock);
    size_t n = p->requests;
    pthread_mutex_unlock((pthread_mutex_t *)&p->lock);
    return n;
}

void net_origin_head(const struct net_peer *p, size_t i, char *buf, size_t len)
{
    pthread_mutex_lock((pthread_mutex_t *)&p->lock);
    const char *h = i < p->requests && i < PEER_MAX_HEADS ? p->heads[i] : NULL;
    snprintf(buf, len, "%s", h ? h : "");
    pthread_mutex_unlock((pthread_mutex_t *)&p->lock);
}

void net_peer_stop(struct net_peer *p)
{
    if (!p)
        return;
    uint64_t one = 1;
    if (write(p->stopfd, &one, sizeof one) == sizeof one)
        pthread_join(p->thread, NULL);
    while (p->conns)
        peer_close(p, p->conns);
    close(p->lfd);
    close(p->epfd);
    close(p->stopfd);
    for (size_t i = 0; i < PEER_MAX_HEADS; i++)
        free(p->heads[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int net_connect(uint16_t port, int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    if (!timeout_ms)
        timeout_ms = 5000;
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int net_send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int net_send_str(int fd, const char *s)
{
    return net_send_all(fd, s, strlen(s));
}

ssize_t net_recv_until(int fd, char *buf, size_t cap, const char *needle)
{
    size_t len = 0;
    buf[0] = '\0';
    while (len + 1 < cap) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (needle && memmem(buf, len, needle, strlen(needle)))
            break;
    }
    return (ssize_t)len;
}

ssize_t net_recv_n(int fd, void *buf, size_t n)
{
    size_t len = 0;
    while (len < n) {
        ssize_t r = recv(fd, (char *)buf + len, n - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    return (ssize_t)len;
}

ssize_t net_recv_all(int fd, char *buf, size_t cap)
{
    return net_recv_until(fd, buf, cap, NULL);
}

int net_wait_eof(int fd)
{
    char junk[4096];
    for (;;) {
        ssize_t n = recv(fd, junk, sizeof junk, 0);
        if (n == 0)
            return 1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ECONNRESET ? 1 : 0;
    }
}

int net_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;   /* the directory stream itself */
}
