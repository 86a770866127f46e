/* test_prestart.c - the plan channel of a prestarted launch: what the early
 * process receives byte for byte, and that an aborted run leaves nothing
 * behind and runs nothing. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_tests.h"
#include "cu_main.h"
#include "prestart_int.h"
#include "supervise_int.h"

static char pre_dir[] = "/tmp/srt-prestart-XXXXXX";

static char *pre_path(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", pre_dir, name);
    return buf[i];
}

static size_t pre_read(const char *path, char *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, max, f);
    fclose(f);
    return n;
}

/* The early process copies its channel to a file; the file must hold the
 * header and the strings, argv first, and the environment it started with
 * must be SRT_PLAN_FD alone. */
static void test_commit_wire_format(void)
{
    char script[512];
    snprintf(script, sizeof script, "/usr/bin/env > %s; exec /bin/cat <&$SRT_PLAN_FD > %s",
             pre_path("env"), pre_path("plan"));
    const char *const early_argv[] = { "/bin/sh", "-c", script, NULL };
    struct srt_launch_plan early = { .struct_size = sizeof early, .listener_fd = -1,
                                     .argv = early_argv };
    struct srt_prestart ps;
    struct srt_error err = { 0 };
    CU_ASSERT_FATAL(srt_prestart_spawn(&early, &ps, &err) == SRT_OK);
    CU_ASSERT(ps.pid > 0 && ps.chan >= 0);
    const char *const argv[] = { "/bin/true", "a b", "", NULL };
    const char *const envp[] = { "X=1", NULL };
    struct srt_launch_plan plan = { .struct_size = sizeof plan, .listener_fd = -1,
                                    .argv = argv, .envp = envp };
    CU_ASSERT_FATAL(srt_prestart_commit(&ps, &plan, &err) == SRT_OK);
    CU_ASSERT_EQUAL(ps.chan, -1);
    CU_ASSERT_EQUAL(srt_supervise_wait(ps.pid, NULL), 0);

    static const char strings[] = "/bin/true\0a b\0\0X=1";
    char got[256];
    size_t n = pre_read(pre_path("plan"), got, sizeof got);
    struct srt_plan_head h;
    CU_ASSERT_FATAL(n == sizeof h + sizeof strings);
    memcpy(&h, got, sizeof h);
    CU_ASSERT_EQUAL(h.magic, SRT_PLAN_MAGIC);
    CU_ASSERT_EQUAL(h.argc, 3);
    CU_ASSERT_EQUAL(h.envc, 1);
    CU_ASSERT_EQUAL(h.bytes, sizeof strings);
    CU_ASSERT(memcmp(got + sizeof h, strings, sizeof strings) == 0);
    n = pre_read(pre_path("env"), got, sizeof got - 1);
    got[n] = '\0';
    /* the shell adds PWD; nothing of the caller's environment is there */
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "SRT_PLAN_FD="));
    CU_ASSERT_PTR_NULL(strstr(got, "HOME="));
    CU_ASSERT_PTR_NULL(strstr(got, "PATH="));
    unlink(pre_path("plan"));
    unlink(pre_path("env"));
}

/* A refused plan (relative program) and an abort both kill the early
 * process before it can act on the closed channel: the marker it would
 * write after EOF never appears, and it is reaped. */
static void test_abort_runs_nothing(void)
{
    char script[512];
    snprintf(script, sizeof script, "/bin/cat <&$SRT_PLAN_FD >/dev/null; /usr/bin/touch %s",
             pre_path("ran"));
    const char *const early_argv[] = { "/bin/sh", "-c", script, NULL };
    struct srt_launch_plan early = { .struct_size = sizeof early, .listener_fd = -1,
                                     .argv = early_argv };
    struct srt_prestart ps;
    struct srt_error err = { 0 };

    CU_ASSERT_FATAL(srt_prestart_spawn(&early, &ps, &err) == SRT_OK);
    pid_t pid = ps.pid;
    srt_prestart_abort(&ps);
    CU_ASSERT_EQUAL(ps.pid, 0);
    CU_ASSERT_EQUAL(ps.chan, -1);
    CU_ASSERT(kill(pid, 0) != 0 && errno == ESRCH);

    CU_ASSERT_FATAL(srt_prestart_spawn(&early, &ps, &err) == SRT_OK);
    pid = ps.pid;
    const char *const rel[] = { "true", NULL };
    struct srt_launch_plan plan = { .struct_size = sizeof plan, .listener_fd = -1, .argv = rel };
    CU_ASSERT_EQUAL(srt_prestart_commit(&ps, &plan, &err), SRT_EINVAL);
    CU_ASSERT_EQUAL(ps.pid, 0);
    CU_ASSERT(kill(pid, 0) != 0 && errno == ESRCH);

    usleep(50 * 1000);
    struct stat st;
    CU_ASSERT(stat(pre_path("ran"), &st) != 0);
    srt_prestart_abort(&ps);   /* a second abort does nothing */
}

static int pre_init(void)
{
    return mkdtemp(pre_dir) ? 0 : -1;
}

static int pre_clean(void)
{
    unlink(pre_path("ran"));
    return rmdir(pre_dir);
}

void core_tests_prestart(void)
{
    CU_pSuite s = CU_add_suite("prestart", pre_init, pre_clean);
    CU_add_test(s, "commit wire format", test_commit_wire_format);
    CU_add_test(s, "abort runs nothing", test_abort_runs_nothing);
}
