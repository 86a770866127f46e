/* proxy.c - the plugin side shared by every proxy built on the relay: an
 * instance that owns one relay, and the srt_proxy_ops bodies (attach with
 * the external-port rule of REFERENCE.md 6.2, detach, stop). A proxy
 * plugin's glue only names its protocol and wires these in. */
#include <stdlib.h>
#include <unistd.h>

#include <srt/policy.h>

#include "srt_relay.h"

struct srt_relay_proxy {
    const struct srt_host     *host;
    struct srt_handle         *self;
    struct srt_relay          *relay;
    const struct srt_relay_proxy_kind *kind;
};

int srt_relay_proxy_create(const struct srt_relay_proxy_kind *kind, const struct srt_host *host,
                           struct srt_handle *self, const struct srt_config *cfg, void **inst,
                           struct srt_error *err)
{
    struct srt_relay_limits lim;
    int rc = srt_relay_limits_load(host, cfg, &lim, err);
    if (rc != SRT_OK)
        return rc;
    struct srt_relay_proxy *p = calloc(1, sizeof *p);
    if (!p) {
        host->fail(err, SRT_ENOMEM, "allocate %s instance", kind->name);
        return SRT_ENOMEM;
    }
    rc = srt_relay_new(host, self, kind->name, &lim, kind->proto, p, &p->relay, err);
    if (rc != SRT_OK) {
        free(p);
        return rc;
    }
    p->host = host;
    p->self = self;
    p->kind = kind;
    *inst = p;
    return SRT_OK;
}

void srt_relay_proxy_destroy(void *inst)
{
    struct srt_relay_proxy *p = inst;
    srt_relay_free(p->relay);
    free(p);
}

int srt_relay_proxy_attach(void *inst, int listen_fd, const struct srt_session *s,
                           struct srt_error *err)
{
    struct srt_relay_proxy *p = inst;
    const struct srt_relay_proxy_kind *k = p->kind;
    /* An external proxy port set for this protocol: the operator's own proxy
     * takes the traffic, unfiltered (REFERENCE.md 6.2); say so per session. */
    int32_t port = s->policy ? k->external_port(s->policy) : 0;
    if (port == 0)
        return srt_relay_attach(p->relay, listen_fd, s, err);
    if (port < 0 || port > 65535) {
        close(listen_fd);
        p->host->fail(err, SRT_ERANGE, "attach listener: network.%s %d out of range", k->port_key,
                      (int)port);
        return SRT_ERANGE;
    }
    p->host->log(p->self, SRT_LOG_WARN, "network.%s is set: %s traffic goes to 127.0.0.1:%d unfiltered",
                 k->port_key, k->label, (int)port);
    return srt_relay_attach_forward(p->relay, listen_fd, s, (uint16_t)port, err);
}

void srt_relay_proxy_detach(void *inst, const struct srt_session *s)
{
    struct srt_relay_proxy *p = inst;
    srt_relay_detach(p->relay, s);
}

void srt_relay_proxy_stop(void *inst)
{
    struct srt_relay_proxy *p = inst;
    srt_relay_stop(p->relay);
}
