/* test_ledger.c - placeholders and their ledger (ledger.c): creation,
 * removal, reference counting across sessions, the sweep after a dead run,
 * and refusal to delete a placeholder that was filled or replaced. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_test.h"

static char *T;
static char dir[700];

static char *P(const char *rel)
{
    static char buf[4][700];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", T, rel);
    return buf[k];
}

static struct fsl_ledger *open_ledger(const char *session)
{
    struct fsl_ledger *lg = NULL;
    char err[FSL_ERRMAX];
    CU_ASSERT(fsl_ledger_open(dir, session, &lg, err, sizeof err) == SRT_OK);
    return lg;
}

static void test_create_release(void)
{
    T = ft_tmpdir();
    snprintf(dir, sizeof dir, "%s/state", T);
    char err[FSL_ERRMAX];
    struct fsl_ledger *lg = open_ledger("s1");
    CU_ASSERT_FATAL(lg != NULL);
    CU_ASSERT(fsl_ledger_create(lg, P(".bashrc"), false, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_ledger_create(lg, P(".vscode"), true, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_ledger_create(lg, P("full"), true, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_ledger_create(lg, P("swapped"), false, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_ledger_create(lg, P(".bashrc"), false, err, sizeof err) == SRT_EEXIST);
    CU_ASSERT(fsl_ledger_paths(lg)->n == 4);
    ft_make(T, "full/keep", "k");               /* filled during the run */
    rename(P("swapped"), P("swapped.old"));
    ft_make(T, "swapped", "");                  /* replaced: another inode */
    size_t removed = 0;
    CU_ASSERT(fsl_ledger_release(lg, &removed) == SRT_OK);
    CU_ASSERT_EQUAL(removed, 2);
    CU_ASSERT(!ft_exists(T, ".bashrc"));
    CU_ASSERT(!ft_exists(T, ".vscode"));
    CU_ASSERT(ft_exists(T, "full/keep"));
    CU_ASSERT(ft_exists(T, "swapped"));
    fsl_ledger_close(lg);
    ft_rmtree(T);
    free(T);
}

static void test_refcount(void)
{
    T = ft_tmpdir();
    snprintf(dir, sizeof dir, "%s/state", T);
    char err[FSL_ERRMAX];
    struct fsl_ledger *a = open_ledger("a"), *b = open_ledger("b");
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT(fsl_ledger_create(a, P(".profile"), false, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_ledger_adopt(b, P(".profile")));
    CU_ASSERT(!fsl_ledger_adopt(b, P("nothing")));
    CU_ASSERT(fsl_ledger_release(a, NULL) == SRT_OK);
    CU_ASSERT(ft_exists(T, ".profile"));        /* b still relies on it */
    CU_ASSERT(fsl_ledger_release(b, NULL) == SRT_OK);
    CU_ASSERT(!ft_exists(T, ".profile"));
    fsl_ledger_close(a);
    fsl_ledger_close(b);
    ft_rmtree(T);
    free(T);
}

static void test_sweep_dead(void)
{
    T = ft_tmpdir();
    snprintf(dir, sizeof dir, "%s/state", T);
    char err[FSL_ERRMAX];
    struct fsl_ledger *lg = open_ledger("now");
    CU_ASSERT_FATAL(lg != NULL);
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    ft_make(T, ".mcp.json", "");
    ft_make(T, ".idea/", NULL);
    ft_make(T, "mine", "");
    CU_ASSERT(fsl_ledger_record_as(lg, dead, 12345, "gone", P(".mcp.json")) == SRT_OK);
    CU_ASSERT(fsl_ledger_record_as(lg, dead, 12345, "gone", P(".idea")) == SRT_OK);
    /* our own pid but a different start time: a recycled pid, also dead */
    CU_ASSERT(fsl_ledger_record_as(lg, getpid(), 1, "old", P("mine")) == SRT_OK);
    CU_ASSERT(fsl_ledger_create(lg, P("live"), false, err, sizeof err) == SRT_OK);
    size_t removed = 0;
    CU_ASSERT(fsl_ledger_sweep(lg, &removed, err, sizeof err) == SRT_OK);
    CU_ASSERT_EQUAL(removed, 3);
    CU_ASSERT(!ft_exists(T, ".mcp.json"));
    CU_ASSERT(!ft_exists(T, ".idea"));
    CU_ASSERT(!ft_exists(T, "mine"));
    CU_ASSERT(ft_exists(T, "live"));            /* this run is alive */
    CU_ASSERT(fsl_ledger_release(lg, &removed) == SRT_OK && removed == 1);
    fsl_ledger_close(lg);
    ft_rmtree(T);
    free(T);
}

static void test_refuses_foreign_dir(void)
{
    T = ft_tmpdir();
    snprintf(dir, sizeof dir, "%s/open", T);
    ft_make(T, "open/", NULL);
    chmod(dir, 0777);
    struct fsl_ledger *lg = NULL;
    char err[FSL_ERRMAX];
    CU_ASSERT(fsl_ledger_open(dir, "x", &lg, err, sizeof err) == SRT_EPERM);
    CU_ASSERT(lg == NULL);
    ft_rmtree(T);
    free(T);
}

void fsl_test_ledger(void);
void fsl_test_ledger(void)
{
    CU_pSuite s = CU_add_suite("fs-linux ledger", NULL, NULL);
    CU_add_test(s, "create and release", test_create_release);
    CU_add_test(s, "reference counting", test_refcount);
    CU_add_test(s, "sweep after a dead run", test_sweep_dead);
    CU_add_test(s, "refuses an open state dir", test_refuses_foreign_dir);
}
