/* plugin.c - glue of the net-socks5 proxy plugin: the descriptor and ops table.
 * The instance and the ops bodies are the relay's shared proxy side
 * (sdk/relay/proxy.c); socks_proxy.c drives the connections with the SOCKS5 protocol. */
#include <srt/net.h>
#include <srt/policy.h>

#include "socks_int.h"

static int32_t socks_external_port(const struct srt_policy *pol)
{
    return pol->socks_proxy_port;
}

static const struct srt_relay_proxy_kind socks_kind = {
    .name = "net-socks5",
    .label = "SOCKS5",
    .port_key = "socksProxyPort",
    .proto = &socks_proto,
    .external_port = socks_external_port,
};

static int socks_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    return srt_relay_proxy_create(&socks_kind, host, self, cfg, inst, err);
}

static const struct srt_proxy_ops socks_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_SOCKS5,
    .attach = srt_relay_proxy_attach,
    .detach = srt_relay_proxy_detach,
    .stop = srt_relay_proxy_stop,
};

static const struct srt_plugin_desc socks_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_PROXY),
    .name = "net-socks5",
    .version = SRT_PLUGIN_VERSION,
    .summary = "SOCKS5 proxy (RFC 1928, RFC 1929)",
    .caps = SRT_PROXY_CAP_SOCKS5,
    .create = socks_create,
    .destroy = srt_relay_proxy_destroy,
    .ops.proxy = &socks_ops,
};

SRT_PLUGIN_ENTRY(net_socks5) { return &socks_desc; }
