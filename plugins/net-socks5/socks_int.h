/* socks_int.h - what the net-socks5 glue (plugin.c) needs from the protocol
 * (socks_proxy.c): its relay callbacks. */
#ifndef SOCKS_INT_H
#define SOCKS_INT_H

#include <srt_relay.h>

extern const struct srt_relay_proto socks_proto;

#endif
