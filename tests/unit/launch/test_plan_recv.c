/* test_plan_recv.c - the prestarted outer stage (`--outer --prestarted`)
 * run for real: it execs exactly the argv and environment that arrive on
 * the plan channel, and runs nothing when the plan is malformed, cut short
 * or names a relative program. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <srt/fs.h>

#include "launch_int.h"
#include "launch_tests.h"

struct plan_run {
    int  status;
    char out[512];
};

/* Start the prestarted outer stage, send `len` bytes of `plan` on its plan
 * channel, close it and collect the stdout of what ran. */
static void plan_run(struct plan_run *r, const void *plan, size_t len)
{
    int ctl[2], chan[2], out[2];
    memset(r, 0, sizeof *r);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == 0);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan) == 0);
    CU_ASSERT_FATAL(pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        int c = dup(ctl[1]), p = dup(chan[1]);   /* without close-on-exec */
        char cbuf[16], env[32];
        snprintf(cbuf, sizeof cbuf, "%d", c);
        snprintf(env, sizeof env, "%s=%d", SRT_PLAN_ENV, p);
        dup2(out[1], 1);
        const char *argv[] = { SRT_LAUNCH_BIN, "--outer", "--ctl-fd", cbuf,
                               geteuid() ? "--userns" : "--prestarted",
                               geteuid() ? "--prestarted" : NULL, NULL };
        const char *envp[] = { env, NULL };
        execve(argv[0], (char **)argv, (char **)envp);
        _exit(LT_HARNESS);
    }
    close(ctl[1]);
    close(chan[1]);
    close(out[1]);
    CU_ASSERT(write(chan[0], plan, len) == (ssize_t)len);
    close(chan[0]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < sizeof r->out && (got = read(out[0], r->out + n, sizeof r->out - 1 - n)) > 0)
        n += (size_t)got;
    close(out[0]);
    waitpid(pid, &r->status, 0);
    close(ctl[0]);
}

static size_t plan_make(char *buf, uint32_t magic, const char *strings, size_t slen,
                        uint32_t argc, uint32_t envc, uint32_t bytes)
{
    struct srt_plan_head h = { .magic = magic, .argc = argc, .envc = envc, .bytes = bytes };
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, strings, slen);
    return sizeof h + slen;
}

static void test_plan_recv(void)
{
    static const char ok[] = "/bin/sh\0-c\0echo \"$X planned\"\0X=exactly";
    char buf[256];
    struct plan_run r;

    plan_run(&r, buf, plan_make(buf, SRT_PLAN_MAGIC, ok, sizeof ok, 3, 1, sizeof ok));
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    CU_ASSERT_STRING_EQUAL(r.out, "exactly planned\n");

    /* wrong magic, counts that do not match the strings, relative program */
    plan_run(&r, buf, plan_make(buf, SRT_PLAN_MAGIC + 1, ok, sizeof ok, 3, 1, sizeof ok));
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP && !r.out[0]);
    plan_run(&r, buf, plan_make(buf, SRT_PLAN_MAGIC, ok, sizeof ok, 2, 1, sizeof ok));
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP && !r.out[0]);
    static const char rel[] = "sh\0-c\0echo planned";
    plan_run(&r, buf, plan_make(buf, SRT_PLAN_MAGIC, rel, sizeof rel, 3, 0, sizeof rel));
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP && !r.out[0]);

    /* cut short, and closed without a plan at all: srt gave up */
    plan_run(&r, buf, plan_make(buf, SRT_PLAN_MAGIC, ok, 10, 3, 1, sizeof ok));
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP && !r.out[0]);
    plan_run(&r, buf, 0);
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == LAUNCH_EXIT_SETUP && !r.out[0]);
}

void launch_test_register_plan_recv(void)
{
    CU_pSuite s = CU_add_suite("prestarted outer stage", NULL, NULL);
    CU_add_test(s, "runs exactly the plan, nothing on a bad one", test_plan_recv);
}
