/* net_server.c - the origin side of bench/proxy.sh: a small HTTP/1.1 server
 * that answers `GET /bytes/N` with N bytes (keep-alive unless the request
 * says `Connection: close`) and a TCP echo server, both on 127.0.0.1 with
 * ephemeral ports and one thread per connection. It stays out of the way of
 * the measurement: bodies come from one static buffer, no disk, no logging.
 *
 * usage: srt-bench-netsrv PORTFILE
 * writes "HTTP_PORT=<p>\nECHO_PORT=<p>\n" to PORTFILE once both listen, then
 * serves until killed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SRV_HEAD_MAX 16384
#define SRV_CHUNK (1 << 20)

static char srv_body[SRV_CHUNK];

static int srv_listen(uint16_t *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("srt-bench-netsrv: listen on 127.0.0.1");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int srv_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One response per request head; a head may arrive split or pipelined, so
 * leftover bytes after a head are kept for the next one. */
static void srv_http(int fd)
{
    char buf[SRV_HEAD_MAX + 1];
    size_t have = 0;
    for (;;) {
        char *end;
        buf[have] = '\0';
        while (!(end = strstr(buf, "\r\n\r\n"))) {
            if (have == SRV_HEAD_MAX)
                return;
            ssize_t r = recv(fd, buf + have, SRV_HEAD_MAX - have, 0);
            if (r <= 0)
                return;
            have += (size_t)r;
            buf[have] = '\0';
        }
        end += 4;
        unsigned long long n = 0;
        const char *path = strstr(buf, " /bytes/");
        if (path && path < end)
            n = strtoull(path + 8, NULL, 10);
        char saved = *end;
        *end = '\0';
        int close_after = strcasestr(buf, "\r\nConnection: close") != NULL;
        *end = saved;
        char head[160];
        int hl = snprintf(head, sizeof head,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                          "Content-Length: %llu\r\n%s\r\n", n,
                          close_after ? "Connection: close\r\n" : "");
        if (srv_send_all(fd, head, (size_t)hl) != 0)
            return;
        while (n > 0) {
            size_t part = n < SRV_CHUNK ? (size_t)n : SRV_CHUNK;
            if (srv_send_all(fd, srv_body, part) != 0)
                return;
            n -= part;
        }
        if (close_after)
            return;
        have -= (size_t)(end - buf);
        memmove(buf, end, have);
    }
}

static void srv_echo(int fd)
{
    char buf[65536];
    ssize_t r;
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
        if (srv_send_all(fd, buf, (size_t)r) != 0)
            return;
}

struct srv_conn {
    int fd;
    void (*serve)(int fd);
};

static void *srv_conn_main(void *arg)
{
    struct srv_conn c = *(struct srv_conn *)arg;
    free(arg);
    c.serve(c.fd);
    close(c.fd);
    return NULL;
}

struct srv_listener {
    int fd;
    void (*serve)(int fd);
};

static void *srv_accept_main(void *arg)
{
    const struct srv_listener *l = arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct srv_conn *c = malloc(sizeof *c);
        pthread_t t;
        if (!c) {
            close(fd);
            continue;
        }
        *c = (struct srv_conn){ .fd = fd, .serve = l->serve };
        if (pthread_create(&t, &attr, srv_conn_main, c) != 0) {
            free(c);
            close(fd);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: srt-bench-netsrv PORTFILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(srv_body, 'x', sizeof srv_body);
    uint16_t hp, ep;
    static struct srv_listener http, echo;
    http = (struct srv_listener){ .fd = srv_listen(&hp), .serve = srv_http };
    echo = (struct srv_listener){ .fd = srv_listen(&ep), .serve = srv_echo };
    pthread_t t;
    if (pthread_create(&t, NULL, srv_accept_main, &echo) != 0)
        return 1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "HTTP_PORT=%u\nECHO_PORT=%u\n", hp, ep) < 0 || fclose(f) != 0 ||
        rename(tmp, argv[1]) != 0) {
        perror("srt-bench-netsrv: write the port file");
        return 1;
    }
    srv_accept_main(&http);
    return 0;
}
