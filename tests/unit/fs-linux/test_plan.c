/* test_plan.c - golden and invariant tests of the bwrap plan (plan.c):
 * fixed policies over a temp tree give exact argv sequences, the same for
 * every order of the entries, and keep each layering invariant of
 * REFERENCE.md 3.9. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_test.h"

static char *T;
static char state_dir[600], deny_file[600];
static struct fsl_ledger *ledger;

static void setup_tree(void)
{
    T = ft_tmpdir();
    CU_ASSERT_FATAL(T != NULL);
    ft_make(T, "w/main.c", "x");
    ft_make(T, "w/secret", "s");
    ft_make(T, "w/key.pem", "k");
    ft_make(T, "w/.git/HEAD", "ref");
    ft_make(T, "w/.git/hooks/", NULL);
    ft_make(T, "hidden/pub/a", "a");
    ft_make(T, "hidden/x", "x");
    ft_make(T, "deny", "");
    snprintf(state_dir, sizeof state_dir, "%s/state", T);
    snprintf(deny_file, sizeof deny_file, "%s/deny", T);
    char err[FSL_ERRMAX];
    CU_ASSERT_FATAL(fsl_ledger_open(state_dir, "plan", &ledger, err, sizeof err) == SRT_OK);
}

static void teardown_tree(void)
{
    fsl_ledger_release(ledger, NULL);
    fsl_ledger_close(ledger);
    ledger = NULL;
    ft_rmtree(T);
    free(T);
    T = NULL;
}

static int build(struct ft_policy *p, struct fsl_plan *out)
{
    struct fsl_plan_in in = { .policy = &p->pol, .deny_file = deny_file, .state_dir = state_dir,
                              .disable_userns = true, .ledger = ledger };
    int r = fsl_plan_build(&in, out);
    if (r != SRT_OK)
        printf("plan failed: %s\n", out->err);
    return r;
}

/* The plan without machine-dependent entries (/etc/ssh/ssh_config.d). */
static void strip_machine(struct fsl_vec *v)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->v[i], "/etc/ssh/ssh_config.d") == 0) {
            free(v->v[i]);
            free(v->v[--k]);    /* its option */
            continue;
        }
        v->v[k++] = v->v[i];
    }
    v->n = k;
    v->v[k] = NULL;
}

static void golden_policy(struct ft_policy *p, char *cwd, size_t len, int order)
{
    snprintf(cwd, len, "%s/w", T);
    ft_policy_init(p, cwd);
    p->pol.mandatory_deny_depth = 1;
    if (order == 0) {
        ft_policy_add(p, 'w', T, "w", 0);
        ft_policy_add(p, 'W', T, "w/secret", 0);
        ft_policy_add(p, 'W', T, "w/new/file", 0);
        ft_policy_add(p, 'r', T, "hidden", 0);
        ft_policy_add(p, 'r', T, "w/key.pem", 0);
        ft_policy_add(p, 'R', T, "hidden/pub", 0);
    } else {
        ft_policy_add(p, 'R', T, "hidden/pub", 0);
        ft_policy_add(p, 'r', T, "w/key.pem", 0);
        ft_policy_add(p, 'r', T, "hidden", 0);
        ft_policy_add(p, 'W', T, "w/new/file", 0);
        ft_policy_add(p, 'W', T, "w/secret", 0);
        ft_policy_add(p, 'w', T, "w", 0);
    }
}

