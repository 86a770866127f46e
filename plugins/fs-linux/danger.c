/* danger.c - the dangerous names and the rule for making new ones
 * (danger.h). Built into the plugin and into srt-linux-launch. */
#include <string.h>
#include <strings.h>

#include "danger.h"

/* REFERENCE.md 3.4's names, and .envrc (THREATS F5, F11): direnv runs it
 * in the user's shell on entering the directory. */
const char *const fsl_danger_files[] = {
    ".gitconfig", ".gitmodules", ".bashrc", ".bash_profile", ".zshrc",
    ".zprofile", ".profile", ".ripgreprc", ".mcp.json", ".envrc", NULL,
};

const char *const fsl_danger_dirs[] = {
    ".vscode", ".idea", ".claude/commands", ".claude/agents", NULL,
};

static const char fsl_danger_git[] = ".git";
static const char fsl_danger_sample[] = ".sample";

bool fsl_danger_name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcasecmp(name, list[i]) == 0)
            return true;
    return false;
}

/* Does the two-level entry `entry` start with the component `name`? */
static bool fsl_danger_head_is(const char *entry, const char *name, size_t len)
{
    const char *slash = strchr(entry, '/');
    return slash && (size_t)(slash - entry) == len && strncasecmp(name, entry, len) == 0;
}

bool fsl_danger_is_parent(const char *name)
{
    for (size_t i = 0; fsl_danger_dirs[i]; i++)
        if (fsl_danger_head_is(fsl_danger_dirs[i], name, strlen(name)))
            return true;
    return false;
}

bool fsl_danger_is_child(const char *parent, const char *child)
{
    size_t len = strlen(parent);
    for (size_t i = 0; fsl_danger_dirs[i]; i++)
        if (fsl_danger_head_is(fsl_danger_dirs[i], parent, len) &&
            strcasecmp(child, fsl_danger_dirs[i] + len + 1) == 0)
            return true;
    return false;
}

/* Is the component [c, c + len) `word`, ignoring case? */
static bool fsl_danger_component_is(const char *c, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(c, word, len) == 0;
}

/* Where `dir` lies below its last `.git` component: *below points at the
 * rest ("" or "/a/b"), or NULL when no component is `.git`. Also reports
 * whether that rest has a `hooks` component, and dir's last component. */
struct fsl_danger_where {
    const char *below;
    const char *base;
    size_t      base_len;
    bool        in_hooks;
};

static void fsl_danger_locate(const char *dir, struct fsl_danger_where *w)
{
    memset(w, 0, sizeof *w);
    w->base = dir;
    for (const char *c = dir; *c;) {
        while (*c == '/')
            c++;
        size_t len = strcspn(c, "/");
        if (len == 0)
            break;
        w->base = c;
        w->base_len = len;
        if (fsl_danger_component_is(c, len, fsl_danger_git)) {
            w->below = c + len;
            w->in_hooks = false;
        } else if (w->below && fsl_danger_component_is(c, len, "hooks")) {
            w->in_hooks = true;
        }
        c += len;
    }
}

static bool fsl_danger_ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcasecmp(name + n - s, suffix) == 0;
}

bool fsl_danger_refused(const char *dir, const char *name, unsigned how)
{
    bool empty_dir = (how & FSL_MAKE_DIR) && !(how & FSL_MAKE_MOVED);

    if (fsl_danger_name_in(name, fsl_danger_files) || fsl_danger_name_in(name, fsl_danger_dirs))
        return true;
    if ((strcasecmp(name, fsl_danger_git) == 0 || fsl_danger_is_parent(name)) && !empty_dir)
        return true;
    struct fsl_danger_where w;
    fsl_danger_locate(dir, &w);
    char base[256];
    if (w.base_len < sizeof base) {
        memcpy(base, w.base, w.base_len);
        base[w.base_len] = '\0';
        if (fsl_danger_is_child(base, name))
            return true;
    }
    if (!w.below)
        return false;
    /* A directory moved in whole would bring a hooks, config or commondir
     * of its own past the rules below (a submodule's gitdir planted in
     * .git/modules, say). */
    if ((how & FSL_MAKE_DIR) && (how & FSL_MAKE_MOVED))
        return true;
    /* Likewise a symlink to a directory prepared elsewhere; git init makes
     * (and removes) one at the top of .git to learn whether it may. */
    if ((how & FSL_MAKE_SYMLINK) &&
        (*w.below || strcasecmp(name, "modules") == 0 || strcasecmp(name, "worktrees") == 0))
        return true;
    if (strcasecmp(name, "commondir") == 0 ||
        ((how & FSL_MAKE_GIT_CONFIG) && strcasecmp(name, "config") == 0))
        return true;
    if (strcasecmp(name, "hooks") == 0 && !empty_dir)
        return true;
    return w.in_hooks && !fsl_danger_ends_with(name, fsl_danger_sample);
}
