/* plugin.c - glue of the net-http proxy plugin: the descriptor and ops table.
 * The instance and the ops bodies are the relay's shared proxy side
 * (sdk/relay/proxy.c); http_proxy.c drives the connections with the HTTP protocol. */
#include <srt/net.h>
#include <srt/policy.h>

#include "http_int.h"

static int32_t http_external_port(const struct srt_policy *pol)
{
    return pol->http_proxy_port;
}

static const struct srt_relay_proxy_kind http_kind = {
    .name = "net-http",
    .label = "HTTP",
    .port_key = "httpProxyPort",
    .proto = &http_proto,
    .external_port = http_external_port,
};

static int http_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    return srt_relay_proxy_create(&http_kind, host, self, cfg, inst, err);
}

static const struct srt_proxy_ops http_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_HTTP,
    .attach = srt_relay_proxy_attach,
    .detach = srt_relay_proxy_detach,
    .stop = srt_relay_proxy_stop,
};

static const struct srt_plugin_desc http_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_PROXY),
    .name = "net-http",
    .version = SRT_PLUGIN_VERSION,
    .summary = "HTTP/1.1 forward proxy (CONNECT and absolute-form)",
    .caps = SRT_PROXY_CAP_HTTP,
    .create = http_create,
    .destroy = srt_relay_proxy_destroy,
    .ops.proxy = &http_ops,
};

SRT_PLUGIN_ENTRY(net_http) { return &http_desc; }
