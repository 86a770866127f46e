/* registry_int.h - the set of plugins loaded for one srt run, and the host
 * services they call back into (host.c).
 *
 * The registry finds srt-<name>.so in the plugin directories, refuses a second
 * plugin of the same name, creates each with the shared host table and its
 * own srt_handle, routes events to monitors, and unloads in reverse order. */
#ifndef SRT_REGISTRY_INT_H
#define SRT_REGISTRY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <srt/host.h>
#include <srt/plugin.h>

#include "loader_int.h"

struct srt_registry;

int  srt_registry_new(uid_t trusted_uid, struct srt_registry **out, struct srt_error *err);
/* Destroy and dlclose every plugin, last loaded first. NULL is fine. */
void srt_registry_free(struct srt_registry *reg);

/* Load plugin `name` (file srt-<name>.so in the first of dirs[] that has it),
 * check that its kind is `kind` (0: any), refuse a duplicate name, create it
 * with `cfg`. *out (may be NULL) is borrowed, owned by the registry. */
int srt_registry_load(struct srt_registry *reg, const char *name, uint32_t kind,
                      const char *const *dirs, size_t n_dirs, const struct srt_config *cfg,
                      struct srt_plugin **out, struct srt_error *err);
/* Load the module at an explicit path (srtctl, tests). */
int srt_registry_load_path(struct srt_registry *reg, const char *path, uint32_t kind,
                           const struct srt_config *cfg, struct srt_plugin **out,
                           struct srt_error *err);
/* Register a built-in (SRT_BUILTIN) plugin. */
int srt_registry_load_builtin(struct srt_registry *reg,
                              const struct srt_plugin_desc *(*entry)(void), const char *label,
                              const struct srt_config *cfg, struct srt_plugin **out,
                              struct srt_error *err);

size_t             srt_registry_count(const struct srt_registry *reg);
struct srt_plugin *srt_registry_get(const struct srt_registry *reg, size_t i);
struct srt_plugin *srt_registry_find(const struct srt_registry *reg, const char *name);

/* The policy host->net_decide uses when its session argument is NULL.
 * Borrowed; must outlive the registry's use of it. */
void srt_registry_set_policy(struct srt_registry *reg, const struct srt_policy *pol);

/* Stamp, copy and fan out an event to every monitor whose mask wants it
 * (what host->emit does for plugins; the core calls it directly). */
int srt_registry_emit(struct srt_registry *reg, const char *source, const struct srt_event *ev);

/* The services table handed to every plugin (static, never NULL). */
const struct srt_host *srt_host_table(void);

/* Render an event as one JSON line (the host->event_json service). */
int srt_event_json(const struct srt_event *ev, char *buf, size_t len, size_t *need);

/* Copy `ev` into the zeroed core-sized *out, reading no member beyond
 * ev->struct_size. Returns SRT_EINVAL when ev is NULL, shorter than 1.0 or its
 * kind is not exactly one SRT_EV_* bit. Pointers in *out stay borrowed. */
int srt_event_copy(const struct srt_event *ev, struct srt_event *out);
/* The dotted name of an event kind ("fs.write"), or NULL when unknown. */
const char *srt_event_kind_name(uint32_t kind);

/* For the host services: the plugin a handle stands for and its registry. */
const char          *srt_registry_handle_name(const struct srt_handle *self);
struct srt_registry *srt_registry_handle_owner(const struct srt_handle *self);
/* The policy set with srt_registry_set_policy, or NULL. */
const struct srt_policy *srt_registry_policy(const struct srt_registry *reg);

#endif
