/* test_danger.c - the dangerous names and the rule for making new ones
 * (danger.c): every listed name refused at any depth and in any case, the
 * two-level `.claude` entries, and the rules that hold inside a `.git`
 * tree, each next to the nearest name or place that stays allowed. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cu_main.h"
#include "danger.h"

/* Directories the listed names are tried in: the root, a shallow and a
 * deep one, and one whose components merely look like the special ones. */
static const char *const dg_dirs[] = {
    "/", "/home/u", "/home/u/a/b/c/d/e/f/g", "/srv/x.git/hooks-not", "/home/u/.git2/hooks",
    NULL,
};

/* Every way of making a name, as guard_ops.c passes them. */
static const unsigned dg_hows[] = {
    0, FSL_MAKE_DIR, FSL_MAKE_MOVED, FSL_MAKE_DIR | FSL_MAKE_MOVED, FSL_MAKE_GIT_CONFIG,
    FSL_MAKE_DIR | FSL_MAKE_GIT_CONFIG,
};
#define DG_N_HOWS (sizeof dg_hows / sizeof dg_hows[0])

/* `name` with every other letter upper case, so ".bashrc" becomes
 * ".BaShRc": a case-insensitive filesystem would take it for the name. */
static void dg_mixed_case(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        out[i] = (char)(i % 2 ? toupper((unsigned char)name[i]) : name[i]);
    out[i] = '\0';
}

/* Is `name` refused in every test directory, made every way, as written,
 * in upper case and in mixed case? */
