/* srt_connect.c - `srt-connect PROXY_HOST PROXY_PORT HOST PORT`: open a tunnel
 * to HOST:PORT through an HTTP proxy's CONNECT and relay it to stdin/stdout.
 *
 * srt points GIT_SSH_COMMAND's ProxyCommand at this tool, so `git` over ssh
 * inside the sandbox goes through srt's HTTP proxy and its allow-list; it
 * replaces the socat/nc the reference needs. Exit status: 0 after the tunnel
 * closed, 1 when the proxy refused (its status line is printed on stderr),
 * 2 on usage or connection errors. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECT_HEAD_MAX 8192

#if defined(__SANITIZE_ADDRESS__)
/* This tool runs inside the sandbox, whose seccomp filter refuses ptrace, and
 * LeakSanitizer's exit-time scan needs ptrace: in sanitizer builds, turn the
 * leak scan off for this program only (AddressSanitizer stays on). */
__attribute__((visibility("default"))) int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) { return 1; }
#endif

static int connect_proxy(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "srt-connect: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "srt-connect: cannot reach proxy %s:%s: %s\n", host, port, strerror(errno));
    return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read the proxy's answer head; bytes after it (early tunnel data) go to
 * stdout. Returns 0 on "200", 1 on a refusal. */
static int read_answer(int fd)
{
    char head[CONNECT_HEAD_MAX + 1];
    size_t len = 0;
    char *end = NULL;
    while (!end && len < CONNECT_HEAD_MAX) {
        ssize_t n = read(fd, head + len, CONNECT_HEAD_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (!end) {
        fprintf(stderr, "srt-connect: the proxy closed or sent no valid answer\n");
        return 1;
    }
    char *eol = strstr(head, "\r\n");
    *eol = '\0';
    if (strncmp(head, "HTTP/1.", 7) != 0 || strncmp(head + 8, " 200", 4) != 0) {
        fprintf(stderr, "srt-connect: proxy refused: %s\n", head);
        return 1;
    }
    size_t extra = len - (size_t)(end + 4 - head);
    return extra && write_all(1, end + 4, extra) != 0 ? 1 : 0;
}

/* Copy both ways until both directions are closed. */
static int relay(int sock)
{
    char buf[65536];
    int in_open = 1, sock_open = 1;
    while (sock_open) {
        struct pollfd p[2] = { { in_open ? 0 : -1, POLLIN, 0 }, { sock, POLLIN, 0 } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 2;
        }
        if (in_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) {
                in_open = 0;
                shutdown(sock, SHUT_WR);
            } else if (write_all(sock, buf, (size_t)n) != 0) {
                return 2;
            }
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(sock, buf, sizeof buf);
            if (n <= 0)
                sock_open = 0;
            else if (write_all(1, buf, (size_t)n) != 0)
                return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: srt-connect PROXY_HOST PROXY_PORT HOST PORT\n");
        return 2;
    }
    const char *host = argv[3], *port = argv[4];
    if (strpbrk(host, "\r\n ") || strpbrk(port, "\r\n ")) {
        fprintf(stderr, "srt-connect: invalid target %s:%s\n", host, port);
        return 2;
    }
    int sock = connect_proxy(argv[1], argv[2]);
    if (sock < 0)
        return 2;
    char req[1024];
    int bracket = strchr(host, ':') != NULL;   /* IPv6 literal */
    int n = snprintf(req, sizeof req, "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n\r\n",
                     bracket ? "[" : "", host, bracket ? "]" : "", port,
                     bracket ? "[" : "", host, bracket ? "]" : "", port);
    if (n < 0 || (size_t)n >= sizeof req || write_all(sock, req, (size_t)n) != 0) {
        fprintf(stderr, "srt-connect: cannot send the CONNECT request\n");
        close(sock);
        return 2;
    }
    int rc = read_answer(sock);
    if (rc == 0)
        rc = relay(sock);
    close(sock);
    return rc;
}
