/* test_inner.c - `srt-linux-launch --inner` on its own (outside bwrap): the
 * exit codes of a failed exec, the usage error, and that only 0-2 and the
 * --keep-fd descriptors reach the command. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "launch_int.h"
#include "launch_tests.h"

struct inner_run {
    int  status;
    char out[2048];     /* stdout and stderr together */
};

/* Run the inner stage with argv (after the program name); fds 7 and 8 are
 * left open without close-on-exec as stray inherited descriptors. */
static void inner_run(struct inner_run *r, const char *const *args)
{
    int out[2];
    const char *argv[16] = { SRT_LAUNCH_BIN, "--inner" };
    size_t n = 2;

    memset(r, 0, sizeof(*r));
    while (*args && n + 1 < sizeof(argv) / sizeof(argv[0]))
        argv[n++] = *args++;
    CU_ASSERT_FATAL(pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(out[1], 2);
        dup2(open("/dev/null", O_RDONLY), 7);
        dup2(open("/dev/null", O_RDONLY), 8);
        execv(argv[0], (char **)argv);
        _exit(LT_HARNESS);
    }
    close(out[1]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < sizeof(r->out) && (got = read(out[0], r->out + len, sizeof(r->out) - 1 - len)) > 0)
        len += (size_t)got;
    close(out[0]);
    waitpid(pid, &r->status, 0);
}

static int inner_exit(const struct inner_run *r)
{
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

static void test_command_not_found(void)
{
    struct inner_run r;
    inner_run(&r, (const char *[]){ "--", "srt-no-such-command", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_NOTFOUND);
    CU_ASSERT_STRING_EQUAL(r.out, "srt: srt-no-such-command: command not found\n");
}

static void test_command_not_executable(void)
{
    struct inner_run r;
    inner_run(&r, (const char *[]){ "--", "/etc/passwd", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_NOEXEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "srt: /etc/passwd: "));
}

static void test_usage_error(void)
{
    struct inner_run r;
    inner_run(&r, (const char *[]){ "--bogus", "--", "/bin/true", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_SETUP);
    CU_ASSERT_STRING_EQUAL(r.out, "srt-linux-launch: unknown inner option --bogus\n");
    inner_run(&r, (const char *[]){ "--allow-unix", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_SETUP);
}

static void test_only_kept_fds_reach_command(void)
{
    struct inner_run r;
    /* `ls` of fd/ shows its own directory fd as 3. */
    inner_run(&r, (const char *[]){ "--keep-fd", "8", "--", "/bin/ls", "/proc/self/fd", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), 0);
    CU_ASSERT_STRING_EQUAL(r.out, "0\n1\n2\n3\n8\n");
}

static void test_filter_applied(void)
{
    struct inner_run r;
    inner_run(&r, (const char *[]){ "--", "/bin/sh", "-c",
                                    "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), 0);
    CU_ASSERT_STRING_EQUAL(r.out, "NoNewPrivs:\t1\nSeccomp:\t2\n");
}

/* --expect (THREATS F2): the command runs only when every destination is
 * the file with the given identity; another inode or a symlink there stops
 * the run with 125 before the command. */
static void test_expect_identity(void)
{
    char tmp[64], etc[64], lnk[] = "/tmp/srt-expect-XXXXXX";
    struct stat st;
    CU_ASSERT_FATAL(stat("/tmp", &st) == 0);
    snprintf(tmp, sizeof tmp, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    CU_ASSERT_FATAL(stat("/etc", &st) == 0);
    snprintf(etc, sizeof etc, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    struct inner_run r;
    inner_run(&r, (const char *[]){ "--expect", tmp, "/tmp", "--", "/bin/echo", "ran", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), 0);
    CU_ASSERT_STRING_EQUAL(r.out, "ran\n");
    inner_run(&r, (const char *[]){ "--expect", etc, "/tmp", "--", "/bin/echo", "ran", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_SETUP);
    CU_ASSERT_STRING_EQUAL(r.out, "srt-linux-launch: the mount at /tmp is not the file srt checked "
                                  "(replaced during setup?)\n");
    /* a symlink to the right directory is still not that directory */
    CU_ASSERT_FATAL(mkdtemp(lnk) != NULL && rmdir(lnk) == 0 && symlink("/tmp", lnk) == 0);
    inner_run(&r, (const char *[]){ "--expect", tmp, lnk, "--", "/bin/echo", "ran", NULL });
    CU_ASSERT_EQUAL(inner_exit(&r), LAUNCH_EXIT_SETUP);
    CU_ASSERT_PTR_NULL(strstr(r.out, "ran"));
    unlink(lnk);
}

void launch_test_register_inner(void)
{
    CU_pSuite s = CU_add_suite("inner", NULL, NULL);
    CU_add_test(s, "command not found exits 127", test_command_not_found);
    CU_add_test(s, "command not executable exits 126", test_command_not_executable);
    CU_add_test(s, "usage error exits 125", test_usage_error);
    CU_add_test(s, "only 0-2 and --keep-fd reach the command", test_only_kept_fds_reach_command);
    CU_add_test(s, "no_new_privs and seccomp in force", test_filter_applied);
    CU_add_test(s, "--expect: only the checked file at each destination", test_expect_identity);
}
