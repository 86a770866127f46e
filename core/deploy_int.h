/* deploy_int.h - the deployment config srt.conf (libconfig, DESIGN.md 3.4).
 *
 * Which plugin directories to search, which enforcer, proxies and monitors to
 * load, and one option group per plugin. Search order: the explicit path
 * (--deploy), $SRT_DEPLOY, $XDG_CONFIG_HOME/srt/srt.conf (else
 * ~/.config/srt/srt.conf), <sysconfdir>/srt/srt.conf, else the built-in
 * default: the platform enforcer, both proxies and the monitor, with the
 * plugin directory next to the running executable (../lib/srt/plugins). */
#ifndef SRT_DEPLOY_INT_H
#define SRT_DEPLOY_INT_H

#include <stddef.h>

#include <srt/error.h>
#include <srt/host.h>

struct srt_deploy;

/* `explicit_path` (may be NULL) must exist when given. `home` resolves "~/".
 * On error returns SRT_EDEPLOY with "<file>:<line>: <what>" in err->msg. */
int  srt_deploy_load(const char *explicit_path, const char *home,
                     struct srt_deploy **out, struct srt_error *err);
/* Parse srt.conf text; `name` is used in messages. */
int  srt_deploy_parse(const char *text, const char *name, const char *home,
                      struct srt_deploy **out, struct srt_error *err);
void srt_deploy_free(struct srt_deploy *d);

/* "built-in" or the file that was read. */
const char *srt_deploy_source(const struct srt_deploy *d);
const char *const *srt_deploy_plugin_path(const struct srt_deploy *d, size_t *n);
const char *srt_deploy_enforcer(const struct srt_deploy *d);   /* never NULL */
const char *const *srt_deploy_proxies(const struct srt_deploy *d, size_t *n);
const char *const *srt_deploy_monitors(const struct srt_deploy *d, size_t *n);
/* The option group of plugin `name`; an empty group when srt.conf has none.
 * Borrowed, valid until srt_deploy_free. */
const struct srt_config *srt_deploy_config(const struct srt_deploy *d, const char *name);

/* The host->cfg_* services. */
int srt_config_str(const struct srt_config *cfg, const char *key, const char **out);
int srt_config_int(const struct srt_config *cfg, const char *key, int64_t *out);
int srt_config_bool(const struct srt_config *cfg, const char *key, int *out);
/* An empty group, for plugins loaded outside a deployment (tests, srtctl). */
const struct srt_config *srt_config_empty(void);

/* Directory holding the running executable (static storage), e.g. /usr/bin. */
const char *srt_deploy_exe_dir(void);


/* Set string option `key` of plugin `name` (creating its group), e.g. the
 * monitor's trace path from `srt --trace FILE`. The value is copied. */
int srt_deploy_set_str(struct srt_deploy *d, const char *name, const char *key,
                       const char *value, struct srt_error *err);

#endif
