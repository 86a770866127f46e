/* cli_opts.c - option words with a value, shared by srt and srtctl. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

int srt_cli_value_opt(const char *prog, int argc, char **argv, int *i, const char *name,
                      const char *short_name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && !(short_name && strcmp(a, short_name) == 0))
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: option %s needs a value (see %s --help)\n", prog, a, prog);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}
