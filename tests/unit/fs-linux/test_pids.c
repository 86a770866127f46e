/* test_pids.c - the per-run pids cgroup (THREATS K11): made with the limit,
 * removed with the run; empty ones of earlier runs swept, but never a young
 * one, which another srt may have made a moment ago and not joined yet.
 * Needs root and a pids hierarchy (CI has both); elsewhere it checks that
 * no cgroup is made. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "cu_main.h"
#include "fsl_test.h"

static void test_pids_cgroup(void)
{
    char err[FSL_ERRMAX] = "", *dir = NULL;
    const char *base = fsl_pids_hierarchy();
    if (geteuid() != 0 || !base) {
        CU_ASSERT(fsl_pids_cgroup("0123456789abcdef", 30, &dir, err, sizeof err) == SRT_OK);
        CU_ASSERT_PTR_NULL(dir);
        return;
    }
    char young[PATH_MAX], old[PATH_MAX];
    snprintf(young, sizeof young, "%s/srt-test-young-%d", base, (int)getpid());
    snprintf(old, sizeof old, "%s/srt-test-old-%d", base, (int)getpid());
    CU_ASSERT_FATAL(mkdir(young, 0755) == 0 && mkdir(old, 0755) == 0);
    struct utimbuf past = { time(NULL) - 600, time(NULL) - 600 };
    CU_ASSERT_FATAL(utime(old, &past) == 0);

    CU_ASSERT_FATAL(fsl_pids_cgroup("0123456789abcdef", 30, &dir, err, sizeof err) == SRT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char path[PATH_MAX + 16], buf[32] = "";
    snprintf(path, sizeof path, "%s/pids.max", dir);
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fgets(buf, sizeof buf, f) && strcmp(buf, "30\n") == 0);
    fclose(f);
    CU_ASSERT(access(old, F_OK) != 0);     /* swept */
    CU_ASSERT(access(young, F_OK) == 0);   /* left alone */
    fsl_pids_cgroup_remove(dir);
    CU_ASSERT(access(dir, F_OK) != 0);
    free(dir);
    rmdir(young);
    /* no limit asked for: no cgroup */
    CU_ASSERT(fsl_pids_cgroup("0123456789abcdef", 0, &dir, err, sizeof err) == SRT_OK);
    CU_ASSERT_PTR_NULL(dir);
}

/* A memory cgroup with the limit in bytes where srt can make one; refused
 * (never silently missing) where it cannot. */
static void test_mem_cgroup(void)
{
    char err[FSL_ERRMAX] = "", *dir = NULL;
    CU_ASSERT(fsl_mem_cgroup("0123456789abcdef", 0, &dir, err, sizeof err) == SRT_OK);
    CU_ASSERT_PTR_NULL(dir);
    const char *base = fsl_mem_hierarchy();
    if (geteuid() != 0 || !base) {
        CU_ASSERT(fsl_mem_cgroup("0123456789abcdef", 64, &dir, err, sizeof err) == SRT_EPERM);
        CU_ASSERT_PTR_NULL(dir);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "max_memory_mib"));
        return;
    }
    CU_ASSERT_FATAL(fsl_mem_cgroup("0123456789abcdef", 64, &dir, err, sizeof err) == SRT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char path[PATH_MAX + 32], buf[32] = "";
    snprintf(path, sizeof path, "%s/%s", dir,
             access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "memory.max"
                                                                    : "memory.limit_in_bytes");
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fgets(buf, sizeof buf, f) && strcmp(buf, "67108864\n") == 0);
    fclose(f);
    fsl_pids_cgroup_remove(dir);
    CU_ASSERT(access(dir, F_OK) != 0);
    free(dir);
}

void fsl_test_pids(void);
void fsl_test_pids(void)
{
    CU_pSuite s = CU_add_suite("fs-linux process limit (K11)", NULL, NULL);
    CU_add_test(s, "pids cgroup per run, sweep of old ones", test_pids_cgroup);
    CU_add_test(s, "memory cgroup per run, or a refusal", test_mem_cgroup);
}
