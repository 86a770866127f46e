/* socks_parse.c - the SOCKS5 message parsers of socks_parse.h. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "socks_parse.h"

int socks_parse_greeting(const uint8_t *p, size_t len, size_t *used, uint8_t *method)
{
    if (len >= 1 && p[0] != 5)
        return SOCKS_BAD;
    if (len >= 2 && p[1] == 0)
        return SOCKS_BAD;
    if (len < 2 || len < 2 + (size_t)p[1])
        return SOCKS_MORE;
    bool none = false, userpass = false;
    for (size_t i = 0; i < p[1]; i++) {
        none |= p[2 + i] == SOCKS_M_NONE;
        userpass |= p[2 + i] == SOCKS_M_USERPASS;
    }
    *method = userpass ? SOCKS_M_USERPASS : none ? SOCKS_M_NONE : SOCKS_M_REFUSED;
    *used = 2 + (size_t)p[1];
    return SOCKS_OK;
}

int socks_parse_auth(const uint8_t *p, size_t len, size_t *used)
{
    if (len >= 1 && p[0] != 1)
        return SOCKS_BAD;
    if (len >= 2 && p[1] == 0)
        return SOCKS_BAD;
    if (len < 2 || len < 3 + (size_t)p[1])
        return SOCKS_MORE;
    size_t plen = p[2 + p[1]];
    size_t need = 3 + (size_t)p[1] + plen;
    if (len < need)
        return SOCKS_MORE;
    *used = need;
    return SOCKS_OK;
}

static void socks_refuse(struct socks_request *req, uint8_t rep, const char *why)
{
    if (req->rep == SOCKS_REP_OK) {
        req->rep = rep;
        req->why = why;
    }
}

int socks_parse_request(const uint8_t *p, size_t len, size_t *used, struct socks_request *req)
{
    memset(req, 0, sizeof *req);
    if (len >= 1 && p[0] != 5)
        return SOCKS_BAD;
    if (len >= 3 && p[2] != 0)
        return SOCKS_BAD;
    if (len < 5)
        return SOCKS_MORE;
    req->cmd = p[1];
    req->atyp = p[3];
    size_t addr_len;
    switch (req->atyp) {
    case 1: addr_len = 4; break;
    case 4: addr_len = 16; break;
    case 3: addr_len = 1 + (size_t)p[4]; break;
    default:
        /* The length is unknown, so nothing after it can be read: answer
         * and close. */
        req->rep = SOCKS_REP_ATYP;
        req->why = "unsupported address type";
        *used = len;
        return SOCKS_OK;
    }
    if (len < 4 + addr_len + 2)
        return SOCKS_MORE;
    const uint8_t *a = p + 4;
    if (req->cmd != SOCKS_CMD_CONNECT)
        socks_refuse(req, SOCKS_REP_CMD, req->cmd == SOCKS_CMD_BIND ? "BIND not supported"
                                         : req->cmd == SOCKS_CMD_UDP ? "UDP ASSOCIATE not supported"
                                                                     : "unknown command");
    if (req->atyp == 1) {
        inet_ntop(AF_INET, a, req->host, sizeof req->host);
    } else if (req->atyp == 4) {
        inet_ntop(AF_INET6, a, req->host, sizeof req->host);
    } else {
        size_t n = a[0];
        const char *bad = n ? NULL : "empty domain name";
        for (size_t i = 0; i < n && !bad; i++) {
            uint8_t c = a[1 + i];
            /* NUL would cut the name short in C (THREATS N5). */
            if (c == 0)
                bad = "domain name contains NUL";
            else if (c <= 0x20 || c >= 0x7f)
                bad = "domain name contains control or non-ASCII bytes";
            req->host[i] = (char)c;
        }
        if (bad) {
            socks_refuse(req, SOCKS_REP_NOT_ALLOWED, bad);
            snprintf(req->host, sizeof req->host, "(malformed)");
        }
    }
    req->port = (uint16_t)(a[addr_len] << 8 | a[addr_len + 1]);
    *used = 4 + addr_len + 2;
    if (req->port == 0)
        socks_refuse(req, SOCKS_REP_NOT_ALLOWED, "port 0");
    return SOCKS_OK;
}

void socks_reply(uint8_t rep, uint8_t out[SOCKS_REPLY_LEN])
{
    memset(out, 0, SOCKS_REPLY_LEN);
    out[0] = 5;
    out[1] = rep;
    out[3] = 1;
}
