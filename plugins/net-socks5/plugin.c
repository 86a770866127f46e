/* plugin.c - glue of the net-socks5 proxy plugin: descriptor, ops table and
 * thin wrappers over the relay engine (sdk/relay), which socks_proxy.c
 * drives with the SOCKS5 protocol. */
#include <stdlib.h>
#include <unistd.h>

#include <srt/net.h>
#include <srt/policy.h>

#include "socks_int.h"

struct socks_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
    struct srt_relay      *relay;
};

static int socks_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    struct srt_relay_limits lim;
    int rc = srt_relay_limits_load(host, cfg, &lim, err);
    if (rc != SRT_OK)
        return rc;
    struct socks_inst *p = calloc(1, sizeof *p);
    if (!p) {
        host->fail(err, SRT_ENOMEM, "allocate net-socks5 instance");
        return SRT_ENOMEM;
    }
    rc = srt_relay_new(host, self, "net-socks5", &lim, &socks_proto, p, &p->relay, err);
    if (rc != SRT_OK) {
        free(p);
        return rc;
    }
    p->host = host;
    p->self = self;
    *inst = p;
    return SRT_OK;
}

static void socks_destroy(void *inst)
{
    struct socks_inst *p = inst;
    srt_relay_free(p->relay);
    free(p);
}

static int socks_attach(void *inst, int listen_fd, const struct srt_session *s,
                       struct srt_error *err)
{
    struct socks_inst *p = inst;
    /* network.socksProxyPort: the operator's own proxy takes this traffic, unfiltered
     * (REFERENCE.md 6.2); say so once per session. */
    int32_t port = s->policy ? s->policy->socks_proxy_port : 0;
    if (port == 0)
        return srt_relay_attach(p->relay, listen_fd, s, err);
    if (port < 0 || port > 65535) {
        close(listen_fd);
        p->host->fail(err, SRT_ERANGE, "attach listener: network.socksProxyPort %d out of range",
                      (int)port);
        return SRT_ERANGE;
    }
    p->host->log(p->self, SRT_LOG_WARN,
                 "network.socksProxyPort is set: SOCKS5 traffic goes to 127.0.0.1:%d unfiltered",
                 (int)port);
    return srt_relay_attach_forward(p->relay, listen_fd, s, (uint16_t)port, err);
}

static void socks_detach(void *inst, const struct srt_session *s)
{
    struct socks_inst *p = inst;
    srt_relay_detach(p->relay, s);
}

static void socks_stop(void *inst)
{
    struct socks_inst *p = inst;
    srt_relay_stop(p->relay);
}

static const struct srt_proxy_ops socks_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_SOCKS5,
    .attach = socks_attach,
    .detach = socks_detach,
    .stop = socks_stop,
};

static const struct srt_plugin_desc socks_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_PROXY),
    .name = "net-socks5",
    .version = SRT_PLUGIN_VERSION,
    .summary = "SOCKS5 proxy (RFC 1928, RFC 1929)",
    .caps = SRT_PROXY_CAP_SOCKS5,
    .create = socks_create,
    .destroy = socks_destroy,
    .ops.proxy = &socks_ops,
};

SRT_PLUGIN_ENTRY(net_socks5) { return &socks_desc; }
