/* run_int.h - one `srt` run end to end (DESIGN.md 1): settings, deployment,
 * plugins, session, launch, proxies, wait, cleanup.
 *
 * Fails closed: any failure before the command starts returns an error and
 * the command is never run outside the sandbox. */
#ifndef SRT_RUN_INT_H
#define SRT_RUN_INT_H

#include <srt/error.h>

struct srt_run_opts {
    const char        *settings_path;  /* --settings, or NULL for ~/.srt-settings.json */
    const char        *deploy_path;    /* --deploy, or NULL for the search order */
    const char        *trace_path;     /* --trace, or NULL */
    const char *const *argv;           /* the command, argv[0] resolved by the sandbox */
    const char        *display;        /* command text for violations and the command key */
    char *const       *envp;           /* the caller's environment */
};

/* Run the command. On success stores the exit status srt should use (the
 * command's own, or 128+N) and returns SRT_OK. Any error means the command did
 * not run: the caller exits 125 after printing err->msg. */
int srt_run(const struct srt_run_opts *o, int *exit_status, struct srt_error *err);

/* The caller's home directory ($HOME, else the password database), static. */
const char *srt_run_home(void);

#endif
