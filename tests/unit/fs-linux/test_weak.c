/* test_weak.c - the weaker nested mode's plan (weak.c): the complement
 * golden-tested on a fixed tree, the allow-lists built for a real temp tree,
 * and the plugin glue with force_mode (probe, prepare, listeners, cleanup). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <srt/fs.h>

#include "cu_main.h"
#include "fake_host.h"
#include "fsl_test.h"
#include "fsl_weak.h"

const struct srt_plugin_desc *srt_builtin_fs_linux(void);

/* A fixed tree: each directory with its sorted children. */
static const char *const wt_tree[][8] = {
    { "/", "bin", "etc", "home", "tmp", NULL },
    { "/home", "u", "v", NULL },
    { "/home/u", ".bashrc", ".ssh", "docs", "proj", NULL },
    { "/home/u/.ssh", "id_rsa", "known_hosts", "pub", NULL },
    { "/home/u/proj", ".git", "README", "src", NULL },
    { "/home/u/proj/.git", "HEAD", "config", "hooks", "objects", NULL },
};

static int wt_list(const char *dir, struct fsl_vec *names, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof wt_tree / sizeof wt_tree[0]; i++)
        if (strcmp(wt_tree[i][0], dir) == 0) {
            for (size_t k = 1; wt_tree[i][k]; k++)
                if (fsl_vec_push(names, wt_tree[i][k]) != SRT_OK)
                    return SRT_ENOMEM;
            return SRT_OK;
        }
    return SRT_EIO;
}

/* The whole output, one path per line, for exact comparison. */
static void wt_join(const struct fsl_vec *v, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < v->n; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s\n", v->v[i]);
}

