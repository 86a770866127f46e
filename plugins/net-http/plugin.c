/* plugin.c - glue of the net-http proxy plugin: descriptor, ops table and
 * thin wrappers over the relay engine (sdk/relay), which http_proxy.c
 * drives with the HTTP protocol. */
#include <stdlib.h>
#include <unistd.h>

#include <srt/net.h>
#include <srt/policy.h>

#include "http_int.h"

struct http_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
    struct srt_relay      *relay;
};

static int http_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    struct srt_relay_limits lim;
    int rc = srt_relay_limits_load(host, cfg, &lim, err);
    if (rc != SRT_OK)
        return rc;
    struct http_inst *p = calloc(1, sizeof *p);
    if (!p) {
        host->fail(err, SRT_ENOMEM, "allocate net-http instance");
        return SRT_ENOMEM;
    }
    rc = srt_relay_new(host, self, "net-http", &lim, &http_proto, p, &p->relay, err);
    if (rc != SRT_OK) {
        free(p);
        return rc;
    }
    p->host = host;
    p->self = self;
    *inst = p;
    return SRT_OK;
}

static void http_destroy(void *inst)
{
    struct http_inst *p = inst;
    srt_relay_free(p->relay);
    free(p);
}

static int http_attach(void *inst, int listen_fd, const struct srt_session *s,
                       struct srt_error *err)
{
    struct http_inst *p = inst;
    /* network.httpProxyPort: the operator's own proxy takes this traffic, unfiltered
     * (REFERENCE.md 6.2); say so once per session. */
    int32_t port = s->policy ? s->policy->http_proxy_port : 0;
    if (port == 0)
        return srt_relay_attach(p->relay, listen_fd, s, err);
    if (port < 0 || port > 65535) {
        close(listen_fd);
        p->host->fail(err, SRT_ERANGE, "attach listener: network.httpProxyPort %d out of range",
                      (int)port);
        return SRT_ERANGE;
    }
    p->host->log(p->self, SRT_LOG_WARN,
                 "network.httpProxyPort is set: HTTP traffic goes to 127.0.0.1:%d unfiltered",
                 (int)port);
    return srt_relay_attach_forward(p->relay, listen_fd, s, (uint16_t)port, err);
}

static void http_detach(void *inst, const struct srt_session *s)
{
    struct http_inst *p = inst;
    srt_relay_detach(p->relay, s);
}

static void http_stop(void *inst)
{
    struct http_inst *p = inst;
    srt_relay_stop(p->relay);
}

static const struct srt_proxy_ops http_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_HTTP,
    .attach = http_attach,
    .detach = http_detach,
    .stop = http_stop,
};

static const struct srt_plugin_desc http_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_PROXY),
    .name = "net-http",
    .version = SRT_PLUGIN_VERSION,
    .summary = "HTTP/1.1 forward proxy (CONNECT and absolute-form)",
    .caps = SRT_PROXY_CAP_HTTP,
    .create = http_create,
    .destroy = http_destroy,
    .ops.proxy = &http_ops,
};

SRT_PLUGIN_ENTRY(net_http) { return &http_desc; }
