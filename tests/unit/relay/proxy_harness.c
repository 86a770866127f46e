/* proxy_harness.c - the test policy, plugin runner and scripted peer of
 * proxy_harness.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <srt/policy.h>
#include <srt_relay.h>

#include "fake_host.h"
#include "net_peers.h"
#include "proxy_harness.h"

static size_t harness_n_decisions;

static int harness_decide(const struct srt_session *s, const char *host, uint16_t port,
                          struct srt_net_verdict *out)
{
    (void)s;
    __atomic_add_fetch(&harness_n_decisions, 1, __ATOMIC_RELAXED);
    char canon[256];
    size_t i = 0;
    for (; host[i] && i + 1 < sizeof canon; i++)
        canon[i] = (char)tolower((unsigned char)host[i]);
    canon[i] = '\0';
    out->port = port;
    snprintf(out->host, sizeof out->host, "%s", canon);
    out->literal = strcmp(canon, "127.0.0.1") == 0 || strcmp(canon, "::1") == 0;
    out->allow = out->literal || strcmp(canon, "allowed.test") == 0 ||
                 strcmp(canon, "guarded.test") == 0 || strcmp(canon, "v6.test") == 0 ||
                 strcmp(canon, "nowhere.test") == 0;
    out->reason[0] = '\0';
    if (!out->allow)
        snprintf(out->reason, sizeof out->reason, "%s is not on the allow list",
                 strcmp(canon, "denied.test") == 0 ? "denied.test" : "host");
    return SRT_OK;
}

static int harness_resolve(const char *host, struct srt_relay_addr *out, size_t max)
{
    if (max < 1)
        return -1;
    if (strcmp(host, "allowed.test") == 0 || strcmp(host, "guarded.test") == 0) {
        out[0].family = 4;
        inet_pton(AF_INET, "127.0.0.1", out[0].bytes);
        return 1;
    }
    if (strcmp(host, "v6.test") == 0) {
        out[0].family = 6;
        inet_pton(AF_INET6, "::1", out[0].bytes);
        return 1;
    }
    return -1;
}

static int harness_vet(const struct srt_session *s, struct srt_net_verdict *v, int family,
                       const uint8_t *addr)
{
    (void)s;
    (void)addr;
    if (strcmp(v->host, "guarded.test") == 0 && family == 4) {
        v->allow = 0;
        snprintf(v->reason, sizeof v->reason, "resolved to a loopback address");
    }
    return SRT_OK;
}

void harness_install(void)
{
    fake_host_set_decide(harness_decide);
    fake_host_set_vet(harness_vet);
    srt_relay_set_resolver(harness_resolve);
}

int harness_start(struct proxy_harness *h, const struct srt_plugin_desc *desc)
{
    return harness_start_with(h, desc, NULL);
}

int harness_start_with(struct proxy_harness *h, const struct srt_plugin_desc *desc,
                       const struct srt_policy *pol)
{
    memset(h, 0, sizeof *h);
    h->desc = desc;
    h->session = (struct srt_session){
        .struct_size = sizeof h->session,
        .id = "00112233aabbccdd",
        .command = "test",
        .policy = pol,
    };
    harness_install();
    struct srt_error err = { 0 };
    if (desc->create(fake_host_get(), fake_handle(), fake_config(), &h->inst, &err) != SRT_OK) {
        fprintf(stderr, "create %s: %s\n", desc->name, err.msg);
        return -1;
    }
    int fd = net_listen(&h->port);
    if (fd < 0 || desc->ops.proxy->attach(h->inst, fd, &h->session, &err) != SRT_OK) {
        fprintf(stderr, "attach %s: %s\n", desc->name, err.msg);
        desc->destroy(h->inst);
        h->inst = NULL;
        return -1;
    }
    return 0;
}

void harness_stop(struct proxy_harness *h)
{
    if (!h->inst)
        return;
    h->desc->ops.proxy->detach(h->inst, &h->session);
    h->desc->ops.proxy->stop(h->inst);
    h->desc->destroy(h->inst);
    h->inst = NULL;
    srt_relay_set_resolver(NULL);
}

size_t harness_events(uint32_t kind, const char *target)
{
    size_t n = 0;
    struct fake_event ev;
    for (size_t i = 0; fake_event_get(i, &ev) == 0; i++)
        if (ev.kind == kind && (!target || strcmp(ev.target, target) == 0))
            n++;
    return n;
}

size_t harness_decisions(void)
{
    return __atomic_load_n(&harness_n_decisions, __ATOMIC_RELAXED);
}

/* ---- scripted peer ---- */

