/* quote.c - POSIX shell quoting (see quote_int.h). */
#include <stdlib.h>
#include <string.h>

#include "quote_int.h"

static int quote_is_bare(const char *a)
{
    if (!*a || *a == '=')
        return 0;
    for (; *a; a++) {
        char c = *a;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_./:@+,=-", c)))
            return 0;
    }
    return 1;
}

char *srt_quote_argv(const char *const *argv)
{
    size_t len = 1;
    for (size_t i = 0; argv[i]; i++)
        len += strlen(argv[i]) * 5 + 3;   /* worst case: every byte a quote */
    char *out = malloc(len);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            *o++ = ' ';
        if (quote_is_bare(argv[i])) {
            size_t n = strlen(argv[i]);
            memcpy(o, argv[i], n);
            o += n;
            continue;
        }
        *o++ = '\'';
        for (const char *p = argv[i]; *p; p++) {
            if (*p == '\'') {
                memcpy(o, "'\"'\"'", 5);
                o += 5;
            } else {
                *o++ = *p;
            }
        }
        *o++ = '\'';
    }
    *o = '\0';
    return out;
}
