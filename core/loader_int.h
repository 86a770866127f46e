/* loader_int.h - opening one plugin and checking its descriptor (STYLE.md 1).
 *
 * srt_loader_open does steps 1-3 of the loader rules (file safety, dlopen,
 * entry, descriptor checks); srt_loader_create step 4; srt_loader_close step 5.
 * Duplicate names are the registry's check (registry_int.h). Every failure
 * message names the file and the check. */
#ifndef SRT_LOADER_INT_H
#define SRT_LOADER_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include <srt/error.h>
#include <srt/plugin.h>

struct srt_plugin;

/* Open the module at `path`. It must be a regular file owned by root or
 * `trusted_uid` and not writable by group or others. Returns SRT_OK,
 * SRT_ENOTFOUND (no such file / no entry symbol), SRT_EPERM (file safety),
 * SRT_EVERSION (ABI major, short struct), SRT_EPLUGIN (other checks),
 * SRT_ENOMEM. *out is new; release with srt_loader_close. */
int srt_loader_open(const char *path, uid_t trusted_uid, struct srt_plugin **out,
                    struct srt_error *err);

/* The same checks for a plugin linked in (SRT_BUILTIN); `label` stands in for
 * the file name in messages. */
int srt_loader_open_builtin(const struct srt_plugin_desc *(*entry)(void), const char *label,
                            struct srt_plugin **out, struct srt_error *err);

/* Call the plugin's create(). On failure the message is
 * "<file>: create failed: <plugin's message>". */
int srt_loader_create(struct srt_plugin *p, const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, struct srt_error *err);

/* destroy() if created, then dlclose. NULL is fine. */
void srt_loader_close(struct srt_plugin *p);

/* The descriptor as the core copied it: zero-padded to the core's size, and
 * its ops pointer leads to a zero-padded copy of the plugin's ops table, so
 * members newer than the plugin read as 0/NULL ("not supported"). */
const struct srt_plugin_desc *srt_loader_desc(const struct srt_plugin *p);
void       *srt_loader_inst(const struct srt_plugin *p);   /* NULL before create */
const char *srt_loader_path(const struct srt_plugin *p);

/* Is `name` a valid plugin name: [a-z0-9-], 1-63 characters? */
bool srt_loader_name_is_valid(const char *name);

#endif
