/* test_glob.c - glob matching and launch-time expansion (glob.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "fsl_test.h"

static void test_match(void)
{
    CU_ASSERT(fsl_glob_match("/a/*.pem", "/a/x.pem"));
    CU_ASSERT(fsl_glob_match("/a/*.pem", "/a/.hidden.pem"));
    CU_ASSERT(!fsl_glob_match("/a/*.pem", "/a/b/x.pem"));
    CU_ASSERT(fsl_glob_match("/a/**/x.pem", "/a/x.pem"));
    CU_ASSERT(fsl_glob_match("/a/**/x.pem", "/a/b/c/x.pem"));
    CU_ASSERT(fsl_glob_match("/a/**", "/a/b/c"));
    CU_ASSERT(fsl_glob_match("/a/?.txt", "/a/1.txt"));
    CU_ASSERT(!fsl_glob_match("/a/?.txt", "/a/12.txt"));
    CU_ASSERT(!fsl_glob_match("/a?b", "/a/b"));
    CU_ASSERT(fsl_glob_match("/a/[ab].c", "/a/b.c"));
    CU_ASSERT(!fsl_glob_match("/a/[!ab].c", "/a/b.c"));
    CU_ASSERT(fsl_glob_match("/a/[0-9]x", "/a/7x"));
    CU_ASSERT(fsl_glob_match("/a/[x", "/a/[x"));        /* not a set: literal */
    CU_ASSERT(!fsl_glob_is_pattern("/a/[x"));
    CU_ASSERT(fsl_glob_is_pattern("/a/*"));
}

static void test_expand(void)
{
    char *T = ft_tmpdir();
    CU_ASSERT_FATAL(T != NULL);
    ft_make(T, "k/a.pem", "");
    ft_make(T, "k/b.pem", "");
    ft_make(T, "k/c.txt", "");
    ft_make(T, "deep/x/y/z.pem", "");
    ft_make(T, "deep/secrets/s", "");
    struct fsl_glob_limits lim = { .max_depth = 32, .max_entries = 10000 };
    struct fsl_vec out = {0};
    bool trunc;
    char err[FSL_ERRMAX], pat[700], want[700];

    snprintf(pat, sizeof pat, "%s/k/*.pem", T);
    CU_ASSERT(fsl_glob_expand(pat, &lim, true, &out, &trunc, err, sizeof err) == SRT_OK);
    CU_ASSERT_EQUAL(out.n, 2);
    snprintf(want, sizeof want, "%s/k/a.pem", T);
    CU_ASSERT(fsl_vec_has(&out, want));
    fsl_vec_free(&out);

    snprintf(pat, sizeof pat, "%s/deep/**/*.pem", T);
    CU_ASSERT(fsl_glob_expand(pat, &lim, true, &out, &trunc, err, sizeof err) == SRT_OK);
    snprintf(want, sizeof want, "%s/deep/x/y/z.pem", T);
    CU_ASSERT(out.n == 1 && fsl_vec_has(&out, want));
    fsl_vec_free(&out);

    /* a globstar, a name and a trailing globstar yield the directory */
    snprintf(pat, sizeof pat, "%s/**/secrets/**", T);
    CU_ASSERT(fsl_glob_expand(pat, &lim, true, &out, &trunc, err, sizeof err) == SRT_OK);
    snprintf(want, sizeof want, "%s/deep/secrets", T);
    CU_ASSERT(out.n == 1 && fsl_vec_has(&out, want));
    fsl_vec_free(&out);

    CU_ASSERT(fsl_glob_expand("/**/*.pem", &lim, true, &out, &trunc, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT(strstr(err, "wildcard") != NULL);

    struct fsl_glob_limits tiny = { .max_depth = 32, .max_entries = 2 };
    snprintf(pat, sizeof pat, "%s/**/*.pem", T);
    CU_ASSERT(fsl_glob_expand(pat, &tiny, true, &out, &trunc, err, sizeof err) == SRT_OK);
    CU_ASSERT(trunc);
    fsl_vec_free(&out);
    ft_rmtree(T);
    free(T);
}

/* A deny glob in the plan masks every match and nothing else. */
static void test_plan_glob(void)
{
    char *T = ft_tmpdir();
    ft_make(T, "k/a.pem", "a");
    ft_make(T, "k/c.txt", "c");
    ft_make(T, "deny", "");
    char sd[700], df[700], err[FSL_ERRMAX];
    snprintf(sd, sizeof sd, "%s/state", T);
    snprintf(df, sizeof df, "%s/deny", T);
    struct fsl_ledger *lg;
    CU_ASSERT_FATAL(fsl_ledger_open(sd, "g", &lg, err, sizeof err) == SRT_OK);
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'r', T, "k/*.pem", SRT_PATH_GLOB);
    ft_policy_add(&p, 'r', T, "k/[c].txt", SRT_PATH_GLOB | SRT_PATH_LITERAL);
    struct fsl_plan_in in = { .policy = &p.pol, .deny_file = df, .state_dir = sd, .ledger = lg };
    struct fsl_plan plan;
    CU_ASSERT_FATAL(fsl_plan_build(&in, &plan) == SRT_OK);
    char a[700], c[700];
    snprintf(a, sizeof a, "%s/k/a.pem", T);
    snprintf(c, sizeof c, "%s/k/c.txt", T);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", df, a) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", df, c) < 0);   /* literal entry: never a glob */
    fsl_plan_free(&plan);
    fsl_ledger_release(lg, NULL);
    fsl_ledger_close(lg);
    ft_rmtree(T);
    free(T);
}

void fsl_test_glob(void);
void fsl_test_glob(void)
{
    CU_pSuite s = CU_add_suite("fs-linux glob", NULL, NULL);
    CU_add_test(s, "match", test_match);
    CU_add_test(s, "expand", test_expand);
    CU_add_test(s, "globs in the plan", test_plan_glob);
}
