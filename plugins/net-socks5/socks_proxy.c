/* socks_proxy.c - the SOCKS5 protocol on top of the relay: method
 * negotiation (no authentication, or RFC 1929 credentials accepted as
 * attribution only), then one CONNECT request that the relay decides, dials
 * and tunnels. BIND and UDP ASSOCIATE are refused; every refusal is a
 * violation event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srt/event.h>

#include "socks_int.h"
#include "socks_parse.h"

enum socks_phase { SS_GREETING, SS_AUTH, SS_REQUEST, SS_DIAL, SS_DONE };

struct socks_conn {
    enum socks_phase     phase;
    struct socks_request req;
};

static const char *socks_cmd_name(uint8_t cmd)
{
    switch (cmd) {
    case SOCKS_CMD_CONNECT: return "CONNECT";
    case SOCKS_CMD_BIND:    return "BIND";
    case SOCKS_CMD_UDP:     return "UDP ASSOCIATE";
    default:                return "unknown";
    }
}

static void socks_target(const struct socks_request *req, const char *host, char *out,
                         size_t len)
{
    snprintf(out, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, req->port);
}

/* Sends REP and, unless it is success, closes after it. */
static void socks_answer(struct srt_relay_conn *c, struct socks_conn *sc, uint8_t rep)
{
    uint8_t out[SOCKS_REPLY_LEN];
    socks_reply(rep, out);
    srt_relay_send(c, SRT_RELAY_CLIENT, out, sizeof out);
    if (rep != SOCKS_REP_OK) {
        sc->phase = SS_DONE;
        srt_relay_finish(c);
    }
}

static void socks_refuse(struct srt_relay_conn *c, struct socks_conn *sc, uint8_t rep,
                         const char *host, const char *reason)
{
    char target[300];
    socks_target(&sc->req, host, target, sizeof target);
    srt_relay_emit(c, SRT_EV_NET_CONNECT, target, socks_cmd_name(sc->req.cmd), reason);
    srt_relay_log(c, SRT_LOG_DEBUG, "refused %s %s: %s", socks_cmd_name(sc->req.cmd),
                  target, reason);
    socks_answer(c, sc, rep);
}

static bool socks_step(struct srt_relay_conn *c, struct socks_conn *sc)
{
    size_t len, used = 0;
    const uint8_t *p = (const uint8_t *)srt_relay_peek(c, SRT_RELAY_CLIENT, &len);
    int rc = SOCKS_MORE;
    switch (sc->phase) {
    case SS_GREETING: {
        uint8_t method;
        rc = socks_parse_greeting(p, len, &used, &method);
        if (rc != SOCKS_OK)
            break;
        uint8_t out[2] = { 5, method };
        srt_relay_send(c, SRT_RELAY_CLIENT, out, sizeof out);
        srt_relay_consume(c, SRT_RELAY_CLIENT, used);
        if (method == SOCKS_M_REFUSED) {
            sc->phase = SS_DONE;
            srt_relay_finish(c);
            return false;
        }
        sc->phase = method == SOCKS_M_USERPASS ? SS_AUTH : SS_REQUEST;
        return true;
    }
    case SS_AUTH: {
        rc = socks_parse_auth(p, len, &used);
        if (rc != SOCKS_OK)
            break;
        static const uint8_t ok[2] = { 1, 0 };
        srt_relay_send(c, SRT_RELAY_CLIENT, ok, sizeof ok);
        srt_relay_consume(c, SRT_RELAY_CLIENT, used);
        sc->phase = SS_REQUEST;
        return true;
    }
    case SS_REQUEST:
        rc = socks_parse_request(p, len, &used, &sc->req);
        if (rc != SOCKS_OK)
            break;
        srt_relay_consume(c, SRT_RELAY_CLIENT, used);
        if (sc->req.rep != SOCKS_REP_OK) {
            socks_refuse(c, sc, sc->req.rep, sc->req.host, sc->req.why);
            return false;
        }
        sc->phase = SS_DIAL;
        if (srt_relay_dial(c, sc->req.host, sc->req.port) != SRT_OK)
            socks_answer(c, sc, SOCKS_REP_FAILURE);
        return false;
    default:
        return false;
    }
    if (rc == SOCKS_BAD || (rc == SOCKS_MORE && srt_relay_eof(c, SRT_RELAY_CLIENT))) {
        /* Not SOCKS5, or cut short: close without an answer. */
        srt_relay_log(c, SRT_LOG_DEBUG, "malformed SOCKS5 handshake");
        sc->phase = SS_DONE;
        srt_relay_finish(c);
    }
    return false;
}

static int socks_on_open(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    struct socks_conn *sc = calloc(1, sizeof *sc);
    if (!sc)
        return SRT_ENOMEM;
    srt_relay_set_data(c, sc);
    return SRT_OK;
}

static void socks_on_step(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    struct socks_conn *sc = srt_relay_data(c);
    while (socks_step(c, sc))
        ;
}

static void socks_on_dialed(void *ctx, struct srt_relay_conn *c, enum srt_relay_dial how,
                            const struct srt_net_verdict *v)
{
    (void)ctx;
    struct socks_conn *sc = srt_relay_data(c);
    const char *host = v->host[0] ? v->host : sc->req.host;
    switch (how) {
    case SRT_RELAY_DIAL_OK:
        socks_answer(c, sc, SOCKS_REP_OK);
        sc->phase = SS_DONE;
        srt_relay_tunnel(c);
        break;
    case SRT_RELAY_DIAL_DENIED:
    case SRT_RELAY_DIAL_GUARD:
        socks_refuse(c, sc, SOCKS_REP_NOT_ALLOWED, host,
                     v->reason[0] ? v->reason : "not allowed");
        break;
    case SRT_RELAY_DIAL_REFUSED:
        socks_answer(c, sc, SOCKS_REP_REFUSED);
        break;
    default:
        socks_answer(c, sc, SOCKS_REP_HOST_UNREACH);
        break;
    }
}

static void socks_on_close(void *ctx, struct srt_relay_conn *c)
{
    (void)ctx;
    free(srt_relay_data(c));
}

const struct srt_relay_proto socks_proto = {
    .on_open = socks_on_open,
    .on_step = socks_on_step,
    .on_dialed = socks_on_dialed,
    .on_close = socks_on_close,
};