static void test_golden(void)
{
    setup_tree();
    struct ft_policy p;
    char cwd[600];
    golden_policy(&p, cwd, sizeof cwd, 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    strip_machine(&plan.bwrap);

    /* Expected, in order. "%" stands for the temp root. */
    static const char *const want[] = {
        "--die-with-parent", "--new-session", "--unshare-user", "--unshare-pid", "--as-pid-1",
        "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--disable-userns",
        "--cap-drop", "ALL",
        "--ro-bind", "/", "/",
        "--tmpfs", "%/hidden",
        "--bind", "%/w", "%/w",
        "--ro-bind", "%/hidden/pub", "%/hidden/pub",
        "--ro-bind", "%/w/.bash_profile", "%/w/.bash_profile",
        "--ro-bind", "%/w/.bashrc", "%/w/.bashrc",
        "--ro-bind", "%/w/.claude", "%/w/.claude",
        "--ro-bind", "%/w/.envrc", "%/w/.envrc",
        "--bind", "%/w/.git", "%/w/.git",
        "--ro-bind", "%/w/.gitconfig", "%/w/.gitconfig",
        "--ro-bind", "%/w/.gitmodules", "%/w/.gitmodules",
        "--ro-bind", "%/w/.idea", "%/w/.idea",
        "--ro-bind", "%/w/.mcp.json", "%/w/.mcp.json",
        "--ro-bind", "%/w/.profile", "%/w/.profile",
        "--ro-bind", "%/w/.ripgreprc", "%/w/.ripgreprc",
        "--ro-bind", "%/w/.vscode", "%/w/.vscode",
        "--ro-bind", "%/w/.zprofile", "%/w/.zprofile",
        "--ro-bind", "%/w/.zshrc", "%/w/.zshrc",
        "--ro-bind", "%/deny", "%/w/key.pem",
        "--ro-bind", "%/w/new", "%/w/new",
        "--ro-bind", "%/w/secret", "%/w/secret",
        "--ro-bind", "%/w/.git/config", "%/w/.git/config",
        "--ro-bind", "%/w/.git/hooks", "%/w/.git/hooks",
        "--remount-ro", "%/hidden",
        "--dev", "/dev", "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys",
        "--chdir", "%/w",
        NULL,
    };
    size_t n = 0;
    for (; want[n]; n++) {
        char exp[700];
        if (want[n][0] == '%')
            snprintf(exp, sizeof exp, "%s%s", T, want[n] + 1);
        else
            snprintf(exp, sizeof exp, "%s", want[n]);
        if (n >= plan.bwrap.n || strcmp(plan.bwrap.v[n], exp) != 0) {
            printf("argv[%zu]: want %s got %s %s\n", n, exp, n < plan.bwrap.n ? plan.bwrap.v[n] : "(end)",
                   n + 1 < plan.bwrap.n ? plan.bwrap.v[n + 1] : "");
            CU_FAIL("plan differs from the golden sequence");
            break;
        }
    }
    CU_ASSERT_EQUAL(plan.bwrap.n, n);
    CU_ASSERT_EQUAL_FATAL(plan.ll_write.n, 1);
    CU_ASSERT_STRING_EQUAL(plan.ll_write.v[0], cwd);
    /* placeholders exist on the host while the plan is in force */
    CU_ASSERT(ft_exists(T, "w/.bashrc") && ft_exists(T, "w/.claude") && ft_exists(T, "w/new"));
    CU_ASSERT(!ft_exists(T, "w/new/file"));
    fsl_plan_free(&plan);
    teardown_tree();
}

static void test_order_independent(void)
{
    struct fsl_vec first = {0};
    for (int order = 0; order < 2; order++) {
        setup_tree();
        struct ft_policy p;
        char cwd[600];
        golden_policy(&p, cwd, sizeof cwd, order);
        struct fsl_plan plan;
        CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
        /* compare with the temp root replaced, since each run has its own */
        struct fsl_vec norm = {0};
        for (size_t i = 0; i < plan.bwrap.n; i++) {
            const char *a = plan.bwrap.v[i];
            if (strncmp(a, T, strlen(T)) == 0)
                fsl_vec_pushf(&norm, "%%%s", a + strlen(T));
            else
                fsl_vec_push(&norm, a);
        }
        if (order == 0) {
            first = norm;
        } else {
            CU_ASSERT_EQUAL(first.n, norm.n);
            for (size_t i = 0; i < first.n && i < norm.n; i++)
                CU_ASSERT_STRING_EQUAL(first.v[i], norm.v[i]);
            fsl_vec_free(&norm);
        }
        fsl_plan_free(&plan);
        teardown_tree();
    }
    fsl_vec_free(&first);
}

static char *P(const char *rel)
{
    static char buf[8][700];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", T, rel);
    return buf[k];
}

/* (1) root read-only, write roots writable. */
static void test_inv1_root_ro(void)
{
    setup_tree();
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", "/", "/") >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", "/", "/") < 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w"), P("w")) > ft_find(&plan.bwrap, "--ro-bind", "/", "/"));
    fsl_plan_free(&plan);
    teardown_tree();
}

/* (2) a read-denied path stays hidden under a write root, a deny-write and
 * an ancestor pin applied on the same or deeper paths. */