static void wt_golden(const struct fsl_weak_entry *e, size_t n, bool root, const char *want)
{
    struct fsl_vec out = {0};
    char got[2048];
    CU_ASSERT_FATAL(fsl_weak_complement(e, n, root, wt_list, NULL, &out) == SRT_OK);
    wt_join(&out, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- got:\n%s--- want:\n%s", got, want);
    fsl_vec_free(&out);
}

static void test_complement_golden(void)
{
    /* nothing denied: one rule for everything */
    wt_golden(NULL, 0, true, "/\n");
    /* nothing granted */
    wt_golden(NULL, 0, false, "");

    /* reads: ~/.ssh denied, its pub re-opened; the ancestors get no rule
     * of their own, every sibling on the way does */
    const struct fsl_weak_entry rd[] = {
        { "/home/u/.ssh", false }, { "/home/u/.ssh/pub", true },
        { "/home/u/proj", true },   /* redundant: already granted */
    };
    wt_golden(rd, 3, true,
              "/bin\n/etc\n/home/u/.bashrc\n/home/u/.ssh/pub\n/home/u/docs\n/home/u/proj\n"
              "/home/v\n/tmp\n");

    /* writes: the project and /tmp are roots; hooks and config protected,
     * and a denied name that does not exist (.mcp.json) adds nothing */
    const struct fsl_weak_entry wr[] = {
        { "/home/u/proj", true }, { "/tmp", true },
        { "/home/u/proj/.git/hooks", false }, { "/home/u/proj/.git/config", false },
        { "/home/u/proj/.mcp.json", false },
    };
    wt_golden(wr, 5, false,
              "/home/u/proj/.git/HEAD\n/home/u/proj/.git/objects\n/home/u/proj/README\n"
              "/home/u/proj/src\n/tmp\n");

    /* a deny at / itself, a grant below it */
    const struct fsl_weak_entry top[] = { { "/", false }, { "/home/u/docs", true } };
    wt_golden(top, 2, true, "/home/u/docs\n");

    /* a directory the lister cannot read is granted nothing beneath */
    const struct fsl_weak_entry blind[] = { { "/etc/shadow", false } };
    wt_golden(blind, 1, true, "/bin\n/home\n/tmp\n");
}

static bool wt_has(const struct fsl_vec *v, const char *root, const char *rel)
{
    char p[700];
    snprintf(p, sizeof p, "%s%s%s", root, *rel ? "/" : "", rel);
    return fsl_vec_has(v, p);
}

static void test_build_real_tree(void)
{
    char *T = ft_tmpdir();
    ft_make(T, "proj/.git/HEAD", "ref: refs/heads/main\n");
    ft_make(T, "proj/.git/config", "[core]\n");
    ft_make(T, "proj/.git/hooks/pre-commit", "#!/bin/sh\n");
    ft_make(T, "proj/.git/objects/", NULL);
    ft_make(T, "proj/.bashrc", "x\n");
    ft_make(T, "proj/src/main.c", "int main;\n");
    ft_make(T, "proj/secret.txt", "s\n");
    ft_make(T, "proj/keep/out.txt", "o\n");
    ft_make(T, "proj/keep/pub.txt", "p\n");
    ft_make(T, "other/f", "f\n");
    char proj[700], tmp[700];
    snprintf(proj, sizeof proj, "%s/proj", T);
    snprintf(tmp, sizeof tmp, "%s/tmp", T);
    CU_ASSERT_FATAL(mkdir(tmp, 0700) == 0);   /* as the core does before prepare */
    struct ft_policy p;
    ft_policy_init(&p, proj);
    p.pol.tmpdir = tmp;
    ft_policy_add(&p, 'w', T, "proj", 0);
    ft_policy_add(&p, 'r', T, "proj/secret.txt", 0);
    ft_policy_add(&p, 'W', T, "proj/keep/out.txt", 0);
    struct fsl_weak_in in = { .policy = &p.pol };
    struct fsl_weak_plan plan;
    CU_ASSERT_FATAL(fsl_weak_build(&in, &plan) == SRT_OK);

    /* reads: the denied file is the only thing left out in the project */
    CU_ASSERT(!wt_has(&plan.read, T, "proj/secret.txt"));
    CU_ASSERT(!wt_has(&plan.read, T, "proj"));
    CU_ASSERT(wt_has(&plan.read, T, "proj/src"));
    CU_ASSERT(wt_has(&plan.read, T, "proj/.git"));
    CU_ASSERT(wt_has(&plan.read, T, "other"));
    CU_ASSERT(fsl_vec_has(&plan.read, "/etc"));
    CU_ASSERT(!fsl_vec_has(&plan.read, "/"));
    /* writes: the complement of the protected paths inside the root */
    CU_ASSERT(wt_has(&plan.write, T, "proj/src"));
    CU_ASSERT(wt_has(&plan.write, T, "proj/keep/pub.txt"));
    CU_ASSERT(wt_has(&plan.write, T, "proj/.git/objects"));
    CU_ASSERT(wt_has(&plan.write, T, "tmp"));
    CU_ASSERT(fsl_vec_has(&plan.write, "/dev/null"));
    static const char *const never[] = {
        "proj", "proj/.git", "proj/.git/hooks", "proj/.git/config", "proj/.bashrc",
        "proj/secret.txt", "proj/keep", "proj/keep/out.txt", "other", "",
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CU_ASSERT(!wt_has(&plan.write, T, never[i]));
    CU_ASSERT(!ft_exists(T, "proj/.mcp.json"));      /* no placeholders in this mode */
    fsl_weak_free(&plan);

    /* filesystem.disabled: everything */
    p.pol.flags |= SRT_POL_FS_DISABLED;
    CU_ASSERT_FATAL(fsl_weak_build(&in, &plan) == SRT_OK);
    CU_ASSERT(plan.read.n == 1 && strcmp(plan.read.v[0], "/") == 0);
    CU_ASSERT(plan.write.n == 1 && strcmp(plan.write.v[0], "/") == 0);
    fsl_weak_free(&plan);
    ft_rmtree(T);
    free(T);
}

static long wt_find(const char *const *v, const char *s)
{
    for (long i = 0; v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return -1;
}

static void test_plugin_weak(void)
{
    const struct srt_plugin_desc *d = srt_builtin_fs_linux();
    void *inst = NULL;
    struct srt_error err = {0};
    fake_host_reset();
    fake_config_set("force_mode", "chroot");
    CU_ASSERT(d->create(fake_host_get(), fake_handle(), fake_config(), &inst, &err) == SRT_EINVAL);
    CU_ASSERT(strstr(err.msg, "force_mode") != NULL);

    char *T = ft_tmpdir();
    char rt[700], state[700], tmp[700];
    snprintf(rt, sizeof rt, "%s/rt", T);
    snprintf(state, sizeof state, "%s/state", T);
    snprintf(tmp, sizeof tmp, "%s/tmp", T);
    ft_make(T, "rt/", NULL);
    ft_make(T, "w/f", "x");
    fake_host_reset();
    fake_config_set("force_mode", "weaker-nested");
    fake_config_set("launcher", "/bin/true");
    fake_config_set("state_dir", state);
    CU_ASSERT_FATAL(d->create(fake_host_get(), fake_handle(), fake_config(), &inst, &err) == SRT_OK);
    struct srt_probe pr = { .struct_size = sizeof pr };
    CU_ASSERT(d->ops.enforcer->probe(inst, NULL, &pr, &err) == SRT_OK);
    CU_ASSERT_STRING_EQUAL(pr.mode, "weaker-nested");
    CU_ASSERT(strstr(pr.detail, "weaker nested mode") != NULL);
    CU_ASSERT(strstr(pr.detail, "landlock ABI") != NULL);

    struct ft_policy p;
    ft_policy_init(&p, T);
    p.pol.tmpdir = tmp;
    ft_policy_add(&p, 'w', T, "w", 0);
    struct srt_session s = { .struct_size = sizeof s, .id = "00112233445566ff",
                             .runtime_dir = rt, .policy = &p.pol };
    const char *const argv[] = { "/bin/echo", "hi", NULL };
    const char *const envp[] = { "PATH=/bin", NULL };

    /* a 1.0 core cannot be told the ports: refused, not guessed */
    struct srt_launch_plan old = { .struct_size = offsetof(struct srt_launch_plan, http_port) };
    CU_ASSERT(d->ops.enforcer->prepare(inst, &s, argv, envp, &old, &err) == SRT_EVERSION);

    struct srt_launch_plan plan = { .struct_size = sizeof plan, .listener_fd = -1 };
    CU_ASSERT_FATAL(d->ops.enforcer->prepare(inst, &s, argv, envp, &plan, &err) == SRT_OK);
    CU_ASSERT_STRING_EQUAL(plan.argv[0], "/bin/true");
    CU_ASSERT_STRING_EQUAL(plan.argv[1], "--weak");
    CU_ASSERT(wt_find(plan.argv, "bwrap") < 0 && wt_find(plan.argv, "--outer") < 0);
    long sep = wt_find(plan.argv, "--");
    CU_ASSERT(sep > 0 && strcmp(plan.argv[sep + 1], "/bin/echo") == 0);
    CU_ASSERT(plan.http_port > 0 && plan.socks_port > 0 && plan.http_port != plan.socks_port);
    char port[16];
    snprintf(port, sizeof port, "%d", plan.http_port);
    long cp = wt_find(plan.argv, port);
    CU_ASSERT(cp > 0 && strcmp(plan.argv[cp - 1], "--connect-port") == 0);
    CU_ASSERT(plan.listener_fd >= 0);
    CU_ASSERT(wt_find(plan.envp, "SANDBOX_RUNTIME=1") >= 0);

    /* the advertised port really is a listener on host loopback */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)plan.http_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CU_ASSERT(connect(c, (struct sockaddr *)&sa, sizeof sa) == 0);
    struct srt_listener ls[4];
    size_t n = 0;
    CU_ASSERT_FATAL(d->ops.enforcer->listeners(inst, &s, ls, 4, &n, &err) == SRT_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT(ls[0].proto == SRT_PROTO_HTTP && ls[1].proto == SRT_PROTO_SOCKS5);
    int a = accept4(ls[0].fd, NULL, NULL, SOCK_CLOEXEC);
    CU_ASSERT(a >= 0);
    if (a >= 0)
        close(a);
    close(c);
    d->ops.enforcer->cleanup(inst, &s);
    /* handed-over listeners belong to the caller: cleanup left them open */
    CU_ASSERT(fcntl(ls[0].fd, F_GETFD) >= 0 && fcntl(ls[1].fd, F_GETFD) >= 0);
    close(ls[0].fd);
    close(ls[1].fd);
    d->destroy(inst);
    ft_rmtree(T);
    free(T);
}

void fsl_test_weak(void);
void fsl_test_weak(void)
{
    CU_pSuite s = CU_add_suite("fs-linux weaker nested mode", NULL, NULL);
    CU_add_test(s, "complement golden", test_complement_golden);
    CU_add_test(s, "allow-lists of a real tree", test_build_real_tree);
    CU_add_test(s, "plugin with force_mode", test_plugin_weak);
}
