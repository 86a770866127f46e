/* test_run.c - per-run state without the plugin glue: argument checks, a
 * weaker nested run from prepare to the listener hand-over (1.0 cores
 * refused), an unprepared run, signals over the lifeline, the run list. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_run.h"
#include "fsl_test.h"

static void test_run_new(void)
{
    struct srt_policy pol = { .struct_size = sizeof pol };
    struct srt_session s = { .struct_size = sizeof s, .id = "s1", .runtime_dir = "/run/x",
                             .policy = &pol };
    const char *const argv[] = { "/bin/true", NULL };
    const char *const none[] = { NULL };
    struct fsl_run *run = NULL;
    char err[FSL_ERRMAX] = "";
    CU_ASSERT(fsl_run_new(&s, none, &run, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "missing command, policy or runtime directory");
    s.runtime_dir = NULL;
    CU_ASSERT(fsl_run_new(&s, argv, &run, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT_PTR_NULL(run);
    s.runtime_dir = "/run/x";
    CU_ASSERT_FATAL(fsl_run_new(&s, argv, &run, err, sizeof err) == SRT_OK);
    CU_ASSERT_STRING_EQUAL(run->id, "s1");
    CU_ASSERT(run->ctl_parent == -1 && run->life_srt == -1 && run->token == -1);

    /* listeners before prepare: refused with the session named */
    struct srt_listener out[4];
    size_t n = 9;
    CU_ASSERT(fsl_run_listeners(run, 10, out, 4, &n, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_STRING_EQUAL(err, "receive listeners: session s1 was not prepared");
    fsl_run_free(run);
}

static void test_run_weak(void)
{
    char *T = ft_tmpdir();
    ft_make(T, "rt/", NULL);
    ft_make(T, "w/f", "x");
    char rt[700], w[700], state[700];
    snprintf(rt, sizeof rt, "%s/rt", T);
    snprintf(w, sizeof w, "%s/w", T);
    snprintf(state, sizeof state, "%s/state", T);
    struct ft_policy p;
    ft_policy_init(&p, w);
    ft_policy_add(&p, 'w', T, "w", 0);
    struct srt_session s = { .struct_size = sizeof s, .id = "weak1", .runtime_dir = rt,
                             .policy = &p.pol };
    struct fsl_bwrap_caps caps = FSL_BWRAP_CAPS_UNKNOWN;
    struct fsl_run_cfg cfg = { .launcher = "/l/launch", .state_dir = state, .caps = &caps };
    const char *const argv[] = { "/bin/echo", "hi", NULL };
    const char *const envp[] = { "PATH=/bin", NULL };
    char err[FSL_ERRMAX] = "";
    struct fsl_run *run;

    /* a 1.0 core cannot be told the host ports */
    struct srt_launch_plan old = { .struct_size = offsetof(struct srt_launch_plan, http_port) };
    CU_ASSERT_FATAL(fsl_run_new(&s, argv, &run, err, sizeof err) == SRT_OK);
    CU_ASSERT(fsl_run_prepare(run, &cfg, FSL_MODE_WEAK, &s, argv, envp, &old, err, sizeof err) ==
              SRT_EVERSION);
    CU_ASSERT(strstr(err, "plugin ABI 1.1") != NULL);
    fsl_run_free(run);

    struct srt_launch_plan plan = { .struct_size = sizeof plan };
    CU_ASSERT_FATAL(fsl_run_new(&s, argv, &run, err, sizeof err) == SRT_OK);
    CU_ASSERT_FATAL(fsl_run_prepare(run, &cfg, FSL_MODE_WEAK, &s, argv, envp, &plan, err,
                                    sizeof err) == SRT_OK);
    CU_ASSERT(run->weak);
    CU_ASSERT_EQUAL(caps.disable_userns, -1);             /* bwrap not consulted */
    CU_ASSERT_STRING_EQUAL(plan.argv[0], "/l/launch");
    CU_ASSERT_STRING_EQUAL(plan.argv[1], "--weak");
    CU_ASSERT(plan.http_port > 0 && plan.socks_port > 0 && plan.http_port != plan.socks_port);
    CU_ASSERT_EQUAL(plan.n_keep_fds, 0);
    CU_ASSERT(plan.listener_fd >= 0 && plan.listener_fd == run->token);
    CU_ASSERT(ft_find(&run->envp, "SANDBOX_RUNTIME=1", NULL, NULL) >= 0);
    CU_ASSERT(ft_find(&run->envp, "PATH=/bin", NULL, NULL) >= 0);
    CU_ASSERT(fsl_run_signal(run, 15) == SRT_ENOTSUP);    /* no lifeline in this mode */

    struct srt_listener out[4];
    size_t n = 9;
    CU_ASSERT(fsl_run_listeners(run, 10, out, 1, &n, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "hand over listeners: room for fewer than 2");
    int token = run->token;
    CU_ASSERT_FATAL(fsl_run_listeners(run, 10, out, 4, &n, err, sizeof err) == SRT_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT(out[0].proto == SRT_PROTO_HTTP && out[1].proto == SRT_PROTO_SOCKS5);
    CU_ASSERT(fcntl(token, F_GETFD) < 0 && run->token == -1);   /* token closed */
    CU_ASSERT(fsl_run_listeners(run, 10, out + 2, 2, &n, err, sizeof err) == SRT_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "hand over listeners: already handed over");
    fsl_run_free(run);
    /* the handed-over listeners belong to the caller now: still open */
    CU_ASSERT(fcntl(out[0].fd, F_GETFD) >= 0 && fcntl(out[1].fd, F_GETFD) >= 0);
    close(out[0].fd);
    close(out[1].fd);
    ft_rmtree(T);
    free(T);
}

static void test_run_signal_and_list(void)
{
    struct srt_policy pol = { .struct_size = sizeof pol };
    struct srt_session s = { .struct_size = sizeof s, .id = "a", .runtime_dir = "/run/x",
                             .policy = &pol };
    const char *const argv[] = { "/bin/true", NULL };
    char err[FSL_ERRMAX];
    struct fsl_run *a, *b, *list = NULL;
    CU_ASSERT_FATAL(fsl_run_new(&s, argv, &a, err, sizeof err) == SRT_OK);
    s.id = "b";
    CU_ASSERT_FATAL(fsl_run_new(&s, argv, &b, err, sizeof err) == SRT_OK);
    a->next = list;
    list = a;
    b->next = list;
    list = b;

    int sv[2];
    unsigned char got = 0;
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    a->life_srt = sv[0];
    CU_ASSERT(fsl_run_signal(NULL, 15) == SRT_ENOTSUP);
    CU_ASSERT(fsl_run_signal(a, 0) == SRT_ENOTSUP);
    CU_ASSERT(fsl_run_signal(a, 65) == SRT_ENOTSUP);
    CU_ASSERT(fsl_run_signal(b, 15) == SRT_ENOTSUP);      /* no lifeline */
    CU_ASSERT(fsl_run_signal(a, 15) == SRT_OK);
    CU_ASSERT(recv(sv[1], &got, 1, MSG_DONTWAIT) == 1 && got == 15);

    CU_ASSERT_PTR_EQUAL(fsl_run_find(&list, "a", false), a);
    CU_ASSERT_PTR_NULL(fsl_run_find(&list, "c", true));
    CU_ASSERT_PTR_EQUAL(fsl_run_find(&list, "a", true), a);
    CU_ASSERT_PTR_NULL(fsl_run_find(&list, "a", false));
    CU_ASSERT(list == b && b->next == NULL);
    fsl_run_free(a);
    /* freeing the run closed srt's end of the lifeline: the watcher sees EOF */
    CU_ASSERT(recv(sv[1], &got, 1, 0) == 0);
    close(sv[1]);
    fsl_run_free_all(&list);
    CU_ASSERT_PTR_NULL(list);
}

void fsl_test_run(void);
void fsl_test_run(void)
{
    CU_pSuite s = CU_add_suite("fs-linux run state", NULL, NULL);
    CU_add_test(s, "arguments checked, unprepared run refused", test_run_new);
    CU_add_test(s, "weaker nested run: prepare and listener hand-over", test_run_weak);
    CU_add_test(s, "signals over the lifeline, the run list", test_run_signal_and_list);
}
