/* test_supervise.c - spawning plans: exit statuses, signals, descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core_tests.h"
#include "cu_main.h"
#include "supervise_int.h"

extern char **environ;

static int run_plan(const char *const *argv, const int *keep, size_t n_keep)
{
    struct srt_launch_plan plan = { .struct_size = sizeof plan, .listener_fd = -1, .argv = argv,
                                    .envp = (const char *const *)environ, .keep_fds = keep,
                                    .n_keep_fds = n_keep };
    pid_t pid;
    struct srt_error err = { 0 };
    if (srt_supervise_spawn(&plan, &pid, &err) != SRT_OK)
        return -1;
    return srt_supervise_wait(pid, NULL);
}

static void test_exit_codes(void)
{
    CU_ASSERT_EQUAL(run_plan((const char *const[]){ "/bin/sh", "-c", "exit 42", NULL }, NULL, 0), 42);
    CU_ASSERT_EQUAL(run_plan((const char *const[]){ "/bin/sh", "-c", "kill -TERM $$", NULL }, NULL, 0),
                    143);
    CU_ASSERT_EQUAL(run_plan((const char *const[]){ "/bin/sh", "-c", "kill -KILL $$", NULL }, NULL, 0),
                    137);
}

static void test_exec_failure(void)
{
    const char *const argv[] = { "/nonexistent/prog", NULL };
    struct srt_launch_plan plan = { .struct_size = sizeof plan, .listener_fd = -1, .argv = argv,
                                    .envp = (const char *const *)environ };
    pid_t pid;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL(srt_supervise_spawn(&plan, &pid, &err), SRT_EIO);
    CU_ASSERT_EQUAL(err.sys_errno, ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/prog"));
    const char *const rel[] = { "sh", NULL };
    plan.argv = rel;
    CU_ASSERT_EQUAL(srt_supervise_spawn(&plan, &pid, &err), SRT_EINVAL);
}

/* Only 0-2 and the requested descriptors reach the child, even ones opened
 * without O_CLOEXEC. */
static void test_descriptors(void)
{
    int stray = open("/dev/null", O_RDONLY);
    int keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CU_ASSERT_FATAL(stray > 2 && keep > 2);
    char check[128];
    snprintf(check, sizeof check, "[ -e /proc/self/fd/%d ] && exit 1; [ -e /proc/self/fd/%d ] || exit 2; exit 0",
             stray, keep);
    CU_ASSERT_EQUAL(run_plan((const char *const[]){ "/bin/sh", "-c", check, NULL }, &keep, 1), 0);
    close(stray);
    close(keep);
}

/* A SIGTERM sent to the supervising process reaches the child. */
static void test_forward_sigterm(void)
{
    const char *const argv[] = { "/bin/sh", "-c", "trap 'exit 7' TERM; kill -TERM $PPID; while :; do sleep 0.05; done", NULL };
    CU_ASSERT_EQUAL(run_plan(argv, NULL, 0), 7);
}

/* A command that ignores the forwarded SIGTERM is killed after the grace
 * period, and srt reports the SIGTERM it was asked to act on. */
static void test_sigterm_escalation(void)
{
    const char *const argv[] = { "/bin/sh", "-c", "trap '' TERM; kill -TERM $PPID; exec sleep 30", NULL };
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CU_ASSERT_EQUAL(run_plan(argv, NULL, 0), 143);
    clock_gettime(CLOCK_MONOTONIC, &b);
    CU_ASSERT(b.tv_sec - a.tv_sec < 15);   /* killed after the grace, not after sleep 30 */
}

/* The spawned plan leads its own process group, so terminal signals reach
 * srt alone and are forwarded from there. */
static void test_own_process_group(void)
{
    const char *const argv[] = { "/bin/sh", "-c", "[ \"$(ps -o pgid= $$ | tr -d ' ')\" = \"$$\" ]", NULL };
    CU_ASSERT_EQUAL(run_plan(argv, NULL, 0), 0);
}

/* A process that detached from the command (double fork, setsid) comes back
 * to srt as a subreaper and is ended after the command. */
static void test_reap_orphans(void)
{
    srt_supervise_become_subreaper();
    const char *const argv[] = { "/bin/sh", "-c", "(setsid sleep 30 &); exit 0", NULL };
    CU_ASSERT_EQUAL(run_plan(argv, NULL, 0), 0);
    usleep(100 * 1000);   /* let the detached sleep start */
    CU_ASSERT(srt_supervise_reap_orphans() >= 1);
    CU_ASSERT_EQUAL(srt_supervise_reap_orphans(), 0);
    CU_ASSERT_NOT_EQUAL(system("pgrep -x -P $PPID sleep >/dev/null"), 0);
}

void core_tests_supervise(void)
{
    srt_supervise_block_signals();
    CU_pSuite s = CU_add_suite("supervise", NULL, NULL);
    CU_add_test(s, "exit codes", test_exit_codes);
    CU_add_test(s, "exec failure reported by the parent", test_exec_failure);
    CU_add_test(s, "descriptors", test_descriptors);
    CU_add_test(s, "SIGTERM forwarded", test_forward_sigterm);
    CU_add_test(s, "SIGTERM ignored: killed, status 143", test_sigterm_escalation);
    CU_add_test(s, "own process group", test_own_process_group);
    CU_add_test(s, "detached orphans ended", test_reap_orphans);
}
