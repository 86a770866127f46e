/* fsl_weak.h - the weaker nested mode of fs-linux (DESIGN.md 5.5): the plan
 * for `srt-linux-launch --weak`, for containers where bubblewrap cannot
 * create namespaces.
 *
 * With no mount namespace, Landlock is the whole filesystem layer, and
 * Landlock can only grant: a right given on a directory holds for everything
 * beneath it. So "everything except X" becomes a complement: walk from / to
 * each exception and grant every sibling on the way. Host-free, like the
 * rest of fsl_core. */
#ifndef FSL_WEAK_H
#define FSL_WEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "fsl_int.h"

/* One path of a complement: granted (with everything beneath, unless a
 * deeper entry says otherwise) or not. */
struct fsl_weak_entry {
    const char *path;   /* absolute, normalised */
    bool        grant;
};

/* Append the names in directory `dir` (not "." or "..") to *names, sorted;
 * symlinks are left out (they carry no access of their own: what they point
 * to is governed where it lies). SRT_OK, SRT_EIO when the directory cannot be
 * read, SRT_ENOMEM. */
typedef int (*fsl_weak_list_fn)(const char *dir, struct fsl_vec *names, void *arg);

/* The real lister: the live filesystem, no symlink followed on the way. */
int fsl_weak_list_dir(const char *dir, struct fsl_vec *names, void *arg);

/* The complement: the fewest paths that, each granted with everything
 * beneath, give exactly "the deepest entry at or above a path decides;
 * above every entry, root_grant decides". Entries must have unique paths.
 * A directory with entries of the other kind beneath it gets no rule of its
 * own (Landlock would pass the grant down to them); its children are listed
 * and decided one by one instead. Entries that do not exist are simply not
 * granted, and neither is anything in a directory `list` cannot read
 * (fail closed). Paths are appended to *out in walk order. SRT_OK or
 * SRT_ENOMEM. */
int fsl_weak_complement(const struct fsl_weak_entry *v, size_t n, bool root_grant,
                        fsl_weak_list_fn list, void *arg, struct fsl_vec *out);

struct fsl_weak_in {
    const struct srt_policy *policy;
    const char *state_dir;      /* the ledger's dir: never writable */
    const char *const *own;     /* srt's own files, as fsl_plan_in.own */
    int64_t     scan_budget_ms; /* mandatory-deny walk and globs, 0 = default */
};

struct fsl_weak_plan {
    struct fsl_vec read;        /* --ll-read: read and execute beneath each */
    struct fsl_vec write;       /* --ll-write: every write right beneath each */
    struct fsl_vec warnings;    /* lines for host->log at warn level */
    char           err[FSL_ERRMAX];
};

/* The two allow-lists for in->policy: reads are everything minus denyRead
 * (allowRead and the write roots re-granted beneath it); writes are the
 * write roots minus denyWrite, the mandatory denies the scan finds, the
 * read-denied paths and the ledger's dir. Missing dangerous names get no
 * placeholders in this mode. SRT_OK, or a negative code with out->err set. */
int  fsl_weak_build(const struct fsl_weak_in *in, struct fsl_weak_plan *out);
void fsl_weak_free(struct fsl_weak_plan *plan);

/* Two listening TCP sockets on 127.0.0.1, ports chosen by the kernel, for
 * the HTTP proxy (fds[0], ports[0]) and SOCKS5 (fds[1], ports[1]); close on
 * exec. On failure nothing stays open. */
int  fsl_weak_listen(int fds[2], uint16_t ports[2], char *err, size_t errlen);

/* How the weak stage runs the command: its policy flags and the create
 * guard (launch/guard.c), whose refusals go to report_fd. */
struct fsl_weak_run {
    bool allow_unix;        /* allowAllUnixSockets */
    bool guard;             /* the create guard, under a watcher */
    bool git_config_ok;     /* allowGitConfig: the guard lets git config be made */
    int  report_fd;         /* the guard's report socket (inherited), -1 when off */
};

/* launcher --weak [--allow-unix] --ll-read P... --ll-write P...
 * --connect-port HTTP --connect-port SOCKS [--guard [--allow-git-config]
 * --report-fd N] -- argv..., appended to *out. */
int  fsl_weak_argv(const char *launcher, const struct fsl_weak_plan *plan,
                   const uint16_t ports[2], const struct fsl_weak_run *how,
                   const char *const *argv, struct fsl_vec *out);

#endif /* FSL_WEAK_H */
