/* paths_int.h - path spelling helpers shared by the core (no policy here).
 *
 * Lexical normalisation, symlink resolution of the existing part of a path,
 * glob detection and containment. Nothing here decides what a path means for
 * the sandbox; settings_paths.c and the enforcers do that. */
#ifndef SRT_PATHS_INT_H
#define SRT_PATHS_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Join `base` (absolute) and `rel` unless `rel` is absolute, then collapse
 * ".", ".." and repeated slashes and drop trailing slashes ("/" stays "/").
 * ".." above the root stays at the root. Returns 0, or -1 if out is too small
 * or the result would not be absolute. */
int srt_paths_lexical(const char *base, const char *rel, char *out, size_t len);

/* Resolve symlinks in the longest existing prefix of the absolute, lexically
 * normal `in`, keeping the part that does not exist yet. Returns 0, or -1 if
 * out is too small. */
int srt_paths_resolve(const char *in, char *out, size_t len);

/* Does `s` contain glob syntax: an unescaped '*' or '?', or a '[' that opens
 * a valid set ("[abc]", "[!a-z]", "[]x]"; no '/' inside)? */
bool srt_paths_has_glob(const char *s);

/* Offset of the first path component holding glob syntax: the length of the
 * literal directory prefix (up to, not including, the slash before it). */
size_t srt_paths_glob_prefix(const char *s);

/* Remove backslash escapes in place ("a\*b" -> "a*b"). */
void srt_paths_unescape(char *s);

/* Is `path` equal to `root` or below it? Both absolute and normalised. */
bool srt_paths_is_under(const char *path, const char *root);

#endif
