/* srt_main.c - the `srt` front end: parse the command line, run the command
 * in the sandbox, exit with its status (DESIGN.md 3.1).
 *
 * Option parsing stops at the first word that is not an option, so
 * `srt sh -c 'echo $0' x` runs sh with its own -c. Exit status: the
 * command's, 128+N for a signal, 125 when srt could not set up the sandbox,
 * 2 for a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "errors_int.h"
#include "log_int.h"
#include "quote_int.h"
#include "run_int.h"

#define SRT_EXIT_USAGE 2
#define SRT_EXIT_SETUP 125

extern char **environ;

static void srt_usage(FILE *f)
{
    fputs("usage: srt [options] [--] COMMAND [ARGS...]\n"
          "       srt [options] -c 'COMMAND LINE'\n"
          "Run a command under filesystem and network restrictions.\n"
          "\n"
          "  -s, --settings FILE  settings file (default ~/.srt-settings.json)\n"
          "  -c LINE              run LINE with bash -c (sh -c where bash is absent)\n"
          "  -d, --debug          debug logging on stderr (also SRT_DEBUG=1)\n"
          "      --deploy FILE    deployment config (default: $SRT_DEPLOY, ~/.config/srt/srt.conf,\n"
          "                       /etc/srt/srt.conf, built-in)\n"
          "      --trace FILE     append violations to FILE as JSON lines\n"
          "  -V, --version        print the version\n"
          "  -h, --help           print this help\n"
          "\n"
          "Options end at the first word that is not an option; everything from the\n"
          "command on reaches the command unchanged. Exit status: the command's own,\n"
          "128+N when it died of signal N, 125 when srt could not set up the sandbox.\n",
          f);
}

/* bash from PATH as an absolute path, else /bin/sh (REFERENCE.md 1.3). */
static const char *srt_shell(char *buf, size_t len)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && path[0] == '/' && (size_t)snprintf(buf, len, "%.*s/bash", (int)n, path) < len &&
            access(buf, X_OK) == 0)
            return buf;
        path += n + (path[n] == ':');
    }
    return "/bin/sh";
}

int main(int argc, char **argv)
{
    struct srt_run_opts o;
    memset(&o, 0, sizeof o);
    const char *line = NULL;
    const char *dbg = getenv("SRT_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        srt_log_set_level(SRT_LOG_DEBUG);

    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            srt_usage(stdout);
            return 0;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            puts(SRT_VERSION);
            return 0;
        }
        if (strcmp(a, "-d") == 0 || strcmp(a, "--debug") == 0) {
            srt_log_set_level(SRT_LOG_DEBUG);
            continue;
        }
        if ((r = srt_cli_value_opt("srt", argc, argv, &i, "--settings", "-s", &o.settings_path)) ||
            (r = srt_cli_value_opt("srt", argc, argv, &i, "--deploy", NULL, &o.deploy_path)) ||
            (r = srt_cli_value_opt("srt", argc, argv, &i, "--trace", NULL, &o.trace_path)) ||
            (r = srt_cli_value_opt("srt", argc, argv, &i, "-c", NULL, &line))) {
            if (r < 0)
                return SRT_EXIT_USAGE;
            continue;
        }
        fprintf(stderr, "srt: unknown option %s (see srt --help)\n", a);
        return SRT_EXIT_USAGE;
    }

    char shell[4096];
    const char *shell_argv[4];
    char *display = NULL;
    if (line) {
        if (i < argc) {
            fprintf(stderr, "srt: -c takes the whole command line; found extra word \"%s\"\n", argv[i]);
            return SRT_EXIT_USAGE;
        }
        shell_argv[0] = srt_shell(shell, sizeof shell);
        shell_argv[1] = "-c";
        shell_argv[2] = line;
        shell_argv[3] = NULL;
        o.argv = shell_argv;
        o.display = line;
    } else if (i < argc) {
        o.argv = (const char *const *)argv + i;
        display = srt_quote_argv(o.argv);
        if (!display) {
            fprintf(stderr, "srt: out of memory\n");
            return SRT_EXIT_SETUP;
        }
        o.display = display;
    } else {
        fprintf(stderr, "srt: no command given: use srt [--] COMMAND [ARGS...] or srt -c 'LINE'\n");
        return SRT_EXIT_USAGE;
    }
    o.envp = environ;

    struct srt_error err;
    memset(&err, 0, sizeof err);
    int status = SRT_EXIT_SETUP;
    if (srt_run(&o, &status, &err) != SRT_OK) {
        fprintf(stderr, "srt: %s\n", err.msg);
        status = SRT_EXIT_SETUP;
    }
    free(display);
    return status;
}
