/* test_bwrap_plan.c - runs the fs-linux plan in a real bwrap (without the
 * launcher stages) and checks the effects on the host: writes land in the
 * write root and nowhere else, a denied file is unreadable, a deny-write file
 * unchanged, `mv .git .git2` is EBUSY, new dotfiles are refused at depth
 * (the reference fails this), and the placeholders are gone afterwards.
 * Runs as root and as the unprivileged user srt-test. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_test.h"

static const char *bwrap_path;

static const char script[] =
    "echo hi > out.txt || exit 1\n"
    "echo x > ../outside 2>/dev/null && exit 2\n"
    "o=$(cat key 2>&1) && exit 3\n"
    "case \"$o\" in *denied*) ;; *) echo \"$o\"; exit 12 ;; esac\n"
    "echo x >> secret 2>/dev/null && exit 4\n"
    "o=$(mv .git .git2 2>&1) && exit 5\n"
    "case \"$o\" in *busy*) ;; *) echo \"$o\"; exit 6 ;; esac\n"
    "echo x > sub/.bashrc 2>/dev/null && exit 7\n"
    "echo x > a/b/.mcp.json 2>/dev/null && exit 8\n"
    "mkdir -p .git/hooks/x 2>/dev/null && exit 9\n"
    "echo x > .git/hooks/pre-commit 2>/dev/null && exit 10\n"
    "touch /etc/srt-fs-linux-probe 2>/dev/null && exit 11\n"
    "exit 0\n";

static char *slurp(const char *root, const char *rel)
{
    static char buf[256];
    char p[700];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    buf[0] = '\0';
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* One sandbox run in a fresh tree; 0 when every effect is right, else the
 * number of the first check that failed (printed). */
static int scenario(void)
{
    char *T = ft_tmpdir();
    if (!T)
        return 100;
    int fail = 0;
    ft_make(T, "w/secret", "orig");
    ft_make(T, "w/key", "topsecret");
    ft_make(T, "w/.git/HEAD", "ref: refs/heads/main\n");
    ft_make(T, "w/.git/hooks/", NULL);
    ft_make(T, "w/sub/", NULL);
    ft_make(T, "w/a/b/", NULL);
    ft_make(T, "rt/deny", "");
    char w[700], sd[700], df[700], err[FSL_ERRMAX];
    snprintf(w, sizeof w, "%s/w", T);
    snprintf(sd, sizeof sd, "%s/state", T);
    snprintf(df, sizeof df, "%s/rt/deny", T);
    chmod(df, 0);
    struct fsl_ledger *lg;
    if (fsl_ledger_open(sd, "integ", &lg, err, sizeof err) != SRT_OK) {
        printf("ledger: %s\n", err);
        return 101;
    }
    struct ft_policy p;
    ft_policy_init(&p, w);
    ft_policy_add(&p, 'w', T, "w", 0);
    ft_policy_add(&p, 'W', T, "w/secret", 0);
    ft_policy_add(&p, 'r', T, "w/key", 0);
    struct fsl_plan_in in = { .policy = &p.pol, .deny_file = df, .state_dir = sd,
                              .disable_userns = true, .ledger = lg };
    struct fsl_plan plan;
    if (fsl_plan_build(&in, &plan) != SRT_OK) {
        printf("plan: %s\n", plan.err);
        return 102;
    }
    struct fsl_vec argv = {0};
    fsl_vec_push(&argv, bwrap_path);
    for (size_t i = 0; i < plan.bwrap.n; i++)
        fsl_vec_push(&argv, plan.bwrap.v[i]);
    fsl_vec_push(&argv, "--");
    fsl_vec_push(&argv, "/bin/sh");
    fsl_vec_push(&argv, "-c");
    fsl_vec_push(&argv, script);
    pid_t pid = fork();
    if (pid == 0) {
        execv(bwrap_path, argv.v);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (code != 0) {
        printf("sandbox script failed at step %d (uid %u)\n", code, (unsigned)geteuid());
        fail = code;
    }
    const char *s;
    if (!fail && (!(s = slurp(T, "w/out.txt")) || strcmp(s, "hi\n") != 0))
        fail = 20;                              /* written file lands */
    if (!fail && ft_exists(T, "outside"))
        fail = 21;                              /* nothing outside */
    if (!fail && (!(s = slurp(T, "w/secret")) || strcmp(s, "orig") != 0))
        fail = 22;                              /* deny-write unchanged */
    if (!fail && (!ft_exists(T, "w/.git/HEAD") || ft_exists(T, "w/.git2")))
        fail = 23;
    if (!fail && !ft_exists(T, "w/sub/.bashrc"))
        fail = 24;                              /* placeholder during the run */
    fsl_ledger_release(lg, NULL);
    fsl_ledger_close(lg);
    if (!fail && (ft_exists(T, "w/sub/.bashrc") || ft_exists(T, "w/a/b/.mcp.json") ||
                  ft_exists(T, "w/.bashrc") || ft_exists(T, "w/.vscode")))
        fail = 25;                              /* placeholders gone after the run */
    if (!fail && (ft_exists(T, "w/.git/hooks/pre-commit") || ft_exists("/etc", "srt-fs-linux-probe")))
        fail = 26;
    if (fail)
        printf("check %d failed in %s\n", fail, T);
    fsl_plan_free(&plan);
    fsl_vec_free(&argv);
    ft_rmtree(T);
    free(T);
    return fail;
}

static void test_as_caller(void)
{
    CU_ASSERT_EQUAL(scenario(), 0);
}

static void test_as_unprivileged(void)
{
    if (geteuid() != 0) {
        CU_ASSERT_EQUAL(scenario(), 0);     /* already unprivileged */
        return;
    }
    struct passwd *pw = getpwnam("srt-test");
    if (!pw) {
        /* another suite may create it at the same time: look again either way */
        if (system("useradd --system --no-create-home srt-test >/dev/null 2>&1") < 0 ||
            !(pw = getpwnam("srt-test"))) {
            CU_FAIL("cannot create the srt-test user");
            return;
        }
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
            _exit(99);
        _exit(scenario());
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CU_ASSERT(WIFEXITED(st));
    CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
}

void srt_test_register(void)
{
    static char found[512];
    const char *dirs[] = { "/usr/bin", "/usr/local/bin", "/bin", NULL };
    for (size_t i = 0; dirs[i] && !bwrap_path; i++) {
        snprintf(found, sizeof found, "%s/bwrap", dirs[i]);
        if (access(found, X_OK) == 0)
            bwrap_path = found;
    }
    if (!bwrap_path)
        srt_test_skip("bwrap not installed");
    CU_pSuite s = CU_add_suite("fs-linux bwrap plan", NULL, NULL);
    CU_add_test(s, "effects as the caller", test_as_caller);
    CU_add_test(s, "effects as srt-test", test_as_unprivileged);
}