static void dg_assert_refused_everywhere(const char *name)
{
    char upper[64], mixed[64];
    size_t i;

    for (i = 0; name[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[i] = '\0';
    dg_mixed_case(name, mixed, sizeof mixed);
    for (size_t d = 0; dg_dirs[d]; d++) {
        for (size_t h = 0; h < DG_N_HOWS; h++) {
            const char *forms[] = { name, upper, mixed };
            for (size_t f = 0; f < 3; f++) {
                bool refused = fsl_danger_refused(dg_dirs[d], forms[f], dg_hows[h]);
                if (!refused)
                    fprintf(stderr, "allowed: %s in %s (how %#x)\n", forms[f], dg_dirs[d],
                            dg_hows[h]);
                CU_ASSERT(refused);
            }
        }
    }
}

static void test_listed_names_refused(void)
{
    size_t n = 0;

    for (size_t i = 0; fsl_danger_files[i]; i++, n++)
        dg_assert_refused_everywhere(fsl_danger_files[i]);
    for (size_t i = 0; fsl_danger_dirs[i]; i++) {
        if (strchr(fsl_danger_dirs[i], '/'))
            continue;       /* two-level entries: below */
        dg_assert_refused_everywhere(fsl_danger_dirs[i]);
        n++;
    }
    /* the nine files of REFERENCE.md 3.4, .envrc (THREATS F5, F11), .vscode
     * and .idea */
    CU_ASSERT_EQUAL(n, 12);
    CU_ASSERT(fsl_danger_refused("/p", ".BashRC", 0));
    CU_ASSERT(fsl_danger_refused("/p", ".MCP.json", FSL_MAKE_MOVED));
    CU_ASSERT(fsl_danger_refused("/p/q", ".VSCode", FSL_MAKE_DIR));
}

/* Whether `name` may be made in `dir` as `how` says. */
struct dg_case {
    const char *dir;
    const char *name;
    unsigned    how;
    bool        refused;
};

static void dg_check(const struct dg_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct dg_case *c = &cases[i];
        bool got = fsl_danger_refused(c->dir, c->name, c->how);
        if (got != c->refused)
            fprintf(stderr, "%s: %s in %s (how %#x)\n", got ? "refused" : "allowed", c->name,
                    c->dir, c->how);
        CU_ASSERT_EQUAL(got, c->refused);
    }
}

#define DG_CHECK(cases) dg_check(cases, sizeof(cases) / sizeof((cases)[0]))

#define MK_DIR   FSL_MAKE_DIR
#define MK_MOVED FSL_MAKE_MOVED
#define MK_GITC  FSL_MAKE_GIT_CONFIG
#define MK_LINK  FSL_MAKE_SYMLINK

static void test_ordinary_names_allowed(void)
{
    static const struct dg_case cases[] = {
        { "/home/u", "README.md", 0, false },
        { "/home/u", "src", MK_DIR, false },
        { "/home/u", "src", MK_DIR | MK_MOVED, false },
        { "/home/u", "notes", MK_MOVED, false },
        { "/", "etc", MK_DIR, false },
        { "/", "x", 0, false },
        /* near misses of listed names */
        { "/home/u", ".gitignore", 0, false },
        { "/home/u", ".bashrc.bak", 0, false },
        { "/home/u", "bashrc", 0, false },
        { "/home/u", "x.bashrc", 0, false },
        { "/home/u", ".bashrc~", MK_MOVED, false },
        { "/home/u", ".vscodex", MK_DIR, false },
        { "/home/u", ".claude.json", 0, false },
        { "/home/u", ".gits", MK_DIR | MK_MOVED, false },
        { "/home/u", "git", 0, false },
        /* git's words mean nothing outside a .git tree */
        { "/home/u", "config", MK_GITC, false },
        { "/home/u", "config", MK_DIR | MK_GITC, false },
        { "/home/u", "commondir", 0, false },
        { "/home/u/.github", "config", MK_GITC, false },
        { "/srv/x.git", "config", MK_GITC, false },
        { "/srv/x.git", "commondir", 0, false },
        /* nor do .claude's children outside .claude */
        { "/home/u", "commands", MK_DIR, false },
        { "/home/u", "agents", MK_MOVED, false },
        { "/home/u/.claudex", "commands", MK_DIR, false },
        { "/home/u/claude", "agents", 0, false },
        { "/", "commands", MK_DIR, false },
    };
    DG_CHECK(cases);
}

/* `.claude` may appear only as a new, empty directory; its dangerous
 * children never, whatever the case, while other names inside it may. */
static void test_claude(void)
{
    static const struct dg_case cases[] = {
        { "/home/u", ".claude", MK_DIR, false },
        { "/home/u/a/b/c/d", ".claude", MK_DIR, false },
        { "/home/u", ".CLAUDE", MK_DIR, false },
        { "/", ".claude", MK_DIR, false },
        { "/home/u", ".claude", 0, true },                  /* a file or a symlink */
        { "/home/u", ".claude", MK_MOVED, true },
        { "/home/u", ".claude", MK_DIR | MK_MOVED, true },        /* a directory moved in */
        { "/home/u", ".Claude", MK_MOVED, true },
        { "/home/u/.claude", "commands", MK_DIR, true },
        { "/home/u/.claude", "commands", 0, true },
        { "/home/u/.claude", "commands", MK_DIR | MK_MOVED, true },
        { "/home/u/.claude", "agents", MK_DIR, true },
        { "/home/u/.claude", "agents", MK_MOVED, true },
        { "/home/u/.claude", "Commands", MK_DIR, true },
        { "/home/u/.Claude", "AGENTS", 0, true },
        { "/home/u/.claude/", "agents", MK_DIR, true },        /* a trailing slash */
        { "/a/b/c/d/e/.claude", "commands", 0, true },
        { "/home/u/.claude", "settings.json", 0, false },
        { "/home/u/.claude", "projects", MK_DIR, false },
        { "/home/u/.claude", "commands.bak", MK_MOVED, false },
    };
    DG_CHECK(cases);
}

/* `.git` may appear only as a new, empty directory (git init): a gitdir
 * pointer file, a symlink or a whole directory moved in would bring hooks
 * or config past the rules below. */
static void test_git_itself(void)
{
    static const struct dg_case cases[] = {
        { "/home/u", ".git", MK_DIR, false },
        { "/home/u", ".git", MK_DIR | MK_GITC, false },
        { "/home/u/a/b/c/d/e", ".git", MK_DIR, false },
        { "/", ".git", MK_DIR, false },
        { "/home/u", ".GIT", MK_DIR, false },
        { "/home/u/.git/modules", ".git", MK_DIR, false },
        { "/home/u", ".git", 0, true },                     /* file or symlink */
        { "/home/u", ".git", MK_GITC, true },
        { "/home/u", ".git", MK_MOVED, true },                 /* link or rename target */
        { "/home/u", ".git", MK_DIR | MK_MOVED, true },
        { "/home/u", ".Git", 0, true },
        { "/", ".git", MK_MOVED, true },
    };
    DG_CHECK(cases);
}

static void test_inside_git(void)
{
    static const struct dg_case cases[] = {
        /* config: only while git config is protected */
        { "/r/.git", "config", 0, false },
        { "/r/.git", "config", MK_MOVED, false },
        { "/r/.git", "config", MK_GITC, true },
        { "/r/.git", "CONFIG", MK_GITC, true },
        { "/r/.git", "config", MK_MOVED | MK_GITC, true },
        { "/r/.git", "config", MK_DIR | MK_GITC, true },
        { "/r/.git/modules/sub", "config", MK_GITC, true },     /* a submodule's gitdir */
        { "/r/.GIT/worktrees/w", "config", MK_GITC, true },
        { "/r/.git", "config.lock", MK_GITC, false },          /* the rename after it is checked */
        /* commondir: always, it points git at other config and hooks */
        { "/r/.git", "commondir", 0, true },
        { "/r/.git", "commondir", MK_MOVED, true },
        { "/r/.git/worktrees/w", "commondir", 0, true },
        { "/r/.git", "CommonDir", MK_DIR, true },
        /* hooks: a new empty directory only */
        { "/r/.git", "hooks", MK_DIR, false },
        { "/r/.git", "HOOKS", MK_DIR | MK_GITC, false },
        { "/r/.git/modules/m", "hooks", MK_DIR, false },
        { "/r/.git", "hooks", 0, true },
        { "/r/.git", "hooks", MK_MOVED, true },
        { "/r/.git", "hooks", MK_DIR | MK_MOVED, true },
        { "/r/.git/modules/m", "Hooks", 0, true },
        /* inside hooks: git's own *.sample files, nothing else */
        { "/r/.git/hooks", "pre-commit.sample", 0, false },
        { "/r/.git/hooks", "pre-push.SAMPLE", MK_MOVED, false },
        { "/r/.git/modules/m/hooks", "update.sample", 0, false },
        { "/r/.git/hooks", "pre-commit", 0, true },
        { "/r/.git/hooks", "pre-commit", MK_MOVED, true },
        { "/r/.git/hooks", "post-checkout", MK_DIR, true },
        { "/r/.git/hooks", ".sample", 0, true },            /* no name before the suffix */
        { "/r/.git/hooks", "x.sample.sh", 0, true },
        { "/r/.git/hooks", "sub", MK_DIR, true },
        { "/r/.git/hooks/sub", "x", 0, true },
        { "/r/.git/HOOKS", "pre-commit", 0, true },
        { "/r/.git/modules/m/hooks", "post-checkout", 0, true },
        /* everything else in a repository is git's own business */
        { "/r/.git", "HEAD", 0, false },
        { "/r/.git", "index.lock", MK_MOVED, false },
        { "/r/.git", "objects", MK_DIR, false },
        { "/r/.git", "index", MK_MOVED, false },
        /* but no directory moved in whole: it would bring its own hooks */
        { "/r/.git", "objects", MK_DIR | MK_MOVED, true },
        { "/r/.git/modules", "sub", MK_DIR | MK_MOVED, true },
        { "/r/.git/worktrees", "w", MK_DIR | MK_MOVED, true },
        { "/r/.git/modules", "sub", MK_DIR, false },
        { "/r/.git/objects/ab", "cdef0123", 0, false },
        { "/r/.git", "modules", MK_DIR, false },
        { "/r/.git/refs", "heads", MK_DIR, false },
        { "/r/.git", "description", MK_GITC, false },
        /* a symlink could lead git to hooks prepared elsewhere: refused
         * below the top of .git and as modules or worktrees; git init's
         * own probe at the top stays possible */
        { "/r/.git", "tXXXXXX", MK_LINK, false },
        { "/r/.git", "tAbC123", MK_LINK | MK_MOVED, false },
        { "/r/.git", "modules", MK_LINK, true },
        { "/r/.git", "Worktrees", MK_LINK | MK_MOVED, true },
        { "/r/.git/modules", "sub", MK_LINK, true },
        { "/r/.git/modules", "sub", MK_LINK | MK_MOVED, true },
        { "/r/.git/refs/heads", "main", MK_LINK, true },
        { "/r/src", "modules", MK_LINK, false },
        { "/r/src/deep", "sub", MK_LINK | MK_MOVED, false },
        /* and the listed names stay refused in there too */
        { "/r/.git", ".bashrc", 0, true },
        { "/r/.git/hooks", ".vscode", MK_DIR, true },
    };
    DG_CHECK(cases);
}

/* `hooks` is special only below a `.git` component. */
static void test_hooks_outside_git(void)
{
    static const struct dg_case cases[] = {
        { "/r", "hooks", 0, false },
        { "/r", "hooks", MK_DIR | MK_MOVED, false },
        { "/r/src", "hooks", MK_MOVED, false },
        { "/r/hooks", "pre-commit", 0, false },
        { "/r/src/hooks", "post-checkout", MK_MOVED, false },
        { "/r/.github/hooks", "pre-commit", 0, false },
        { "/r/.git2/hooks", "pre-commit", 0, false },
        { "/srv/x.git/hooks", "update", 0, false },
        { "/", "hooks", 0, false },
    };
    DG_CHECK(cases);
}

static void test_parent_and_child(void)
{
    CU_ASSERT(fsl_danger_is_parent(".claude"));
    CU_ASSERT(fsl_danger_is_parent(".CLAUDE"));
    CU_ASSERT(!fsl_danger_is_parent(".clau"));
    CU_ASSERT(!fsl_danger_is_parent(".claudex"));
    CU_ASSERT(!fsl_danger_is_parent("claude"));
    CU_ASSERT(!fsl_danger_is_parent(".claude/commands"));
    CU_ASSERT(!fsl_danger_is_parent("commands"));
    CU_ASSERT(!fsl_danger_is_parent(".vscode"));
    CU_ASSERT(!fsl_danger_is_parent(".git"));
    CU_ASSERT(!fsl_danger_is_parent(""));

    CU_ASSERT(fsl_danger_is_child(".claude", "commands"));
    CU_ASSERT(fsl_danger_is_child(".claude", "agents"));
    CU_ASSERT(fsl_danger_is_child(".Claude", "AGENTS"));
    CU_ASSERT(!fsl_danger_is_child(".claude", "settings.json"));
    CU_ASSERT(!fsl_danger_is_child(".claude", "command"));
    CU_ASSERT(!fsl_danger_is_child(".claude", "commands/x"));
    CU_ASSERT(!fsl_danger_is_child(".claude", ""));
    CU_ASSERT(!fsl_danger_is_child(".clau", "commands"));
    CU_ASSERT(!fsl_danger_is_child(".claudex", "commands"));
    CU_ASSERT(!fsl_danger_is_child(".vscode", "commands"));
    CU_ASSERT(!fsl_danger_is_child("", "commands"));
    CU_ASSERT(!fsl_danger_is_child("commands", ".claude"));
}

static void test_name_in(void)
{
    CU_ASSERT(fsl_danger_name_in(".zprofile", fsl_danger_files));
    CU_ASSERT(fsl_danger_name_in(".ZPROFILE", fsl_danger_files));
    CU_ASSERT(!fsl_danger_name_in(".zprofile", fsl_danger_dirs));
    CU_ASSERT(fsl_danger_name_in(".idea", fsl_danger_dirs));
    CU_ASSERT(!fsl_danger_name_in(".ide", fsl_danger_dirs));
    CU_ASSERT(!fsl_danger_name_in("", fsl_danger_files));
}

void fsl_test_danger(void);
void fsl_test_danger(void)
{
    CU_pSuite s = CU_add_suite("fs-linux danger", NULL, NULL);
    CU_add_test(s, "listed names refused at any depth, in any case", test_listed_names_refused);
    CU_add_test(s, "ordinary names allowed", test_ordinary_names_allowed);
    CU_add_test(s, ".claude and its dangerous children", test_claude);
    CU_add_test(s, ".git only as an empty directory", test_git_itself);
    CU_add_test(s, "inside a .git tree", test_inside_git);
    CU_add_test(s, "hooks outside .git", test_hooks_outside_git);
    CU_add_test(s, "parent and child of two-level names", test_parent_and_child);
    CU_add_test(s, "name lists", test_name_in);
}
