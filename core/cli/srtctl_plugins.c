/* srtctl_plugins.c - `srtctl plugins`: every srt-*.so in the deployment's
 * plugin directories with its kind, version, ABI and path, or the loader's
 * reason for refusing it. Plugins are opened and checked, never created. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy_int.h"
#include "loader_int.h"
#include "run_int.h"
#include "srtctl_int.h"

static const char *srtctl_kind_name(uint32_t kind)
{
    switch (kind) {
    case SRT_KIND_ENFORCER: return "enforcer";
    case SRT_KIND_PROXY:    return "proxy";
    case SRT_KIND_MONITOR:  return "monitor";
    }
    return "?";
}

static int srtctl_is_module(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "srt-", 4) == 0 && n > 7 && strcmp(name + n - 3, ".so") == 0;
}

static int srtctl_list_dir(const char *dir, int *count)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        printf("%-14s %-9s %-8s %-5s %s (cannot read directory)\n", "-", "-", "-", "-", dir);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (srtctl_is_module(ents[i]->d_name)) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
            struct srt_plugin *p;
            struct srt_error err;
            memset(&err, 0, sizeof err);
            if (srt_loader_open(path, getuid(), &p, &err) == SRT_OK) {
                const struct srt_plugin_desc *d = srt_loader_desc(p);
                printf("%-14s %-9s %-8s %u.%-3u %s\n", d->name, srtctl_kind_name(d->kind),
                       d->version ? d->version : "?", d->abi_major, d->abi_minor, path);
                srt_loader_close(p);
                (*count)++;
            } else {
                printf("refused: %s\n", err.msg);
                bad = 1;
            }
        }
        free(ents[i]);
    }
    free(ents);
    return bad;
}

int srtctl_plugins(int argc, char **argv)
{
    const char *deploy_path = NULL;
    int rc = srtctl_common_opts("plugins", argc, argv, NULL, &deploy_path);
    if (rc)
        return rc;
    struct srt_deploy *d;
    struct srt_error err;
    memset(&err, 0, sizeof err);
    if (srt_deploy_load(deploy_path, srt_run_home(), &d, &err) != SRT_OK) {
        fprintf(stderr, "srtctl: %s\n", err.msg);
        return 1;
    }
    size_t n_dirs;
    const char *const *dirs = srt_deploy_plugin_path(d, &n_dirs);
    printf("%-14s %-9s %-8s %-5s %s\n", "NAME", "KIND", "VERSION", "ABI", "PATH");
    int count = 0;
    for (size_t i = 0; i < n_dirs; i++)
        rc |= srtctl_list_dir(dirs[i], &count);
    srt_deploy_free(d);
    if (count == 0) {
        fprintf(stderr, "srtctl: no plugins found in the plugin path\n");
        rc = 1;
    }
    return rc;
}