struct harness_peer {
    int             lfd;
    uint16_t        port;
    pthread_t       thread;
    const char     *until;
    size_t          expect;
    const void     *reply;
    size_t          reply_len;
    bool            close_after;
    bool            quit;
    pthread_mutex_t lock;
    size_t          conns;
    char           *got;
    size_t          got_len, got_cap;
};

uint8_t harness_byte(unsigned seed, size_t i)
{
    uint32_t x = (uint32_t)(i * 2654435761u) ^ (seed * 40503u);
    return (uint8_t)(x >> 13);
}

/* How many times `until` occurs in what p got. */
static size_t harness_peer_heads(struct harness_peer *p)
{
    size_t n = 0, ul = strlen(p->until);
    for (const char *at = p->got, *end = p->got + p->got_len;
         (at = memmem(at, (size_t)(end - at), p->until, ul)); at += ul)
        n++;
    return n;
}

/* Reads one connection's `served`+1-th request as scripted; false on EOF or
 * timeout. */
static bool harness_peer_read(struct harness_peer *p, int fd, size_t served)
{
    char buf[65536];
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool enough = p->until ? p->got_len && harness_peer_heads(p) > served
                               : p->got_len >= p->expect;
        pthread_mutex_unlock(&p->lock);
        if (enough)
            return true;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) != 1)
            return false;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        pthread_mutex_lock(&p->lock);
        if (p->got_len + (size_t)n > p->got_cap) {
            size_t cap = (p->got_cap ? p->got_cap * 2 : 65536) + (size_t)n;
            char *g = realloc(p->got, cap);
            if (!g) {
                pthread_mutex_unlock(&p->lock);
                return false;
            }
            p->got = g;
            p->got_cap = cap;
        }
        memcpy(p->got + p->got_len, buf, (size_t)n);
        p->got_len += (size_t)n;
        pthread_mutex_unlock(&p->lock);
    }
}

static void *harness_peer_main(void *arg)
{
    struct harness_peer *p = arg;
    for (;;) {
        struct pollfd pfd = { .fd = p->lfd, .events = POLLIN };
        int r = poll(&pfd, 1, 50);
        if (__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE))
            break;
        if (r != 1)
            continue;
        int fd = accept(p->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&p->lock);
        p->got_len = 0;
        p->conns++;
        pthread_mutex_unlock(&p->lock);
        /* With `until`, every request on the connection gets the reply. */
        size_t served = 0;
        while (harness_peer_read(p, fd, served) &&
               net_send_all(fd, p->reply, p->reply_len) == 0 && !p->close_after) {
            served++;
            if (!p->until) {
                char sink[4096];
                struct pollfd cfd = { .fd = fd, .events = POLLIN };
                while (poll(&cfd, 1, 5000) == 1 && recv(fd, sink, sizeof sink, 0) > 0)
                    ;
                break;
            }
        }
        close(fd);
    }
    return NULL;
}

