/* srtctl_main.c - `srtctl`: everything that is not running a command
 * (DESIGN.md 3.2): check settings, list plugins, diagnose the machine. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli_int.h"
#include "errors_int.h"
#include "run_int.h"
#include "settings_int.h"
#include "srtctl_int.h"

static void srtctl_usage(FILE *f)
{
    fputs("usage: srtctl check [--settings FILE]   validate settings, print the normalised policy\n"
          "       srtctl plugins [--deploy FILE]   list plugins: name, kind, version, ABI, path\n"
          "       srtctl doctor [--deploy FILE] [--settings FILE]\n"
          "                                        backends, kernel features, dependencies\n"
          "       srtctl --version | --help\n",
          f);
}

int srtctl_common_opts(const char *sub, int argc, char **argv, const char **settings,
                       const char **deploy)
{
    for (int i = 0; i < argc; i++) {
        int r = 0;
        if (settings)
            r = srt_cli_value_opt("srtctl", argc, argv, &i, "--settings", "-s", settings);
        if (!r && deploy)
            r = srt_cli_value_opt("srtctl", argc, argv, &i, "--deploy", NULL, deploy);
        if (r < 0)
            return 2;
        if (!r) {
            fprintf(stderr, "srtctl %s: unexpected argument %s\n", sub, argv[i]);
            return 2;
        }
    }
    return 0;
}

static int srtctl_check(int argc, char **argv)
{
    const char *path = NULL;
    int rc = srtctl_common_opts("check", argc, argv, &path, NULL);
    if (rc)
        return rc;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "srtctl: cannot read the working directory: %s\n", strerror(errno));
        return 1;
    }
    struct srt_settings_ctx ctx = { .cwd = cwd, .home = srt_run_home(), .tmpdir = NULL };
    struct srt_settings *s;
    struct srt_error err;
    memset(&err, 0, sizeof err);
    if (srt_settings_load(path, &ctx, &s, &err) != SRT_OK) {
        fprintf(stderr, "srtctl: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < srt_settings_warning_count(s); i++)
        fprintf(stderr, "srtctl: warning: %s\n", srt_settings_warning_get(s, i));
    json_t *j = srt_settings_to_json(s);
    rc = 1;
    if (j && json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
        fputc('\n', stdout);
        rc = 0;
    }
    json_decref(j);
    srt_settings_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        srtctl_usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        srtctl_usage(stdout);
        return 0;
    }
    if (strcmp(sub, "-V") == 0 || strcmp(sub, "--version") == 0) {
        puts(SRT_VERSION);
        return 0;
    }
    if (strcmp(sub, "check") == 0)
        return srtctl_check(argc - 2, argv + 2);
    if (strcmp(sub, "plugins") == 0)
        return srtctl_plugins(argc - 2, argv + 2);
    if (strcmp(sub, "doctor") == 0)
        return srtctl_doctor(argc - 2, argv + 2);
    fprintf(stderr, "srtctl: unknown subcommand %s\n", sub);
    srtctl_usage(stderr);
    return 2;
}