static void test_inv2_hidden_stays(void)
{
    setup_tree();
    ft_make(T, "w/h/sub/f", "f");
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w", 0);
    ft_policy_add(&p, 'w', T, "w/h", 0);
    ft_policy_add(&p, 'r', T, "w/h", 0);
    ft_policy_add(&p, 'W', T, "w/h/sub/f", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    CU_ASSERT(ft_find(&plan.bwrap, "--tmpfs", P("w/h"), NULL) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w/h"), P("w/h")) < 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w/h/sub"), P("w/h/sub")) < 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/h/sub/f"), P("w/h/sub/f")) < 0);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* (3) a deny-write stays read-only inside a mask re-opened for writing. */
static void test_inv3_denywrite_in_reopened(void)
{
    setup_tree();
    ft_make(T, "w/a/b/c", "c");
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'W', T, "w/a/b/c", 0);
    ft_policy_add(&p, 'w', T, "w/a/b", 0);
    ft_policy_add(&p, 'r', T, "w/a", 0);
    ft_policy_add(&p, 'w', T, "w", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    long mask = ft_find(&plan.bwrap, "--tmpfs", P("w/a"), NULL);
    long reopen = ft_find(&plan.bwrap, "--bind", P("w/a/b"), P("w/a/b"));
    long ro = ft_find(&plan.bwrap, "--ro-bind", P("w/a/b/c"), P("w/a/b/c"));
    CU_ASSERT(mask >= 0 && reopen > mask && ro > reopen);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* (4) one mount per destination. */
static void test_inv4_one_mask(void)
{
    setup_tree();
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w", 0);
    ft_policy_add(&p, 'W', T, "w/secret", 0);
    ft_policy_add(&p, 'W', T, "w/secret", 0);
    ft_policy_add(&p, 'r', T, "w/secret", 0);
    ft_policy_add(&p, 'w', T, "w/secret", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    size_t dest = 0;
    for (size_t i = 0; i < plan.bwrap.n; i++)
        if (strcmp(plan.bwrap.v[i], P("w/secret")) == 0 && strcmp(plan.bwrap.v[i - 1], "--ro-bind") != 0 &&
            strcmp(plan.bwrap.v[i - 1], "--bind") != 0)
            dest++;
    CU_ASSERT_EQUAL(dest, 1);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", deny_file, P("w/secret")) >= 0);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* (5) a mask for a missing path never re-exposes read-denied content, and
 * makes no placeholder inside the hidden region. */
static void test_inv5_missing_under_mask(void)
{
    setup_tree();
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "hidden", 0);
    ft_policy_add(&p, 'r', T, "hidden", 0);
    ft_policy_add(&p, 'W', T, "hidden/missing/f", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    CU_ASSERT(!ft_exists(T, "hidden/missing"));
    for (size_t i = 0; i < plan.bwrap.n; i++)
        CU_ASSERT(strncmp(plan.bwrap.v[i], P("hidden/"), strlen(P("hidden/"))) != 0);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* (6) /dev, /proc and /proc/sys come after every filesystem mount. */
static void test_inv6_private_last(void)
{
    setup_tree();
    struct ft_policy p;
    char cwd[600];
    golden_policy(&p, cwd, sizeof cwd, 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    long dev = ft_find(&plan.bwrap, "--dev", "/dev", NULL);
    CU_ASSERT(dev > 0);
    for (long i = 0; i < (long)plan.bwrap.n; i++) {
        const char *a = plan.bwrap.v[i];
        bool fs = !strcmp(a, "--bind") || !strcmp(a, "--tmpfs") || !strcmp(a, "--remount-ro") ||
                  (!strcmp(a, "--ro-bind") && strcmp(plan.bwrap.v[i + 1], "/proc/sys") != 0);
        if (fs)
            CU_ASSERT(i < dev);
    }
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", "/proc/sys", "/proc/sys") > ft_find(&plan.bwrap, "--proc", "/proc", NULL));
    CU_ASSERT(ft_find(&plan.bwrap, "--unshare-net", NULL, NULL) < 0);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* Ancestor pins (3.8) between the write root and a deep protected path, and
 * the nested-userns switch dropping --disable-userns. */
static void test_pins_and_userns(void)
{
    setup_tree();
    ft_make(T, "w/a/b/c/.env", "x");
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    p.pol.flags = SRT_POL_ALLOW_NESTED_USERNS;
    ft_policy_add(&p, 'w', T, "w", 0);
    ft_policy_add(&p, 'W', T, "w/a/b/c/.env", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w/a"), P("w/a")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w/a/b"), P("w/a/b")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", P("w/a/b/c"), P("w/a/b/c")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/a/b/c/.env"), P("w/a/b/c/.env")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--disable-userns", NULL, NULL) < 0);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* Missing dangerous names get placeholders in the shallowest directories
 * only, at most FSL_PLACEHOLDER_DIRS of them, with a warning; a missing
 * .claude gets one placeholder, not one inside another. */
static void test_placeholder_cap(void)
{
    setup_tree();
    char rel[64];
    for (int i = 0; i < FSL_PLACEHOLDER_DIRS + 6; i++) {
        snprintf(rel, sizeof rel, "w/d%02d/deep/", i);
        ft_make(T, rel, NULL);
    }
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    /* w itself and its children come before any grandchild */
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/.bashrc"), P("w/.bashrc")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/.claude"), P("w/.claude")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/.claude/agents"), P("w/.claude/agents")) < 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/d00/.mcp.json"), P("w/d00/.mcp.json")) >= 0);
    CU_ASSERT(ft_find(&plan.bwrap, "--ro-bind", P("w/d00/deep/.mcp.json"), P("w/d00/deep/.mcp.json")) < 0);
    size_t dirs = 0;
    for (int i = 0; i < FSL_PLACEHOLDER_DIRS + 6; i++) {
        snprintf(rel, sizeof rel, "w/d%02d/.bashrc", i);
        dirs += ft_find(&plan.bwrap, "--ro-bind", P(rel), P(rel)) >= 0;
    }
    CU_ASSERT_EQUAL(dirs, FSL_PLACEHOLDER_DIRS - 1);   /* w takes one of the places */
    bool warned = false;
    for (size_t i = 0; i < plan.warnings.n; i++)
        warned |= strstr(plan.warnings.v[i], "shallowest only") != NULL;
    CU_ASSERT(warned);
    fsl_plan_free(&plan);
    /* released: no placeholder stays on the host, .claude included */
    fsl_ledger_release(ledger, NULL);
    struct stat st;
    CU_ASSERT(lstat(P("w/.claude"), &st) != 0);
    CU_ASSERT(lstat(P("w/d00/.bashrc"), &st) != 0);
    teardown_tree();
}

/* After the run, dangerous names made where no placeholder stood are found;
 * what existed before and our own placeholders are not. */
static void test_audit_new_names(void)
{
    setup_tree();
    ft_make(T, "w/.bashrc", "existing");
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    struct fsl_vec found = {0};
    CU_ASSERT_EQUAL(fsl_audit_new_names(&p.pol, &plan, ledger, &found), SRT_OK);
    CU_ASSERT_EQUAL(found.n, 0);   /* placeholders and the old .bashrc are not new */
    ft_make(T, "w/newdir/.mcp.json", "x");
    ft_make(T, "w/newdir/repo/.git/HEAD", "ref");
    ft_make(T, "w/newdir/repo/.git/config", "[core]");
    CU_ASSERT_EQUAL(fsl_audit_new_names(&p.pol, &plan, ledger, &found), SRT_OK);
    CU_ASSERT(fsl_vec_has(&found, P("w/newdir/.mcp.json")));
    CU_ASSERT(fsl_vec_has(&found, P("w/newdir/repo/.git/config")));
    CU_ASSERT(!fsl_vec_has(&found, P("w/.bashrc")));
    CU_ASSERT(!fsl_vec_has(&found, P("w/.mcp.json")));   /* our placeholder */
    fsl_vec_free(&found);
    fsl_plan_free(&plan);
    teardown_tree();
}

/* 3.7: a write root that is a symlink to an ancestor is skipped. */
static void test_symlink_root_skipped(void)
{
    setup_tree();
    char link[700];
    snprintf(link, sizeof link, "%s/w/up", T);
    CU_ASSERT_FATAL(symlink("/", link) == 0);
    struct ft_policy p;
    ft_policy_init(&p, NULL);
    ft_policy_add(&p, 'w', T, "w/up", 0);
    struct fsl_plan plan;
    CU_ASSERT_FATAL(build(&p, &plan) == SRT_OK);
    CU_ASSERT(ft_find(&plan.bwrap, "--bind", "/", "/") < 0);
    CU_ASSERT(plan.warnings.n >= 1);
    fsl_plan_free(&plan);
    teardown_tree();
}

void fsl_test_plan(void);
void fsl_test_plan(void)
{
    CU_pSuite s = CU_add_suite("fs-linux plan", NULL, NULL);
    CU_add_test(s, "golden argv", test_golden);
    CU_add_test(s, "order independence", test_order_independent);
    CU_add_test(s, "3.9(1) root read-only", test_inv1_root_ro);
    CU_add_test(s, "3.9(2) hidden stays hidden", test_inv2_hidden_stays);
    CU_add_test(s, "3.9(3) deny-write in re-opened mask", test_inv3_denywrite_in_reopened);
    CU_add_test(s, "3.9(4) one mount per destination", test_inv4_one_mask);
    CU_add_test(s, "3.9(5) missing paths under a mask", test_inv5_missing_under_mask);
    CU_add_test(s, "3.9(6) private /dev and /proc last", test_inv6_private_last);
    CU_add_test(s, "ancestor pins, nested userns", test_pins_and_userns);
    CU_add_test(s, "placeholder cap, shallowest first", test_placeholder_cap);
    CU_add_test(s, "after-run audit of new dangerous names", test_audit_new_names);
    CU_add_test(s, "symlinked write root skipped", test_symlink_root_skipped);
}
