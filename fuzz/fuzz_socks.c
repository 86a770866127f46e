/* fuzz_socks.c - libFuzzer target for the net-socks5 parsers: the input is
 * run through greeting, RFC 1929 authentication and request in the order
 * the proxy would, and every consumed count must stay inside the input. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "socks_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t used = 0;
    uint8_t method;
    if (socks_parse_greeting(data, size, &used, &method) != SOCKS_OK)
        return 0;
    assert(used <= size);
    data += used;
    size -= used;
    if (method == SOCKS_M_USERPASS) {
        if (socks_parse_auth(data, size, &used) != SOCKS_OK)
            return 0;
        assert(used <= size);
        data += used;
        size -= used;
    }
    struct socks_request req;
    if (socks_parse_request(data, size, &used, &req) != SOCKS_OK)
        return 0;
    assert(used <= size);
    assert(memchr(req.host, '\0', sizeof req.host) != NULL);
    /* A request left to dial never carries a byte that could cut it short. */
    if (req.rep == SOCKS_REP_OK)
        for (const char *p = req.host; *p; p++)
            assert(*p > 0x20 && *p < 0x7f);
    return 0;
}
