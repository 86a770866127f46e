/* net_client.c - the client side of bench/proxy.sh for what curl cannot time:
 * sequential connections per second and the round-trip latency of one small
 * message, either straight to a TCP echo server or through an HTTP proxy's
 * CONNECT tunnel (the proxy side runs inside srt, against localhost:3128).
 *
 * usage: srt-bench-netcli conns|rtt PROXY_HOST PROXY_PORT HOST PORT COUNT
 *        PROXY_HOST "-" means direct.
 * prints: conns: conns_per_s=<n>      (connect [+ CONNECT] + 1-byte echo + close)
 *         rtt:   p50_us=<x> p99_us=<y> (64-byte ping-pong on one connection) */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CLI_MSG 64

static double cli_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cli_dial(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_INET }, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int cli_read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* A connection to HOST:PORT, through PROXY's CONNECT unless proxy is "-".
 * The answer head is read byte by byte so no tunnel byte is swallowed. */
static int cli_open(const char *phost, const char *pport, const char *host, const char *port)
{
    if (strcmp(phost, "-") == 0)
        return cli_dial(host, port);
    int fd = cli_dial(phost, pport);
    if (fd < 0)
        return -1;
    char req[512], head[2048];
    int n = snprintf(req, sizeof req, "CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n",
                     host, port, host, port);
    if (write(fd, req, (size_t)n) != n)
        goto out_close;
    size_t len = 0;
    while (len < sizeof head - 1) {
        if (read(fd, head + len, 1) != 1)
            goto out_close;
        len++;
        if (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    head[len] = '\0';
    if (strncmp(head, "HTTP/1.1 200", 12) != 0 && strncmp(head, "HTTP/1.0 200", 12) != 0) {
        fprintf(stderr, "srt-bench-netcli: proxy refused: %.*s\n", (int)strcspn(head, "\r"), head);
        goto out_close;
    }
    return fd;
out_close:
    close(fd);
    return -1;
}

static int cli_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cli_conns(char **arg, long count)
{
    char c = 'x';
    double t0 = cli_now_us();
    for (long i = 0; i < count; i++) {
        int fd = cli_open(arg[0], arg[1], arg[2], arg[3]);
        if (fd < 0 || write(fd, &c, 1) != 1 || cli_read_full(fd, &c, 1) != 0) {
            fprintf(stderr, "srt-bench-netcli: connection %ld failed\n", i);
            return 1;
        }
        close(fd);
    }
    printf("conns_per_s=%.0f\n", (double)count * 1e6 / (cli_now_us() - t0));
    return 0;
}

static int cli_rtt(char **arg, long count)
{
    char msg[CLI_MSG];
    double *us = calloc((size_t)count, sizeof *us);
    int fd = cli_open(arg[0], arg[1], arg[2], arg[3]);
    if (!us || fd < 0) {
        fprintf(stderr, "srt-bench-netcli: cannot open the echo connection\n");
        return 1;
    }
    memset(msg, 'p', sizeof msg);
    for (long i = -count / 10; i < count; i++) {   /* the first tenth warms up */
        double t = cli_now_us();
        if (write(fd, msg, sizeof msg) != (ssize_t)sizeof msg ||
            cli_read_full(fd, msg, sizeof msg) != 0) {
            fprintf(stderr, "srt-bench-netcli: echo round trip failed\n");
            return 1;
        }
        if (i >= 0)
            us[i] = cli_now_us() - t;
    }
    close(fd);
    qsort(us, (size_t)count, sizeof *us, cli_cmp);
    printf("p50_us=%.1f p99_us=%.1f\n", us[count / 2], us[count * 99 / 100]);
    free(us);
    return 0;
}

int main(int argc, char **argv)
{
    long count = argc == 7 ? atol(argv[6]) : 0;
    if (count < 1 || (strcmp(argv[1], "conns") != 0 && strcmp(argv[1], "rtt") != 0)) {
        fprintf(stderr, "usage: srt-bench-netcli conns|rtt PROXY_HOST PROXY_PORT HOST PORT COUNT\n");
        return 2;
    }
    return strcmp(argv[1], "conns") == 0 ? cli_conns(argv + 2, count) : cli_rtt(argv + 2, count);
}
