/* socks_parse.h - SOCKS5 wire format (RFC 1928, RFC 1929) for net-socks5.
 *
 * Host-free and allocation-free, so unit tests and fuzzers call it directly.
 * Each parser looks at the bytes received so far and says whether a whole
 * message is there (SOCKS_OK, *used set), more is needed, or the peer is not
 * speaking SOCKS5 (close without an answer). Usernames and passwords are
 * checked for shape only: they are attribution, never permission. */
#ifndef SOCKS_PARSE_H
#define SOCKS_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum socks_rc { SOCKS_OK = 0, SOCKS_MORE = 1, SOCKS_BAD = -1 };

/* Methods and commands of RFC 1928. */
#define SOCKS_M_NONE     0x00
#define SOCKS_M_USERPASS 0x02
#define SOCKS_M_REFUSED  0xff
#define SOCKS_CMD_CONNECT 0x01
#define SOCKS_CMD_BIND    0x02
#define SOCKS_CMD_UDP     0x03

/* REP codes. */
#define SOCKS_REP_OK          0x00
#define SOCKS_REP_FAILURE     0x01
#define SOCKS_REP_NOT_ALLOWED 0x02
#define SOCKS_REP_HOST_UNREACH 0x04
#define SOCKS_REP_REFUSED     0x05
#define SOCKS_REP_CMD         0x07
#define SOCKS_REP_ATYP        0x08

/* VER NMETHODS METHODS: picks username/password when offered, else no
 * authentication, else SOCKS_M_REFUSED. */
int socks_parse_greeting(const uint8_t *p, size_t len, size_t *used, uint8_t *method);

/* RFC 1929 VER ULEN UNAME PLEN PASSWD (ULEN >= 1). */
int socks_parse_auth(const uint8_t *p, size_t len, size_t *used);

struct socks_request {
    uint8_t     cmd;
    uint8_t     atyp;
    char        host[256];   /* dotted quad, IPv6 text or the domain; NUL-terminated */
    uint16_t    port;
    uint8_t     rep;         /* SOCKS_REP_OK: a CONNECT to dial; else the refusal to send */
    const char *why;         /* reason of a refusal, static */
};

/* VER CMD RSV ATYP DST.ADDR DST.PORT. A whole request that must be refused
 * (BIND, UDP ASSOCIATE, a domain with NUL, control or non-ASCII bytes, port
 * 0, an unknown address type) is SOCKS_OK with req->rep set. */
int socks_parse_request(const uint8_t *p, size_t len, size_t *used, struct socks_request *req);

/* The 10-byte reply VER REP RSV ATYP=1 BND.ADDR=0.0.0.0 BND.PORT=0. */
#define SOCKS_REPLY_LEN 10
void socks_reply(uint8_t rep, uint8_t out[SOCKS_REPLY_LEN]);

#endif
