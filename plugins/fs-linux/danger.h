/* danger.h - the dangerous names (REFERENCE.md 3.4), in one place for the
 * plugin's mandatory-deny walk (scan.c), which protects the ones that exist
 * when a sandbox starts, and the launcher's create guard (launch/guard.c),
 * which refuses the ones a command tries to create later (REFERENCE.md W7).
 * Names match case-insensitively: a case-insensitive filesystem would let
 * `.BashRC` stand for `.bashrc`. Plain C on strings; no plugin types. */
#ifndef FSL_DANGER_H
#define FSL_DANGER_H

#include <stdbool.h>

/* Names the scan protects; placeholders are made for these (lower case). */
extern const char *const fsl_danger_files[];
extern const char *const fsl_danger_dirs[];   /* may contain one '/' */

/* Is `name` one of the NULL-terminated `list`? */
bool fsl_danger_name_in(const char *name, const char *const *list);
/* Is `name` the first component of a two-level dangerous directory
 * (".claude")? */
bool fsl_danger_is_parent(const char *name);
/* Is `child` a dangerous directory below `parent` (".claude", "commands")? */
bool fsl_danger_is_child(const char *parent, const char *child);

/* How a name comes into being, for fsl_danger_refused(). */
#define FSL_MAKE_DIR        (1u << 0)  /* mkdir: a new, empty directory */
#define FSL_MAKE_MOVED      (1u << 1)  /* rename or link: brings contents along */
#define FSL_MAKE_GIT_CONFIG (1u << 2)  /* git config is protected (no allowGitConfig) */
#define FSL_MAKE_SYMLINK    (1u << 3)  /* the new name is a symlink */

/* Must a name `name` not come into being in the directory whose absolute
 * path is `dir`, made as `how` says? True for every dangerous file and
 * directory name; for the dangerous children of `.claude`; for `.git` and
 * `.claude` themselves unless made as empty directories (a gitdir pointer
 * file, a symlink or a directory moved in whole would bring what the other
 * rules refuse); and, anywhere below a `.git` directory, for `config`
 * (with FSL_MAKE_GIT_CONFIG), `commondir`, a directory moved in whole, a
 * symlink below the top of the `.git` directory or named `modules` or
 * `worktrees` (either could lead git to hooks elsewhere; git's own symlink
 * probe at the top stays possible), a `hooks` that is not a new
 * empty directory, and anything inside a `hooks` directory but the
 * `*.sample` files git itself never runs. */
bool fsl_danger_refused(const char *dir, const char *name, unsigned how);

#endif /* FSL_DANGER_H */
