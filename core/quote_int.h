/* quote_int.h - POSIX shell quoting of an argv into one command string
 * (REFERENCE.md 1.3), used for the display text and the command key. */
#ifndef SRT_QUOTE_INT_H
#define SRT_QUOTE_INT_H

/* Quote each argument (bare when made only of [A-Za-z0-9_./:@+,=-] and not
 * starting with '='; otherwise in single quotes with ' written as '"'"') and
 * join with single spaces. Returns a new string, or NULL when out of memory. */
char *srt_quote_argv(const char *const *argv);

#endif
