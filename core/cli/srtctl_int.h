/* srtctl_int.h - the srtctl subcommands (DESIGN.md 3.2). Each returns the
 * process exit status: 0 all well, 1 a problem was found, 2 usage error. */
#ifndef SRT_SRTCTL_INT_H
#define SRT_SRTCTL_INT_H

int srtctl_plugins(int argc, char **argv);
int srtctl_doctor(int argc, char **argv);

/* Parse the options shared by subcommands: --settings F, --deploy F.
 * Returns 0, or 2 after printing a usage line. */
int srtctl_common_opts(const char *sub, int argc, char **argv, const char **settings,
                       const char **deploy);

#endif
