/* test_launch_argv.c - the bwrap-mode launch command for root and
 * unprivileged callers, the policy flags it carries, and the command's
 * environment (SANDBOX_RUNTIME, TMPDIR, no proxy variables added here). */
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "fsl_test.h"

/* A plan with two bwrap options and one Landlock write root. */
static void small_plan(struct fsl_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    CU_ASSERT_FATAL(fsl_vec_push(&plan->bwrap, "--unshare-net") == SRT_OK);
    CU_ASSERT_FATAL(fsl_vec_push(&plan->bwrap, "--die-with-parent") == SRT_OK);
    CU_ASSERT_FATAL(fsl_vec_push(&plan->ll_write, "/w") == SRT_OK);
}

static void test_argv_users(void)
{
    static const char *const want_root[] = {
        "/l/launch", "--outer", "--ctl-fd", "7", "--", "/usr/bin/bwrap", "--unshare-net",
        "--die-with-parent", "--", "/l/launch", "--inner", "--lifeline-fd", "9",
        "--ll-write", "/w", "--", "/bin/echo", "hi", NULL,
    };
    struct fsl_plan plan;
    small_plan(&plan);
    struct srt_policy pol = { .struct_size = sizeof pol };
    struct fsl_launch_in in = { .launcher = "/l/launch", .bwrap = "/usr/bin/bwrap", .plan = &plan,
                                .policy = &pol, .ctl_fd = 7, .life_fd = 9, .userns = false };
    const char *const argv[] = { "/bin/echo", "hi", NULL };
    struct fsl_vec a = {0};
    CU_ASSERT_FATAL(fsl_launch_argv(&in, argv, &a) == SRT_OK);
    CU_ASSERT_EQUAL_FATAL(a.n, sizeof want_root / sizeof want_root[0] - 1);
    for (size_t i = 0; i < a.n; i++)
        CU_ASSERT_STRING_EQUAL(a.v[i], want_root[i]);
    CU_ASSERT_PTR_NULL(a.v[a.n]);
    fsl_vec_free(&a);

    /* unprivileged: the outer stage makes the user namespace; policy flags
     * reach the inner stage */
    in.userns = true;
    pol.flags = SRT_POL_ALLOW_ALL_UNIX | SRT_POL_ALLOW_NESTED_USERNS;
    CU_ASSERT_FATAL(fsl_launch_argv(&in, argv, &a) == SRT_OK);
    CU_ASSERT_EQUAL(ft_find(&a, "--ctl-fd", "7", "--userns"), 2);
    CU_ASSERT_EQUAL(ft_find(&a, "--userns", "--", "/usr/bin/bwrap"), 4);
    long inner = ft_find(&a, "--inner", "--lifeline-fd", "9");
    CU_ASSERT(inner > 0);
    CU_ASSERT_EQUAL(ft_find(&a, "9", "--allow-unix", "--allow-nested-userns"), inner + 2);
    CU_ASSERT_EQUAL(ft_find(&a, "--allow-nested-userns", "--ll-write", "/w"), inner + 4);
    CU_ASSERT_EQUAL(ft_find(&a, "--", "/bin/echo", "hi"), (long)a.n - 3);
    fsl_vec_free(&a);
    fsl_plan_free(&plan);
}

static long env_find(const struct fsl_vec *v, const char *s)
{
    return ft_find(v, s, NULL, NULL);
}

static size_t env_count(const struct fsl_vec *v, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++)
        n += strncmp(v->v[i], prefix, strlen(prefix)) == 0;
    return n;
}

static void test_env(void)
{
    const char *const envp[] = { "PATH=/bin", "SANDBOX_RUNTIME=0", "TMPDIR=/elsewhere",
                                 "HOME=/home/u", NULL };
    struct srt_policy pol = { .struct_size = sizeof pol, .tmpdir = "/tmp/claude" };
    struct fsl_vec e = {0};
    CU_ASSERT_FATAL(fsl_launch_env(&pol, envp, &e) == SRT_OK);
    CU_ASSERT_EQUAL(e.n, 4);
    CU_ASSERT(env_find(&e, "PATH=/bin") == 0 && env_find(&e, "HOME=/home/u") == 1);
    CU_ASSERT_EQUAL(env_find(&e, "SANDBOX_RUNTIME=1"), 2);
    CU_ASSERT_EQUAL(env_find(&e, "TMPDIR=/tmp/claude"), 3);
    CU_ASSERT_EQUAL(env_count(&e, "SANDBOX_RUNTIME="), 1);
    CU_ASSERT_EQUAL(env_count(&e, "TMPDIR="), 1);
    /* the core adds the proxy variables for the plan's ports, not this */
    CU_ASSERT_EQUAL(env_count(&e, "HTTP_PROXY=") + env_count(&e, "http_proxy=") +
                    env_count(&e, "ALL_PROXY="), 0);
    fsl_vec_free(&e);

    /* no filesystem layer: the caller's TMPDIR stays */
    pol.flags = SRT_POL_FS_DISABLED;
    CU_ASSERT_FATAL(fsl_launch_env(&pol, envp, &e) == SRT_OK);
    CU_ASSERT(env_find(&e, "TMPDIR=/elsewhere") >= 0);
    CU_ASSERT_EQUAL(env_count(&e, "TMPDIR="), 1);
    CU_ASSERT_EQUAL(env_find(&e, "SANDBOX_RUNTIME=1"), (long)e.n - 1);
    fsl_vec_free(&e);

    /* no environment at all: only the marker */
    pol.flags = 0;
    pol.tmpdir = NULL;
    CU_ASSERT_FATAL(fsl_launch_env(&pol, NULL, &e) == SRT_OK);
    CU_ASSERT_EQUAL(e.n, 1);
    CU_ASSERT_STRING_EQUAL(e.v[0], "SANDBOX_RUNTIME=1");
    fsl_vec_free(&e);
}

static void test_launcher_default(void)
{
    char *l = fsl_launcher_default();
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT(l[0] == '/');
    size_t n = strlen(l), tail = strlen("/srt-linux-launch");
    CU_ASSERT(n > tail && strcmp(l + n - tail, "/srt-linux-launch") == 0);
    free(l);
}

void fsl_test_launch_argv(void);
void fsl_test_launch_argv(void)
{
    CU_pSuite s = CU_add_suite("fs-linux launch command", NULL, NULL);
    CU_add_test(s, "argv for root and unprivileged callers", test_argv_users);
    CU_add_test(s, "command environment", test_env);
    CU_add_test(s, "default launcher path", test_launcher_default);
}
