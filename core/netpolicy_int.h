/* netpolicy_int.h - the one network decision (DESIGN.md 6), behind host->net_decide.
 *
 * Canonicalise the host, deniedDomains first, then allowedDomains, else deny
 * with a reason. Never resolves a name. */
#ifndef SRT_NETPOLICY_INT_H
#define SRT_NETPOLICY_INT_H

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

#endif
