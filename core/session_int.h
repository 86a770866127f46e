/* session_int.h - one sandbox run: its id, command key and runtime directory.
 *
 * The runtime directory lives under the per-user runtime base
 * ($XDG_RUNTIME_DIR/srt when that is ours, else /tmp/srt-run-<uid>), which is
 * never the sandbox's TMPDIR: the sandbox must not be able to write the state
 * (ledgers, sockets) that srt later acts on. */
#ifndef SRT_SESSION_INT_H
#define SRT_SESSION_INT_H

#include <srt/error.h>
#include <srt/plugin.h>

struct srt_session_owner;

/* Create a session for `command` (display text) under `policy` (borrowed,
 * must outlive the session): random id, base64 command key of the first 100
 * characters, a fresh 0700 runtime directory. *out is new. */
int  srt_session_new(const char *command, const struct srt_policy *policy,
                     struct srt_session_owner **out, struct srt_error *err);
/* Remove the runtime directory (recursively) and free. NULL is fine. */
void srt_session_free(struct srt_session_owner *o);
/* The ABI view handed to plugins; borrowed. */
const struct srt_session *srt_session_view(const struct srt_session_owner *o);

/* Make sure `path` is a directory owned by the caller with mode 0700 and no
 * symlink anywhere in its last component: create it if missing, refuse it
 * (SRT_EPERM) if it belongs to someone else or is open to others. */
int  srt_session_private_dir(const char *path, struct srt_error *err);

/* The per-user runtime base directory (static storage); created on demand. */
int  srt_session_runtime_base(const char **out, struct srt_error *err);

/* Base64 (RFC 4648, with padding) of len bytes into out; returns the length
 * written, or 0 when out is too small. */
size_t srt_base64_encode(const void *in, size_t len, char *out, size_t out_len);

#endif
