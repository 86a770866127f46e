/* host.c - the services table handed to every plugin (srt/host.h).
 *
 * Each service resolves the calling plugin from its srt_handle (registry.c)
 * and forwards to the core module that owns the work: the logger, the error
 * buffer, the registry's event fan-out, the deployment config (deploy.c), the
 * event renderer (event.c) and the network decision (netpolicy.c). Nothing
 * here keeps state of its own. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <srt/plugin.h>

#include "deploy_int.h"
#include "errors_int.h"
#include "log_int.h"
#include "netpolicy_int.h"
#include "registry_int.h"

static void host_log(struct srt_handle *self, int level, const char *fmt, ...) SRT_PRINTF(3, 4);
static void host_fail(struct srt_error *err, int code, const char *fmt, ...) SRT_PRINTF(3, 4);

static void host_log(struct srt_handle *self, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    srt_log_from(srt_registry_handle_name(self), level, fmt, ap);
    va_end(ap);
}

static void host_fail(struct srt_error *err, int code, const char *fmt, ...)
{
    /* Format first, then let srt_error_set apply its errno rule to the
     * errno the plugin saw, not one clobbered by the formatting. */
    int saved = errno;
    char msg[SRT_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    errno = saved;
    srt_error_set(err, code, "%s", msg);
}

static int host_emit(struct srt_handle *self, const struct srt_event *ev)
{
    struct srt_registry *reg = srt_registry_handle_owner(self);
    if (!reg)
        return SRT_EINVAL;
    return srt_registry_emit(reg, srt_registry_handle_name(self), ev);
}

/* The policy that governs `session`, else the registry's current one. */
static const struct srt_policy *host_policy(struct srt_handle *self, const struct srt_session *s)
{
    if (s)
        return SRT_HAS(s, struct srt_session, policy) ? s->policy : NULL;
    struct srt_registry *reg = srt_registry_handle_owner(self);
    return reg ? srt_registry_policy(reg) : NULL;
}

/* Without a policy nothing may pass (fail closed). */
static void deny_without_policy(struct srt_net_verdict *v)
{
    v->allow = 0;
    v->literal = 0;
    snprintf(v->reason, sizeof v->reason, "no network policy");
}

static int host_net_decide(struct srt_handle *self, const struct srt_session *session,
                           const char *host, uint16_t port, struct srt_net_verdict *out)
{
    if (!out || out->struct_size < sizeof *out || !host)
        return SRT_EINVAL;
    const struct srt_policy *pol = host_policy(self, session);
    if (pol)
        return srt_netpolicy_decide(pol, host, port, out);
    out->port = port;
    snprintf(out->host, sizeof out->host, "%s", host);
    deny_without_policy(out);
    return SRT_OK;
}

static int host_net_vet(struct srt_handle *self, const struct srt_session *session,
                        struct srt_net_verdict *v, int family, const uint8_t *addr)
{
    if (!v || v->struct_size < sizeof *v || !addr || (family != 4 && family != 6))
        return SRT_EINVAL;
    const struct srt_policy *pol = host_policy(self, session);
    if (pol)
        return srt_netpolicy_vet(pol, v, family, addr);
    deny_without_policy(v);
    return SRT_OK;
}

static const struct srt_host srt_host_services = {
    .struct_size = sizeof(struct srt_host),
    .abi_major = SRT_ABI_MAJOR,
    .abi_minor = SRT_ABI_MINOR,
    .log = host_log,
    .fail = host_fail,
    .emit = host_emit,
    .cfg_str = srt_config_str,
    .cfg_int = srt_config_int,
    .cfg_bool = srt_config_bool,
    .event_json = srt_event_json,
    .net_decide = host_net_decide,
    .net_vet = host_net_vet,
};

const struct srt_host *srt_host_table(void)
{
    return &srt_host_services;
}
