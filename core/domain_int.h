/* domain_int.h - domain patterns and hosts (REFERENCE.md 2.7, 6.7, 6.8).
 *
 * Pure functions, no allocation, no I/O: validation of the patterns written in
 * settings, canonical spelling of patterns and of hosts asked for by a
 * sandboxed client, and matching of one against the other. The network
 * decision (netpolicy.c) is built on these. */
#ifndef SRT_DOMAIN_INT_H
#define SRT_DOMAIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRT_HOST_MAX 256   /* canonical host buffer size incl. NUL */

/* Is `pat` a valid allowedDomains (deny_list false) or deniedDomains
 * (deny_list true) entry? On false, *why (may be NULL) points to a static
 * message saying what a valid entry looks like. */
bool srt_domain_pattern_is_valid(const char *pat, bool deny_list, const char **why);

/* Canonical spelling of a valid pattern into out (lower case, IP literals
 * normalised, port kept as ":N"). Returns 0, or -1 if it does not fit. */
int srt_domain_pattern_canon(const char *pat, char *out, size_t len);

/* Canonicalise a host asked for by a client: lower case, trailing dot
 * removed, IPv4 shorthand/octal/hex/single-number forms to dotted quad,
 * IPv4-mapped IPv6 to IPv4, IPv6 compressed without brackets. Refuses NUL,
 * control characters, '%', '@', non-ASCII, and anything but [a-z0-9._-] or an
 * IP literal. Returns 0, or -1 with *why set to a static reason. */
int srt_host_canon(const char *host, size_t host_len, char *out, size_t len, const char **why);

/* Does canonical pattern `pat` match canonical host `host` on `port`?
 * "*" matches everything; "*.x.y" strict subdomains, never an IP literal;
 * a ":port" suffix restricts the entry to that port. */
bool srt_domain_matches(const char *pat, const char *host, uint16_t port);

/* Is canonical `host` an IP literal (v4 dotted quad or v6)? */
bool srt_host_is_ip(const char *host);

#endif
