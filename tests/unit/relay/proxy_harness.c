/* proxy_harness.c - the test policy and plugin runner of proxy_harness.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
    memset(h, 0, sizeof *h);
    h->desc = desc;
    h->session = (struct srt_session){
        .struct_size = sizeof h->session,
        .id = "00112233aabbccdd",
        .command = "test",
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
