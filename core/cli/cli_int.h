/* cli_int.h - helpers shared by the srt and srtctl front ends. */
#ifndef SRT_CLI_INT_H
#define SRT_CLI_INT_H

/* If argv[*i] is option `name` ("--settings") or its short form `short_name`
 * ("-s", may be NULL), store its value (the next word, or the text after
 * "--settings=") in *value, advance *i past it and return 1. A missing value
 * prints a usage line for `prog` and returns -1. Otherwise returns 0. */
int srt_cli_value_opt(const char *prog, int argc, char **argv, int *i, const char *name,
                      const char *short_name, const char **value);

#endif
