/* plugin.c - glue of the net-socks5 proxy plugin.
 *
 * The proxy engine arrives with the network issue; until then attach is left
 * NULL so the core reports "not supported" and a sandbox gets no network at
 * all (fail closed) rather than a fake proxy. */
#include <stdlib.h>

#include <srt/net.h>

struct socks_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
};

static int socks_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    (void)cfg;
    struct socks_inst *p = calloc(1, sizeof *p);
    if (!p) {
        host->fail(err, SRT_ENOMEM, "allocate net-socks5 instance");
        return SRT_ENOMEM;
    }
    p->host = host;
    p->self = self;
    *inst = p;
    return SRT_OK;
}

static void socks_destroy(void *inst)
{
    free(inst);
}

static const struct srt_proxy_ops socks_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_SOCKS5,
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
