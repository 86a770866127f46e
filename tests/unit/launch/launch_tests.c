/* launch_tests.c - registers the unit_launch suites and holds the shared
 * child-process helpers. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"
#include "launch_tests.h"

int launch_test_in_child(int (*fn)(void *), void *arg)
{
    int status = -1;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

int launch_test_result(long rc)
{
    if (rc >= 0)
        return LT_OK;
    return errno > 0 && errno < LT_HARNESS ? errno : LT_HARNESS;
}

void srt_test_register(void)
{
    launch_test_register_seccomp();
    launch_test_register_outer();
    launch_test_register_inner();
    launch_test_register_plan_recv();
    launch_test_register_guard();
    /* Last: they skip the binary when the kernel lacks Landlock. */
    launch_test_register_landlock();
    launch_test_register_weak();
}
