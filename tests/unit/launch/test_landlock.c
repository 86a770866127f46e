/* test_landlock.c - launch_landlock_apply(): in a forked child restricted to
 * one write directory, writes there succeed, writes elsewhere fail with
 * EACCES, and reading elsewhere still works. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cu_main.h"
#include "launch_int.h"
#include "launch_tests.h"

struct ll_case {
    char allowed[64];
    char other[64];
};

enum { LL_WRITE_INSIDE = 1, LL_WRITE_OUTSIDE, LL_MKDIR_OUTSIDE, LL_READ_OUTSIDE, LL_APPLY };

static int ll_touch(const char *dir, const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    close(fd);
    return LT_OK;
}

/* Exit code: 0, or the step that misbehaved (see enum) times 1. */
static int ll_child(void *arg)
{
    const struct ll_case *c = arg;
    const char *write[] = { c->allowed };
    struct launch_ll_policy pol = { .write = write, .n_write = 1, .scope_unix = true };
    struct launch_error err;
    char buf[8];

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || launch_landlock_apply(&pol, &err) < 0)
        return LL_APPLY;
    if (ll_touch(c->allowed, "in") != LT_OK)
        return LL_WRITE_INSIDE;
    if (ll_touch(c->other, "out") != EACCES)
        return LL_WRITE_OUTSIDE;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/d", c->other);
    if (mkdir(sub, 0700) == 0 || errno != EACCES)
        return LL_MKDIR_OUTSIDE;
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
        return LL_READ_OUTSIDE;
    close(fd);
    return LT_OK;
}

static void test_writes_confined(void)
{
    struct ll_case c;
    char path[160];
    struct stat st;

    if (launch_landlock_abi() < 1)
        srt_test_skip("landlock is not available on this kernel");
    snprintf(c.allowed, sizeof(c.allowed), "/tmp/srt-ll-in-XXXXXX");
    snprintf(c.other, sizeof(c.other), "/tmp/srt-ll-out-XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(c.allowed) != NULL);
    CU_ASSERT_FATAL(mkdtemp(c.other) != NULL);

    int status = launch_test_in_child(ll_child, &c);
    CU_ASSERT(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), LT_OK);

    /* The effects as seen from outside the domain. */
    snprintf(path, sizeof(path), "%s/in", c.allowed);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    unlink(path);
    snprintf(path, sizeof(path), "%s/out", c.other);
    CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/d", c.other);
    CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
    rmdir(c.allowed);
    rmdir(c.other);
}

void launch_test_register_landlock(void)
{
    CU_pSuite s = CU_add_suite("landlock", NULL, NULL);
    CU_add_test(s, "writes confined to the allow-list", test_writes_confined);
}
