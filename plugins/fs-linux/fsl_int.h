/* fsl_int.h - internal interfaces of the fs-linux enforcer.
 *
 * Everything declared here is host-free: no srt_host, no logging. Failures
 * come back as SRT_E* codes with a message in a caller-owned buffer, and
 * warnings as lines in a string vector, so plugin.c decides what reaches the
 * user and the unit tests can call every function directly. */
#ifndef FSL_INT_H
#define FSL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <srt/error.h>
#include <srt/fs.h>
#include <srt/policy.h>

#include "danger.h"

#define FSL_ERRMAX 512
/* Directories that get placeholders for missing dangerous names (plan.c). */
#define FSL_PLACEHOLDER_DIRS 64
/* Time the mandatory-deny walk may take, before and after the run. */
#define FSL_SCAN_BUDGET_MS 5000

/* ---- util.c: string vectors and path helpers ---- */

/* A growable NULL-terminated vector of owned strings. Zero-initialise. */
struct fsl_vec {
    char  **v;
    size_t  n, cap;
};

int  fsl_vec_push(struct fsl_vec *vec, const char *s);  /* copies s */
int  fsl_vec_pushf(struct fsl_vec *vec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int  fsl_vec_take(struct fsl_vec *vec, char *s);        /* takes s, frees it on failure */
bool fsl_vec_has(const struct fsl_vec *vec, const char *s);
void fsl_vec_free(struct fsl_vec *vec);

/* path equals root or lies below it (both absolute and normalised). */
bool   fsl_path_is_under(const char *path, const char *root);
/* Number of components: "/" is 0, "/a/b" is 2. */
size_t fsl_path_depth(const char *path);
/* a + "/" + b without doubling the slash; NULL when out of memory. */
char  *fsl_path_join(const char *a, const char *b);
/* The parent of an absolute path ("/" for "/a"); NULL when out of memory. */
char  *fsl_path_parent(const char *path);
/* Where a write to `path` would land: symlinks followed, also dangling ones
 * and missing tails (the longest existing prefix is resolved, the rest kept).
 * SRT_OK with a new string in *out, SRT_EINVAL on a symlink cycle (ELOOP),
 * SRT_EIO for other failures, SRT_ENOMEM. */
int    fsl_path_resolve(const char *path, char **out);
/* Open an existing directory for *at() calls without following any symlink
 * on the way (openat2 RESOLVE_NO_SYMLINKS). Returns the fd or -1 (errno). */
int    fsl_open_dir_nofollow(const char *path);
/* The same for any file (O_PATH): also refuses the last component being a
 * symlink (ELOOP). */
int    fsl_open_nofollow(const char *path);
/* Milliseconds of CLOCK_MONOTONIC, for walk budgets. */
int64_t fsl_now_ms(void);

/* ---- glob.c: glob patterns (DESIGN.md 5.3, REFERENCE.md 3.6) ---- */

/* Does `path` match `pattern`? `*` and `?` never cross '/', `**` does,
 * `**` followed by '/' also matches zero directories, `[set]` as fnmatch(3),
 * a '[' that does not form a set is literal. */
bool fsl_glob_match(const char *pattern, const char *path);
/* Does the text contain glob syntax? */
bool fsl_glob_is_pattern(const char *text);

struct fsl_glob_limits {
    int     max_depth;      /* directories below the literal prefix */
    size_t  max_entries;    /* directory entries examined */
    int64_t deadline_ms;    /* fsl_now_ms() value to stop at; 0 = none */
};

/* Expand `pattern` over the live filesystem and append every match (as a
 * resolved absolute path) to *out. A trailing "**" component means the
 * directory itself. Directories the walk cannot read are appended whole when
 * `unreadable_matches` (deny lists fail closed). *truncated is set when a
 * limit stopped the walk. SRT_OK, SRT_EINVAL (first component is a wildcard,
 * message in err), SRT_ENOMEM. */
int fsl_glob_expand(const char *pattern, const struct fsl_glob_limits *lim,
                    bool unreadable_matches, struct fsl_vec *out, bool *truncated,
                    char *err, size_t errlen);

/* ---- scan.c: the mandatory-deny walk (REFERENCE.md 3.4) ---- */

#define FSL_SCAN_GIT_CONFIG (1u << 0)   /* also protect .git/config */

struct fsl_scan {
    struct fsl_vec protect;     /* existing paths to re-bind read-only */
    struct fsl_vec dirs;        /* every directory visited (placeholder sites) */
    struct fsl_vec repos;       /* every .git directory recognised by HEAD */
    bool           truncated;   /* the time budget ran out */
};

/* Walk `root` down to `depth` directory levels (root is level 0). Appends to
 * *sc, so several roots can share one result. Skips node_modules, does not
 * enter .git or dangerous directories. A directory that cannot be read is
 * protected whole. Stops at deadline_ms (0 = none) with sc->truncated set.
 * SRT_OK or SRT_ENOMEM. */
int  fsl_scan_tree(const char *root, int depth, uint32_t flags, int64_t deadline_ms,
                   struct fsl_scan *sc);
/* The flags a policy's scan uses: FSL_SCAN_GIT_CONFIG unless it allows
 * .git/config edits. */
uint32_t fsl_scan_flags(const struct srt_policy *pol);
/* May the sandbox create names in `dir`? Only such roots are scanned. */
typedef bool (*fsl_scan_here_fn)(void *arg, const char *dir);
/* The mandatory-deny scan of a policy: its working directory (resolved),
 * then each of `write_roots` not already named, where `here` says yes, at
 * the policy's depth (3 when unset) with fsl_scan_flags. A scan cut short by
 * deadline_ms adds a warning. SRT_OK or SRT_ENOMEM. */
int  fsl_scan_policy(const struct srt_policy *pol, const struct fsl_vec *write_roots,
                     fsl_scan_here_fn here, void *arg, int64_t deadline_ms,
                     struct fsl_scan *sc, struct fsl_vec *warnings);
void fsl_scan_free(struct fsl_scan *sc);

/* ---- ledger.c: host placeholders and their ledger (REFERENCE.md 3.5) ---- */

struct fsl_ledger;

/* Open (creating 0700 if missing) the per-user state directory `dir` and its
 * ledger for session `session`. Refuses a directory that is a symlink, owned
 * by another user or open to group/others. */
int  fsl_ledger_open(const char *dir, const char *session, struct fsl_ledger **out,
                     char *err, size_t errlen);
/* Remove the placeholders of runs whose srt process is gone and drop their
 * entries. *removed counts deleted placeholders. Takes the ledger lock. */
int  fsl_ledger_sweep(struct fsl_ledger *lg, size_t *removed, char *err, size_t errlen);
/* Create an empty placeholder (regular file, or directory when is_dir) at
 * `path`, whose parent must exist, and record it for this session. Fails with
 * SRT_EEXIST when something already exists there. */
int  fsl_ledger_create(struct fsl_ledger *lg, const char *path, bool is_dir,
                       char *err, size_t errlen);
/* If `path` is a placeholder recorded by another live session, record a
 * reference to it for this one (so it outlives the other run) and return
 * true. */
bool fsl_ledger_adopt(struct fsl_ledger *lg, const char *path);
/* Drop this session's entries; delete each placeholder no other live session
 * refers to, only if it is still empty and still the same inode. */
int  fsl_ledger_release(struct fsl_ledger *lg, size_t *removed);
/* Paths recorded by this session (borrowed). */
const struct fsl_vec *fsl_ledger_paths(const struct fsl_ledger *lg);
void fsl_ledger_close(struct fsl_ledger *lg);

/* For tests: record an entry as if made by process `pid` (start time
 * `start`), which may be dead. */
int  fsl_ledger_record_as(struct fsl_ledger *lg, pid_t pid, uint64_t start,
                          const char *session, const char *path);

/* ---- collect.c: a policy's paths as both plans read them ---- */

/* What policy entries say about a path; several kinds can sit on one. */
#define FSL_DENY_READ  (1u << 0)
#define FSL_ALLOW_READ (1u << 1)
#define FSL_WRITE      (1u << 2)
#define FSL_DENY_WRITE (1u << 3)

/* Takes one resolved path and its kind; SRT_OK or a negative code. */
typedef int (*fsl_collect_fn)(void *arg, const char *path, unsigned kind);

struct fsl_collect {
    fsl_collect_fn  add;
    void           *arg;
    bool            drop_private;  /* drop non-write paths in the private trees too */
    int64_t         deadline_ms;   /* glob walks stop here (fsl_now_ms value) */
    struct fsl_vec *warnings;      /* lines for host->log at warn level */
    char           *err;           /* FSL_ERRMAX bytes, set with a failing code */
};

/* /dev, /proc or /sys, or below: never a write root (bwrap makes its own;
 * the weak plan grants the few devices a command needs itself). */
bool fsl_path_is_private_tree(const char *path);
/* A write root (REFERENCE.md 3.5, 3.7): a missing one is skipped, one that
 * cannot be resolved or is a symlink leading out of its own directory is
 * skipped with a warning, one in a private tree is skipped; otherwise its
 * resolved path goes to c->add as FSL_WRITE. */
int fsl_collect_write_root(const struct fsl_collect *c, const char *path);
/* One policy entry with `kind` (one FSL_* bit): a glob is expanded (a deny
 * glob cut short by the walk limits fails with SRT_ERANGE), FSL_WRITE paths
 * go through fsl_collect_write_root, others are resolved (at the spelling
 * when that fails; a symlink cycle fails with SRT_EINVAL) and passed on. */
int fsl_collect_entry(const struct fsl_collect *c, const struct srt_path_entry *e, unsigned kind);
int fsl_collect_list(const struct fsl_collect *c, const struct srt_path_list *list, unsigned kind);
/* Everything after the write lists, in this order: the private temp
 * directory (made private by the core) as a write root, denyRead, allowRead,
 * denyWrite, then as deny-write `state_dir` (may be NULL) and each of `own`
 * (NULL-terminated, may be NULL): srt's own state and files. */
int fsl_collect_rest(const struct fsl_collect *c, const struct srt_policy *pol,
                     const char *state_dir, const char *const *own);

/* ---- plan.c: policy -> bwrap arguments (DESIGN.md 5.3) ---- */

struct fsl_plan_in {
    const struct srt_policy *policy;
    const char *deny_file;      /* mode-000 empty file bound over read-denied files */
    const char *state_dir;      /* ledger dir: protected when inside a write root */
    bool        disable_userns; /* bwrap has --disable-userns */
    struct fsl_ledger *ledger;  /* placeholders are created and recorded here */
    const char *const *own;     /* srt's own programs and plugins, NULL-terminated
                                   (may be NULL): read-only when inside a write root */
    int64_t     scan_budget_ms; /* mandatory-deny walk and glob budget, 0 = default */
    bool        guarded;        /* the create guard refuses missing dangerous names
                                   when they are made: no placeholders for them */
};

struct fsl_plan {
    struct fsl_vec bwrap;       /* bwrap options, without argv[0] and the command */
    struct fsl_vec ll_write;    /* Landlock write allow-list for the inner stage */
    struct fsl_vec warnings;    /* lines for host->log at warn level */
    struct fsl_vec scan_roots;  /* write roots the mandatory-deny scan walked */
    struct fsl_vec scanned;     /* dangerous paths that existed before the run */
    struct fsl_vec expect;      /* pairs "DEV:INO", destination: each bind's source
                                   identity, checked inside by the inner stage */
    char           err[FSL_ERRMAX];
};

/* Build the bwrap options for in->policy. Creates the placeholders it needs
 * (recorded in in->ledger). SRT_OK, or a negative code with out->err set. */
int  fsl_plan_build(const struct fsl_plan_in *in, struct fsl_plan *out);
void fsl_plan_free(struct fsl_plan *plan);

/* ---- pids.c: the sandbox's process limit (THREATS K11) ---- */

/* For a root caller with max > 0: a pids cgroup for run `id` limited to max
 * processes, at the root of the pids hierarchy; its path in *dir (NULL when
 * the machine has none srt can use, or for other callers, who get
 * RLIMIT_NPROC instead). Empty cgroups of earlier runs are removed. SRT_OK,
 * SRT_EIO (message in err), SRT_ENOMEM. */
int  fsl_pids_cgroup(const char *id, int64_t max, char **dir, char *err, size_t errlen);
/* The root of a pids hierarchy srt can make cgroups in, or NULL. */
const char *fsl_pids_hierarchy(void);
/* For mib > 0: a memory cgroup for run `id` limited to mib MiB (the same
 * directory as the pids cgroup on cgroup v2); its path in *dir. SRT_EPERM
 * with the reason in err where srt cannot make one (not root, no memory
 * controller): the run must not go on without the limit it asked for. */
int  fsl_mem_cgroup(const char *id, int64_t mib, char **dir, char *err, size_t errlen);
/* The root of a memory hierarchy srt can make cgroups in, or NULL. */
const char *fsl_mem_hierarchy(void);
/* Remove a run's cgroup once its processes are gone; NULL is fine. */
void fsl_pids_cgroup_remove(const char *dir);

/* ---- bindfd.c: bind sources as descriptors (THREATS F2) ---- */

/* Open the source of every --bind/--ro-bind in *bwrap (not "/") without
 * following symlinks, send the descriptors on `ctl` (fsl_proto.h) and turn
 * each into --bind-fd/--ro-bind-fd "@K". SRT_EPERM when a source has a
 * symlink on its path now, SRT_EIO, SRT_ENOMEM; message in err. */
int  fsl_bindfd_send(struct fsl_vec *bwrap, int ctl, char *err, size_t errlen);

/* ---- expect.c: identities the inner stage checks (THREATS F2) ---- */

/* Is `opt` a path bind of a bwrap argv (--bind or --ro-bind)? */
bool fsl_is_bind(const char *opt);
/* For the last --bind/--ro-bind to each destination in *bwrap (not "/"),
 * append "DEV:INO" of its source (lstat now) and the destination to *out.
 * SRT_EPERM when a source is a symlink now, SRT_EIO when it is gone,
 * SRT_ENOMEM; message in err. */
int  fsl_expect_binds(const struct fsl_vec *bwrap, struct fsl_vec *out, char *err, size_t errlen);

/* ---- audit.c: dangerous names that appeared during the run ---- */

/* Walk plan->scan_roots again after the run, as the mandatory-deny scan did
 * before it, and append to *out every dangerous path that exists now but was
 * neither in plan->scanned nor a placeholder of `ledger` (may be NULL): the
 * names made where no placeholder could stand (a directory or repository
 * created during the run, below the placeholder cap). Mounts made before the
 * run cannot refuse those; the caller reports them. SRT_OK or SRT_ENOMEM. */
int  fsl_audit_new_names(const struct srt_policy *pol, const struct fsl_plan *plan,
                         const struct fsl_ledger *ledger, struct fsl_vec *out);

/* ---- probe.c: what the machine offers, which mode a run gets ---- */

/* How a run is sandboxed. */
enum fsl_mode {
    FSL_MODE_AUTO = 0,          /* force_mode unset: decided per policy */
    FSL_MODE_BWRAP,
    FSL_MODE_WEAK,              /* weaker nested: Landlock + seccomp, no namespaces */
};

/* The option force_mode: "bwrap" or "weaker-nested"; SRT_EINVAL otherwise. */
int  fsl_mode_parse(const char *text, enum fsl_mode *out, char *err, size_t errlen);
/* The mode for a run under `policy` (may be NULL): `force` unless AUTO;
 * bwrap when user namespaces are allowed, else the weaker nested mode if the
 * policy opts in (enableWeakerNestedSandbox), else bwrap (which will fail). */
enum fsl_mode fsl_mode_for(enum fsl_mode force, const struct srt_policy *policy);
/* bwrapPath when executable, or the first executable bwrap in PATH; a new
 * string, NULL when none. */
char *fsl_find_bwrap(const struct srt_policy *policy);
/* The bwrap options srt uses where they exist: --disable-userns (bwrap >=
 * 0.8) and --bind-fd (>= 0.10, and builds that carry it back, such as
 * Debian 12's 0.8). -1 until asked, then 0 or 1. */
struct fsl_bwrap_caps {
    int disable_userns;
    int bind_fd;
};
#define FSL_BWRAP_CAPS_UNKNOWN { -1, -1 }
/* Both from one read of the binary; 0 when it cannot be read. */
void fsl_bwrap_caps_read(const char *bwrap, struct fsl_bwrap_caps *caps);
/* May user namespaces be created (by this user)? */
bool fsl_userns_allowed(void);

struct fsl_probe_in {
    const struct srt_policy *policy;   /* may be NULL */
    const char              *launcher;
    enum fsl_mode            force;
};

/* Can the launcher's create guard run here (seccomp user notification with
 * SECCOMP_ADDFD_FLAG_SEND)? */
bool fsl_guard_available(void);

/* Check the machine for the mode the policy gets: out->mode, out->usable and
 * out->detail (findings one per line, "ok: ...", "missing: ... (fix: ...)",
 * "degraded: ..."). When bwrap is found, *caps says which options it
 * knows (left alone otherwise). */
void fsl_probe_check(const struct fsl_probe_in *in, struct srt_probe *out,
                     struct fsl_bwrap_caps *caps);

/* ---- launch_argv.c: the launch command and the command's environment ---- */

struct fsl_launch_in {
    const char             *launcher;   /* srt-linux-launch */
    const char             *bwrap;      /* absolute path of bwrap */
    const struct fsl_plan  *plan;       /* bwrap options and Landlock write list */
    const struct srt_policy *policy;    /* flags: allow-unix, nested user namespaces */
    int                     ctl_fd;     /* the outer stage's control socket */
    int                     life_fd;    /* the inner stage's lifeline */
    bool                    userns;     /* unprivileged caller: outer stage makes a userns */
    const char *const      *cgroups;    /* cgroups the outer stage joins (NULL-terminated), or NULL */
    int64_t                 max_procs;  /* RLIMIT_NPROC of the sandbox, 0: none */
    int64_t                 nofile;     /* the caller's soft RLIMIT_NOFILE to restore, 0: none */
    bool                    guard;      /* the create guard (launch/guard.c) */
};

/* launcher --outer --ctl-fd N [--userns] -- bwrap OPTIONS... --
 * launcher --inner --lifeline-fd M [--allow-unix] [--allow-nested-userns]
 * [--guard [--allow-git-config]] [--ll-write P]... -- argv..., appended to
 * *out. SRT_OK or SRT_ENOMEM. */
int  fsl_launch_argv(const struct fsl_launch_in *in, const char *const *argv, struct fsl_vec *out);
/* The outer stage's part of it, launcher --outer --ctl-fd N [--userns]
 * [--cgroup DIR]... [--prestarted], appended to *out (fsl_launch_argv adds "--" and the rest).
 * SRT_OK or SRT_ENOMEM. */
int  fsl_launch_outer_argv(const char *launcher, int ctl_fd, bool userns, bool prestarted,
                           const char *const *cgroups, struct fsl_vec *out);
/* The command's environment (REFERENCE.md 6.10): envp without
 * SANDBOX_RUNTIME (and TMPDIR when the policy sets one and the filesystem
 * layer is on), then SANDBOX_RUNTIME=1 and TMPDIR=<policy tmpdir>, appended
 * to *out. SRT_OK or SRT_ENOMEM. */
int  fsl_launch_env(const struct srt_policy *pol, const char *const *envp, struct fsl_vec *out);
/* <dir of the running executable>/../libexec/srt/srt-linux-launch (resolved
 * when it exists); a new string, NULL when out of memory or unknown. */
char *fsl_launcher_default(void);

/* ---- ctl_recv.c: the outer stage's listener message (fsl_proto.h) ---- */

/* Wait up to timeout_ms for the message on `fd` and check it: magic,
 * version, size, status, descriptor count against n_listeners and `max`,
 * slots. On SRT_OK the listeners are in out[0..*n) (ownership passes to the
 * caller); otherwise SRT_EBACKEND with the reason in err and every received
 * descriptor closed. */
int  fsl_ctl_recv(int fd, int timeout_ms, struct srt_listener *out, size_t max, size_t *n,
                  char *err, size_t errlen);

#endif /* FSL_INT_H */
