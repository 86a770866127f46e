/* fuzz_host.c - libFuzzer target for the core's host canonicaliser
 * (core/domain_int.h), the first step of every network decision: an
 * accepted host is short, NUL-free, and canonical already (idempotent).
 * Checks abort explicitly rather than through assert(), which release
 * builds compile away. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[SRT_HOST_MAX], again[SRT_HOST_MAX];
    const char *why = NULL;
    if (srt_host_canon((const char *)data, size, out, sizeof out, &why) != 0) {
        if (!why)
            abort();   /* every refusal names its reason */
        return 0;
    }
    size_t n = strnlen(out, sizeof out);
    if (n == sizeof out)
        abort();       /* not terminated */
    if (srt_host_canon(out, n, again, sizeof again, &why) != 0 || strcmp(out, again) != 0)
        abort();       /* canonical form must be stable */
    return 0;
}
