/* http_int.h - what the net-http glue (plugin.c) needs from the protocol
 * (http_proxy.c): its relay callbacks. */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <srt_relay.h>

extern const struct srt_relay_proto http_proto;

#endif
