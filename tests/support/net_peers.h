/* net_peers.h - small loopback peers for proxy tests (STYLE.md 10).
 *
 * Servers bind 127.0.0.1 port 0 and run on their own thread (one epoll set
 * each), so a test talks to them through the proxy under test. Clients are
 * blocking sockets with a receive timeout, so a broken proxy fails a test
 * instead of hanging it. Test helpers: they report failure by return value
 * and never abort. */
#ifndef SRT_NET_PEERS_H
#define SRT_NET_PEERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct net_peer;

/* Echo server: sends back every byte; when a client half-closes, it
 * half-closes too after echoing everything. NULL on failure. */
struct net_peer *net_echo_start(void);

/* HTTP/1.1 origin: for each complete request (Content-Length or chunked
 * body) answers 200 with a Content-Length body
 *   "<method> <target> host=<Host> body=<decoded body>"
 * Target "/chunked" gets a chunked response, "/eof" a response delimited by
 * closing. It closes after a request carrying "Connection: close". */
struct net_peer *net_origin_start(void);

uint16_t net_peer_port(const struct net_peer *p);
/* Connections accepted so far. */
size_t   net_peer_accepts(const struct net_peer *p);
/* Requests answered so far (origin), and a copy of the i-th request head. */
size_t   net_origin_requests(const struct net_peer *p);
void     net_origin_head(const struct net_peer *p, size_t i, char *buf, size_t len);
void     net_peer_stop(struct net_peer *p);

/* A 127.0.0.1:0 listening socket (backlog 4096); *port gets its port. -1 on failure. */
int     net_listen(uint16_t *port);
/* Blocking TCP connection to 127.0.0.1:port with a receive timeout of
 * timeout_ms (0: 5 s). -1 on failure. */
int     net_connect(uint16_t port, int timeout_ms);
int     net_send_all(int fd, const void *p, size_t n);
int     net_send_str(int fd, const char *s);
/* Reads until `needle` was received, EOF, the timeout or a full buffer;
 * NUL-terminates and returns the byte count (-1 on error before any byte). */
ssize_t net_recv_until(int fd, char *buf, size_t cap, const char *needle);
/* Reads exactly n bytes; returns n, or less on EOF/timeout. */
ssize_t net_recv_n(int fd, void *buf, size_t n);
/* Reads until EOF or timeout; NUL-terminates. */
ssize_t net_recv_all(int fd, char *buf, size_t cap);
/* Did the peer close (EOF) within the timeout? 1 yes, 0 timed out/data. */
int     net_wait_eof(int fd);
/* Open descriptors of this process (entries of /proc/self/fd). */
int     net_count_fds(void);

#endif
