/* netpolicy_int.h - the one network decision (DESIGN.md 6), behind host->net_decide.
 *
 * Canonicalise the host, deniedDomains first, then allowedDomains, else deny
 * with a reason. Never resolves a name. */
#ifndef SRT_NETPOLICY_INT_H
#define SRT_NETPOLICY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <srt/host.h>
#include <srt/policy.h>

/* Decide `host`:`port` under `pol`; fills *out (struct_size set by the caller)
 * and returns SRT_OK whatever the verdict, SRT_EINVAL for a NULL or short out. */
int srt_netpolicy_decide(const struct srt_policy *pol, const char *host, uint16_t port,
                         struct srt_net_verdict *out);

/* The resolved-address guard (REFERENCE.md 6.9) behind host->net_vet. */
int srt_netpolicy_vet(const struct srt_policy *pol, struct srt_net_verdict *v, int family,
                      const uint8_t *addr);

/* One deniedResolvedAddresses entry: an IP address ("10.0.0.1", "fd00::1")
 * or a CIDR ("10.0.0.0/8", "fd00::/8"). On success fills *family (4 or 6),
 * addr (4 or 16 bytes used) and *prefix (32/128 for a bare address). Shared
 * by settings validation and the guard so both read entries alike. */
bool srt_netpolicy_cidr_parse(const char *s, int *family, uint8_t addr[16], unsigned *prefix);

#endif