struct harness_peer *harness_peer_start(const char *until, size_t expect, const void *reply,
                                        size_t reply_len, bool close_after)
{
    struct harness_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->until = until;
    p->expect = expect;
    p->reply = reply;
    p->reply_len = reply_len;
    p->close_after = close_after;
    pthread_mutex_init(&p->lock, NULL);
    p->lfd = net_listen(&p->port);
    if (p->lfd < 0 || pthread_create(&p->thread, NULL, harness_peer_main, p) != 0) {
        if (p->lfd >= 0)
            close(p->lfd);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

uint16_t harness_peer_port(const struct harness_peer *p)
{
    return p->port;
}

size_t harness_peer_conns(struct harness_peer *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->conns;
    pthread_mutex_unlock(&p->lock);
    return n;
}

size_t harness_peer_got(struct harness_peer *p, void *buf, size_t cap)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->got_len;
    if (n && cap)
        memcpy(buf, p->got, n < cap ? n : cap);
    pthread_mutex_unlock(&p->lock);
    return n;
}

void harness_peer_stop(struct harness_peer *p)
{
    if (!p)
        return;
    __atomic_store_n(&p->quit, true, __ATOMIC_RELEASE);
    pthread_join(p->thread, NULL);
    close(p->lfd);
    pthread_mutex_destroy(&p->lock);
    free(p->got);
    free(p);
}

/* ---- external proxy ports ---- */

void harness_check_forward(const struct srt_plugin_desc *desc, bool http, const char *key)
{
    enum { UP = 200000, DOWN = 300000 };
    char *up = malloc(UP), *down = malloc(DOWN), *got = malloc(DOWN);   /* DOWN > UP */
    CU_ASSERT_FATAL(up && down && got);
    for (size_t i = 0; i < UP; i++)
        up[i] = (char)harness_byte(2, i);
    for (size_t i = 0; i < DOWN; i++)
        down[i] = (char)harness_byte(3, i);
    struct harness_peer *peer = harness_peer_start(NULL, UP, down, DOWN, false);
    CU_ASSERT_FATAL(peer != NULL);
    struct srt_policy pol = { .struct_size = sizeof pol };
    if (http)
        pol.http_proxy_port = harness_peer_port(peer);
    else
        pol.socks_proxy_port = harness_peer_port(peer);
    struct proxy_harness h;
    CU_ASSERT_FATAL(harness_start_with(&h, desc, &pol) == 0);
    char warn[128];
    snprintf(warn, sizeof warn, "network.%s is set", key);
    CU_ASSERT(fake_log_contains(warn));
    snprintf(warn, sizeof warn, "127.0.0.1:%u unfiltered", harness_peer_port(peer));
    CU_ASSERT(fake_log_contains(warn));
    size_t decided = harness_decisions();

    for (int round = 0; round < 2; round++) {
        int fd = net_connect(h.port, 0);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL(net_send_all(fd, up, UP), 0);
        CU_ASSERT_EQUAL(net_recv_n(fd, got, DOWN), DOWN);
        CU_ASSERT(memcmp(got, down, DOWN) == 0);
        shutdown(fd, SHUT_WR);
        CU_ASSERT(net_wait_eof(fd));
        close(fd);
        CU_ASSERT_EQUAL(harness_peer_got(peer, got, DOWN), UP);
        CU_ASSERT(memcmp(got, up, UP) == 0);
    }
    CU_ASSERT_EQUAL(harness_peer_conns(peer), 2);
    CU_ASSERT_EQUAL(harness_decisions(), decided);
    CU_ASSERT_EQUAL(fake_event_count(), 0);
    harness_stop(&h);
    harness_peer_stop(peer);

    /* Nobody listening on the port: the connection is closed, nothing else. */
    uint16_t dead;
    int lfd = net_listen(&dead);
    close(lfd);
    if (http)
        pol.http_proxy_port = dead;
    else
        pol.socks_proxy_port = dead;
    CU_ASSERT_FATAL(harness_start_with(&h, desc, &pol) == 0);
    int fd = net_connect(h.port, 0);
    CU_ASSERT_FATAL(fd >= 0);
    net_send_all(fd, up, 16);
    CU_ASSERT(net_wait_eof(fd));
    close(fd);
    CU_ASSERT_EQUAL(harness_decisions(), decided);
    harness_stop(&h);
    free(up);
    free(down);
    free(got);
}
