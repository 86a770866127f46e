/* plugin.c - glue of the net-http proxy plugin.
 *
 * The proxy engine arrives with the network issue; until then attach is left
 * NULL so the core reports "not supported" and a sandbox gets no network at
 * all (fail closed) rather than a fake proxy. */
#include <stdlib.h>

#include <srt/net.h>

struct http_inst {
    const struct srt_host *host;
    struct srt_handle     *self;
};

static int http_create(const struct srt_host *host, struct srt_handle *self,
                       const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    (void)cfg;
    struct http_inst *p = calloc(1, sizeof *p);
    if (!p) {
        host->fail(err, SRT_ENOMEM, "allocate net-http instance");
        return SRT_ENOMEM;
    }
    p->host = host;
    p->self = self;
    *inst = p;
    return SRT_OK;
}

static void http_destroy(void *inst)
{
    free(inst);
}

static const struct srt_proxy_ops http_ops = {
    .struct_size = sizeof(struct srt_proxy_ops),
    .proto = SRT_PROTO_HTTP,
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
