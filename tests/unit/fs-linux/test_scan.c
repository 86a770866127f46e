/* test_scan.c - the mandatory-deny walk (scan.c): nested repositories,
 * worktree .git files, node_modules, the depth limit, case-insensitive names. */
#include <stdio.h>
#include <stdlib.h>

#include "cu_main.h"
#include "fsl_test.h"

static bool has(const struct fsl_vec *v, const char *root, const char *rel)
{
    char p[700];
    snprintf(p, sizeof p, "%s%s%s", root, *rel ? "/" : "", rel);
    return fsl_vec_has(v, p);
}

static void test_scan_tree(void)
{
    char *T = ft_tmpdir();
    CU_ASSERT_FATAL(T != NULL);
    ft_make(T, ".bashrc", "x");
    ft_make(T, "sub/.BashRC", "x");
    ft_make(T, "a/b/.mcp.json", "{}");
    ft_make(T, "1/2/3/.zshrc", "x");
    ft_make(T, "1/2/3/4/.zshrc", "x");
    ft_make(T, "node_modules/pkg/.bashrc", "x");
    ft_make(T, "repo/.git/HEAD", "ref");
    ft_make(T, "repo/.git/hooks/pre-commit", "x");
    ft_make(T, "repo/.git/config", "x");
    ft_make(T, "repo/nested/.git/HEAD", "ref");
    ft_make(T, "wt/.git", "gitdir: /elsewhere");
    ft_make(T, "notrepo/.git/x", "x");
    ft_make(T, ".vscode/settings.json", "{}");
    ft_make(T, ".claude/commands/x.md", "x");
    ft_make(T, ".claude/other/y", "y");

    struct fsl_scan sc = {0};
    CU_ASSERT_FATAL(fsl_scan_tree(T, 3, FSL_SCAN_GIT_CONFIG, 0, &sc) == SRT_OK);
    CU_ASSERT(has(&sc.protect, T, ".bashrc"));
    CU_ASSERT(has(&sc.protect, T, "sub/.BashRC"));
    CU_ASSERT(has(&sc.protect, T, "a/b/.mcp.json"));
    CU_ASSERT(has(&sc.protect, T, "1/2/3/.zshrc"));
    CU_ASSERT(!has(&sc.protect, T, "1/2/3/4/.zshrc"));         /* below the depth */
    CU_ASSERT(!has(&sc.protect, T, "node_modules/pkg/.bashrc"));
    CU_ASSERT(!has(&sc.dirs, T, "node_modules"));
    CU_ASSERT(has(&sc.protect, T, "repo/.git/hooks"));
    CU_ASSERT(has(&sc.protect, T, "repo/.git/config"));
    CU_ASSERT(has(&sc.repos, T, "repo/.git"));
    CU_ASSERT(has(&sc.repos, T, "repo/nested/.git"));
    CU_ASSERT(!has(&sc.protect, T, "repo/nested/.git/hooks"));  /* absent: planner's placeholder */
    CU_ASSERT(has(&sc.protect, T, "wt/.git"));
    CU_ASSERT(!has(&sc.repos, T, "notrepo/.git"));
    CU_ASSERT(has(&sc.protect, T, ".vscode"));
    CU_ASSERT(has(&sc.protect, T, ".claude/commands"));
    CU_ASSERT(!has(&sc.protect, T, ".claude/other"));
    CU_ASSERT(has(&sc.dirs, T, ""));
    CU_ASSERT(has(&sc.dirs, T, "1/2/3"));
    CU_ASSERT(!has(&sc.dirs, T, "1/2/3/4"));
    fsl_scan_free(&sc);

    /* allowGitConfig: hooks only */
    CU_ASSERT(fsl_scan_tree(T, 3, 0, 0, &sc) == SRT_OK);
    CU_ASSERT(has(&sc.protect, T, "repo/.git/hooks"));
    CU_ASSERT(!has(&sc.protect, T, "repo/.git/config"));
    fsl_scan_free(&sc);

    /* depth 1: files one level down, not two */
    CU_ASSERT(fsl_scan_tree(T, 1, 0, 0, &sc) == SRT_OK);
    CU_ASSERT(has(&sc.protect, T, "sub/.BashRC"));
    CU_ASSERT(!has(&sc.protect, T, "a/b/.mcp.json"));
    fsl_scan_free(&sc);
    ft_rmtree(T);
    free(T);
}

void fsl_test_scan(void);
void fsl_test_scan(void)
{
    CU_pSuite s = CU_add_suite("fs-linux scan", NULL, NULL);
    CU_add_test(s, "mandatory-deny walk", test_scan_tree);
}
