/* test_guard.c - the create guard end to end, without bwrap (guard.c,
 * guard_ops.c): a forked child sets no_new_privs, loads the guard's filter
 * (launch_guard_arm) and makes names in a scratch directory; this process,
 * its parent, takes the listener (launch_guard_take) and answers every
 * stopped call (launch_guard_serve) as the watcher does in a sandbox. The
 * parent is not pid 1 of a pid namespace here, but as the child's parent it
 * may read the child's memory, which is all the guard needs.
 *
 * The child records what each call returned, under a label, in shared
 * memory; each test checks those results, what the calls left in the
 * scratch directory, and the refusals reported on the report socket. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cu_main.h"
#include "launch_int.h"
#include "launch_tests.h"

#define GT_RESULTS  64
#define GT_REPORTS  16
#define GT_MISSING  (-100000L)   /* no result under that label */
#define GT_DEADLINE 10           /* seconds a child may take */

/* What the child's calls returned: a value (a descriptor, a flag) or
 * -errno, each under a label the test looks it up by. */
struct gt_result {
    char label[24];
    long value;
};

/* Shared between the test and its child (MAP_SHARED). */
struct gt_shared {
    char             dir[PATH_MAX];   /* the scratch directory, resolved */
    int              arm_errno;       /* the child could not arm the guard */
    int              n;
    struct gt_result r[GT_RESULTS];
};

static struct gt_shared *gt_sh;

/* The refusals reported during the last run, "<op> <path>" each. */
static char   gt_reports[GT_REPORTS][PATH_MAX + 16];
static size_t gt_n_reports;

/* ---- the child's side ------------------------------------------------- */

static long gt_rc(long rc)
{
    return rc < 0 ? -errno : rc;
}

static void gt_put(const char *label, long value)
{
    if (gt_sh->n < GT_RESULTS) {
        struct gt_result *r = &gt_sh->r[gt_sh->n++];
        snprintf(r->label, sizeof r->label, "%s", label);
        r->value = value;
    }
}

/* Record `rc` (a call's result, -1 meaning errno) under `label`. */
#define GT_CALL(label, call) gt_put(label, gt_rc(call))

static long gt_openat2(int dfd, const char *path, const struct open_how *how, size_t size)
{
    return syscall(SYS_openat2, dfd, path, how, size);
}

/* ---- the parent's side ------------------------------------------------- */

static long gt_get(const char *label)
{
    for (int i = 0; i < gt_sh->n; i++)
        if (strcmp(gt_sh->r[i].label, label) == 0)
            return gt_sh->r[i].value;
    fprintf(stderr, "no result for %s\n", label);
    return GT_MISSING;
}

/* dir/rel, in one of a few rotating buffers so that asserts can take two. */
static const char *gt_path(const char *rel)
{
    static char buf[4][PATH_MAX + 64];
    static unsigned next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", gt_sh->dir, rel);
    return p;
}

static bool gt_exists(const char *rel)
{
    struct stat st;
    return lstat(gt_path(rel), &st) == 0;
}

/* The file type and permission bits of rel, 0 when it is missing. */
static mode_t gt_mode(const char *rel)
{
    struct stat st;
    return lstat(gt_path(rel), &st) == 0 ? st.st_mode : 0;
}

static ino_t gt_ino(const char *rel)
{
    struct stat st;
    return lstat(gt_path(rel), &st) == 0 ? st.st_ino : 0;
}

/* The contents of rel, "<absent>" when it cannot be read. */
static const char *gt_text(const char *rel)
{
    static char buf[4][64];
    static unsigned next;
    char *t = buf[next++ % 4];
    int fd = open(gt_path(rel), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n = fd < 0 ? -1 : read(fd, t, sizeof buf[0] - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return "<absent>";
    t[n] = '\0';
    return t;
}

static void gt_file(const char *rel, const char *text)
{
    int fd = open(gt_path(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

static void gt_dir(const char *rel)
{
    CU_ASSERT_FATAL(mkdir(gt_path(rel), 0755) == 0);
}

/* Was the making of dir/rel by `op` reported, exactly so? */
static bool gt_reported(const char *op, const char *rel)
{
    char want[PATH_MAX + 80];
    snprintf(want, sizeof want, "%s %s", op, gt_path(rel));
    for (size_t i = 0; i < gt_n_reports; i++)
        if (strcmp(gt_reports[i], want) == 0)
            return true;
    return false;
}

/* A fresh scratch directory for one test. */
static void gt_begin(void)
{
    char tmpl[] = "/tmp/srt-guard-XXXXXX";

    memset(gt_sh, 0, sizeof *gt_sh);
    gt_n_reports = 0;
    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    CU_ASSERT_FATAL(realpath(tmpl, gt_sh->dir) != NULL);
}

static int gt_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

static void gt_end(void)
{
    nftw(gt_sh->dir, gt_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Can this process read a child's memory, as the guard must? (Yama's
 * ptrace_scope 3, or a security module, may forbid it.) */
static bool gt_can_read_child(void)
{
    int p[2];
    char c;

    if (pipe2(p, O_CLOEXEC) < 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        _exit(read(p[0], &c, 1) < 0);
    }
    close(p[0]);
    char mem[64];
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)pid);
    int fd = pid > 0 ? open(mem, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0)
        close(fd);
    close(p[1]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return fd >= 0;
}

static void gt_take_reports(int sock)
{
    char msg[PATH_MAX + 32];
    ssize_t n;

    while ((n = recv(sock, msg, sizeof msg - 1, MSG_DONTWAIT)) > 0) {
        msg[n] = '\0';
        size_t op = strlen(msg);
        CU_ASSERT((size_t)n > op + 1);      /* "<op>\0<path>", nothing else */
        CU_ASSERT(memchr(msg + op + 1, '\0', (size_t)n - op - 1) == NULL);
        if (gt_n_reports < GT_REPORTS &&
            snprintf(gt_reports[gt_n_reports++], sizeof gt_reports[0], "%s %s", msg,
                     msg + op + 1) >= (int)sizeof gt_reports[0])
            CU_FAIL("a report longer than any path the tests make");
    }
}

/* Answer the child's guarded calls until it exits, or kill it when it
 * takes too long; its wait status. */
static int gt_serve(struct launch_guard *g, pid_t pid)
{
    time_t deadline = time(NULL) + GT_DEADLINE;
    int status = 0;

    for (;;) {
        struct pollfd p = { g->listener, POLLIN, 0 };
        int n = poll(&p, 1, 100);
        if (n > 0 && (p.revents & POLLIN))
            launch_guard_serve(g);
        pid_t w = waitpid(pid, &status, (n > 0 && !(p.revents & POLLIN)) ? 0 : WNOHANG);
        if (w == pid)
            return status;
        if (time(NULL) > deadline) {
            CU_FAIL("the guarded child did not finish");
            kill(pid, SIGKILL);
        }
    }
}

/* Run `body` in a child under the guard, this process answering; with
 * `git_config`, git config files are protected (no allowGitConfig). */
static void gt_run(bool git_config, void (*body)(void))
{
    struct launch_guard g;
    struct launch_error err = { 0 };
    int report[2], status;

    if (!gt_can_read_child())
        srt_test_skip("this process may not read its child's memory (ptrace_scope)");
    CU_ASSERT_FATAL(launch_guard_prepare(&g, git_config, &err) == 0);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(report[0]);
        close(report[1]);
        if (chdir(gt_sh->dir) < 0 || launch_no_new_privs(&err) < 0)
            _exit(LT_HARNESS);
        if (launch_guard_arm(&g, &err) < 0) {
            gt_sh->arm_errno = err.sys_errno;
            _exit(LT_HARNESS);
        }
        body();
        _exit(LT_OK);
    }
    /* A call that went wrong in the watcher must not land in our own
     * working directory. */
    int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    CU_ASSERT_FATAL(here >= 0 && chdir(gt_sh->dir) == 0);
    if (launch_guard_take(&g, report[0], &err) < 0) {
        waitpid(pid, &status, 0);
        if (gt_sh->arm_errno == ENOSYS || gt_sh->arm_errno == EINVAL)
            srt_test_skip("seccomp user notification is not available");
        fprintf(stderr, "take: %s (arm: %s)\n", err.msg, strerror(gt_sh->arm_errno));
        CU_FAIL("the guard could not be taken");
    } else {
        status = gt_serve(&g, pid);
        close(g.listener);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == LT_OK);
    }
    free(g.req);
    free(g.resp);
    CU_ASSERT(fchdir(here) == 0);
    close(here);
    gt_take_reports(report[1]);
    close(report[0]);
    close(report[1]);
}

/* ---- ordinary opens ------------------------------------------------- */

static void body_open(void)
{
    int fd = open("new", O_CREAT | O_WRONLY, 0644);
    GT_CALL("create", fd);
    GT_CALL("write", write(fd, "made", 4));
    GT_CALL("excl existing", open("new", O_CREAT | O_EXCL | O_WRONLY, 0644));
    GT_CALL("excl fresh", open("fresh", O_CREAT | O_EXCL | O_WRONLY, 0644));
    GT_CALL("trunc", open("trunc", O_CREAT | O_TRUNC | O_WRONLY, 0644));
    fd = open("append", O_CREAT | O_APPEND | O_WRONLY, 0644);
    GT_CALL("append", fd);
    GT_CALL("append write", write(fd, "def", 3));
    GT_CALL("append flag", fcntl(fd, F_GETFL) & O_APPEND);
    fd = open("rdwr", O_CREAT | O_RDWR, 0644);
    GT_CALL("rdwr mode", fcntl(fd, F_GETFL) & O_ACCMODE);
    GT_CALL("creat", creat("libc-creat", 0644));
#ifdef SYS_creat
    GT_CALL("sys creat", syscall(SYS_creat, "sys-creat", 0644));
#endif
#ifdef SYS_open
    GT_CALL("sys open", syscall(SYS_open, "sys-open", O_CREAT | O_WRONLY, 0644));
#endif
    GT_CALL("no parent", open("missing/x", O_CREAT | O_WRONLY, 0644));
}

static void test_open(void)
{
    gt_begin();
    gt_file("trunc", "0123456789");
    gt_file("append", "abc");
    gt_run(true, body_open);
    CU_ASSERT(gt_get("create") >= 0);
    /* the descriptor installed in the child is the new file itself */
    CU_ASSERT_EQUAL(gt_get("write"), 4);
    CU_ASSERT_STRING_EQUAL(gt_text("new"), "made");
    CU_ASSERT_EQUAL(gt_get("excl existing"), -EEXIST);
    CU_ASSERT(gt_get("excl fresh") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("fresh")));
    CU_ASSERT(gt_get("trunc") >= 0);
    CU_ASSERT_STRING_EQUAL(gt_text("trunc"), "");
    CU_ASSERT(gt_get("append") >= 0);
    CU_ASSERT_EQUAL(gt_get("append flag"), O_APPEND);
    CU_ASSERT_STRING_EQUAL(gt_text("append"), "abcdef");
    CU_ASSERT_EQUAL(gt_get("rdwr mode"), O_RDWR);
    CU_ASSERT(gt_get("creat") >= 0 && S_ISREG(gt_mode("libc-creat")));
#ifdef SYS_creat
    CU_ASSERT(gt_get("sys creat") >= 0 && S_ISREG(gt_mode("sys-creat")));
#endif
#ifdef SYS_open
    CU_ASSERT(gt_get("sys open") >= 0 && S_ISREG(gt_mode("sys-open")));
#endif
    CU_ASSERT_EQUAL(gt_get("no parent"), -ENOENT);
    CU_ASSERT_EQUAL(gt_n_reports, 0);
    gt_end();
}

/* Descriptor flags as the kernel would set them, and modes under the
 * child's umask, not the watcher's. */
static void body_flags(void)
{
    umask(027);
    int fd = open("cloexec", O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    GT_CALL("cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    fd = open("plain", O_CREAT | O_WRONLY, 0666);
    GT_CALL("plain fd", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    GT_CALL("plain fl", fcntl(fd, F_GETFL) & O_NONBLOCK);
    fd = open("nonblock", O_CREAT | O_WRONLY | O_NONBLOCK, 0666);
    GT_CALL("nonblock fl", fcntl(fd, F_GETFL) & O_NONBLOCK);
    GT_CALL("mkdir", mkdir("dir", 0777));
    GT_CALL("mknod", mknod("fifo", S_IFIFO | 0666, 0));
    /* With no writer the kernel's open would wait; the watcher must not. */
    fd = open("fifo", O_CREAT | O_RDONLY, 0666);
    GT_CALL("fifo open", fd);
    GT_CALL("fifo fl", fcntl(fd, F_GETFL) & O_NONBLOCK);
    GT_CALL("symlink", symlink("plain", "link"));
    umask(0);
    GT_CALL("no umask", open("open", O_CREAT | O_WRONLY, 0666));
}

static void test_flags_and_umask(void)
{
    gt_begin();
    mode_t old = umask(0);      /* a watcher umask the child's must win over */
    gt_run(true, body_flags);
    umask(old);
    CU_ASSERT_EQUAL(gt_get("cloexec"), FD_CLOEXEC);
    CU_ASSERT_EQUAL(gt_get("plain fd"), 0);
    CU_ASSERT_EQUAL(gt_get("plain fl"), 0);
    CU_ASSERT_EQUAL(gt_get("nonblock fl"), O_NONBLOCK);
    CU_ASSERT_EQUAL(gt_mode("plain"), S_IFREG | 0640);
    CU_ASSERT_EQUAL(gt_mode("cloexec"), S_IFREG | 0640);
    CU_ASSERT_EQUAL(gt_get("mkdir"), 0);
    CU_ASSERT_EQUAL(gt_mode("dir"), S_IFDIR | 0750);
    CU_ASSERT_EQUAL(gt_get("mknod"), 0);
    CU_ASSERT_EQUAL(gt_mode("fifo"), S_IFIFO | 0640);
    CU_ASSERT(gt_get("fifo open") >= 0);
    CU_ASSERT_EQUAL(gt_get("fifo fl"), 0);
    CU_ASSERT_EQUAL(gt_get("symlink"), 0);
    CU_ASSERT(S_ISLNK(gt_mode("link")));
    CU_ASSERT(gt_get("no umask") >= 0);
    CU_ASSERT_EQUAL(gt_mode("open"), S_IFREG | 0666);
    gt_end();
}

/* ---- mkdir, mknod ---------------------------------------------------- */

static void body_mkdir(void)
{
    GT_CALL("mkdir", mkdir("d", 0755));
#ifdef SYS_mkdir
    GT_CALL("sys mkdir", syscall(SYS_mkdir, "d2", 0755));
#endif
    int dfd = open("d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    GT_CALL("mkdirat", mkdirat(dfd, "sub", 0700));
    GT_CALL("mkdirat abs", mkdirat(dfd, gt_sh->dir, 0700));
    GT_CALL("again", mkdir("d", 0755));
    GT_CALL("mknodat", mknodat(dfd, "fifo", S_IFIFO | 0600, 0));
    GT_CALL("mknod reg", mknod("regular", S_IFREG | 0600, 0));
#ifdef SYS_mknod
    GT_CALL("sys mknod", syscall(SYS_mknod, "fifo2", S_IFIFO | 0600, 0));
#endif
    GT_CALL("no parent", mkdir("nope/x", 0755));
    GT_CALL("bad dirfd", mkdirat(999, "x", 0755));
    GT_CALL("trailing slash", mkdir("slashed/", 0755));
    GT_CALL("root", mkdir("/", 0755));
}

static void test_mkdir_mknod(void)
{
    gt_begin();
    gt_run(true, body_mkdir);
    CU_ASSERT_EQUAL(gt_get("mkdir"), 0);
    CU_ASSERT(S_ISDIR(gt_mode("d")));
#ifdef SYS_mkdir
    CU_ASSERT_EQUAL(gt_get("sys mkdir"), 0);
    CU_ASSERT(S_ISDIR(gt_mode("d2")));
#endif
    CU_ASSERT_EQUAL(gt_get("mkdirat"), 0);
    CU_ASSERT_EQUAL(gt_mode("d/sub"), S_IFDIR | 0700);
    CU_ASSERT_EQUAL(gt_get("mkdirat abs"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("again"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("mknodat"), 0);
    CU_ASSERT(S_ISFIFO(gt_mode("d/fifo")));
    CU_ASSERT_EQUAL(gt_get("mknod reg"), 0);
    CU_ASSERT(S_ISREG(gt_mode("regular")));
#ifdef SYS_mknod
    CU_ASSERT_EQUAL(gt_get("sys mknod"), 0);
    CU_ASSERT(S_ISFIFO(gt_mode("fifo2")));
#endif
    CU_ASSERT_EQUAL(gt_get("no parent"), -ENOENT);
    CU_ASSERT_EQUAL(gt_get("bad dirfd"), -EBADF);
    CU_ASSERT(!gt_exists("x"));
    CU_ASSERT_EQUAL(gt_get("trailing slash"), 0);
    CU_ASSERT(S_ISDIR(gt_mode("slashed")));
    CU_ASSERT_EQUAL(gt_get("root"), -EEXIST);
    gt_end();
}

/* ---- symlinks, and O_CREAT through them -------------------------------- */

static void body_symlink(void)
{
    int dfd = open("d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char abs[PATH_MAX + 16];

    GT_CALL("symlink", symlink("target", "l"));
    GT_CALL("symlinkat", symlinkat("t2", dfd, "l2"));
#ifdef SYS_symlink
    GT_CALL("sys symlink", syscall(SYS_symlink, "t3", "l3"));
#endif
    GT_CALL("exists", symlink("x", "l"));
    /* O_CREAT through a final symlink makes its target */
    int fd = open("l", O_CREAT | O_WRONLY, 0644);
    GT_CALL("follow", fd);
    GT_CALL("follow write", write(fd, "via", 3));
    symlink("l5", "l4");
    symlink("d/final", "l5");
    GT_CALL("chain", open("l4", O_CREAT | O_WRONLY, 0644));
    snprintf(abs, sizeof abs, "%s/abs-target", gt_sh->dir);
    symlink(abs, "la");
    GT_CALL("absolute", open("la", O_CREAT | O_WRONLY, 0644));
    /* relative to the link's own directory, not the caller's */
    symlinkat("inner", dfd, "li");
    GT_CALL("relative", open("d/li", O_CREAT | O_WRONLY, 0644));
    symlink("nowhere", "dangling");
    GT_CALL("excl", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
    GT_CALL("nofollow", open("dangling", O_CREAT | O_NOFOLLOW | O_WRONLY, 0644));
    symlink("loop-b", "loop-a");
    symlink("loop-a", "loop-b");
    GT_CALL("loop", open("loop-a", O_CREAT | O_WRONLY, 0644));
    /* a symlink may point at a dangerous name; creating through it may not */
    GT_CALL("to bashrc", symlink(".bashrc", "lb"));
    GT_CALL("via bashrc", open("lb", O_CREAT | O_WRONLY, 0644));
    mkdir(".git", 0755);
    mkdir(".git/hooks", 0755);
    symlink(".git/hooks/pre-commit", "lh");
    GT_CALL("via hook", open("lh", O_CREAT | O_WRONLY, 0644));
    GT_CALL("named bashrc", symlink("target", ".bashrc"));
    GT_CALL("named git", symlinkat("elsewhere", dfd, ".git"));
}

static void test_symlink(void)
{
    gt_begin();
    gt_dir("d");
    gt_run(true, body_symlink);
    char link[PATH_MAX];
    ssize_t n;

    CU_ASSERT_EQUAL(gt_get("symlink"), 0);
    n = readlink(gt_path("l"), link, sizeof link - 1);
    CU_ASSERT(n == 6 && memcmp(link, "target", 6) == 0);
    CU_ASSERT_EQUAL(gt_get("symlinkat"), 0);
    n = readlink(gt_path("d/l2"), link, sizeof link - 1);
    CU_ASSERT(n == 2 && memcmp(link, "t2", 2) == 0);
#ifdef SYS_symlink
    CU_ASSERT_EQUAL(gt_get("sys symlink"), 0);
    CU_ASSERT(S_ISLNK(gt_mode("l3")));
#endif
    CU_ASSERT_EQUAL(gt_get("exists"), -EEXIST);
    CU_ASSERT(gt_get("follow") >= 0);
    CU_ASSERT_STRING_EQUAL(gt_text("target"), "via");
    CU_ASSERT(S_ISLNK(gt_mode("l")));
    CU_ASSERT(gt_get("chain") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/final")));
    CU_ASSERT(gt_get("absolute") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("abs-target")));
    CU_ASSERT(gt_get("relative") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/inner")));
    CU_ASSERT(!gt_exists("inner"));
    CU_ASSERT_EQUAL(gt_get("excl"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("nofollow"), -ELOOP);
    CU_ASSERT(!gt_exists("nowhere"));
    CU_ASSERT_EQUAL(gt_get("loop"), -ELOOP);
    CU_ASSERT_EQUAL(gt_get("to bashrc"), 0);
    CU_ASSERT_EQUAL(gt_get("via bashrc"), -EACCES);
    CU_ASSERT(gt_reported("create", ".bashrc"));
    CU_ASSERT_EQUAL(gt_get("via hook"), -EACCES);
    CU_ASSERT(!gt_exists(".git/hooks/pre-commit"));
    CU_ASSERT(gt_reported("create", ".git/hooks/pre-commit"));
    CU_ASSERT_EQUAL(gt_get("named bashrc"), -EACCES);
    CU_ASSERT(!gt_exists(".bashrc"));
    CU_ASSERT(gt_reported("symlink", ".bashrc"));
    CU_ASSERT_EQUAL(gt_get("named git"), -EACCES);
    CU_ASSERT(!gt_exists("d/.git"));
    CU_ASSERT(gt_reported("symlink", "d/.git"));
    CU_ASSERT_EQUAL(gt_n_reports, 4);
    gt_end();
}

/* ---- link ------------------------------------------------------------ */

static void body_link(void)
{
    int dfd = open("d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    GT_CALL("link", link("src", "hard"));
#ifdef SYS_link
    GT_CALL("sys link", syscall(SYS_link, "src", "hard-sys"));
#endif
    GT_CALL("linkat", linkat(AT_FDCWD, "src", dfd, "hard", 0));
    GT_CALL("exists", link("src", "hard"));
    GT_CALL("no source", link("absent", "hard-absent"));
    symlink("src", "soft");
    GT_CALL("follow", linkat(AT_FDCWD, "soft", AT_FDCWD, "hard-followed", AT_SYMLINK_FOLLOW));
    GT_CALL("no follow", linkat(AT_FDCWD, "soft", AT_FDCWD, "hard-soft", 0));
    GT_CALL("bashrc", link("src", ".bashrc"));
    GT_CALL("hooks", linkat(AT_FDCWD, "src", dfd, "hooks", 0));
    /* an O_TMPFILE file given a name through its descriptor */
    int fd = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    GT_CALL("tmpfile", fd);
    GT_CALL("tmpfile write", write(fd, "anon", 4));
    GT_CALL("empty path", linkat(fd, "", AT_FDCWD, "from-tmp", AT_EMPTY_PATH));
    fd = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    GT_CALL("empty path profile", linkat(fd, "", AT_FDCWD, ".profile", AT_EMPTY_PATH));
}

static void test_link(void)
{
    gt_begin();
    gt_dir("d");
    gt_file("src", "data");
    gt_run(true, body_link);
    ino_t src = gt_ino("src");

    CU_ASSERT_EQUAL(gt_get("link"), 0);
    CU_ASSERT_EQUAL(gt_ino("hard"), src);
#ifdef SYS_link
    CU_ASSERT_EQUAL(gt_get("sys link"), 0);
    CU_ASSERT_EQUAL(gt_ino("hard-sys"), src);
#endif
    CU_ASSERT_EQUAL(gt_get("linkat"), 0);
    CU_ASSERT_EQUAL(gt_ino("d/hard"), src);
    CU_ASSERT_EQUAL(gt_get("exists"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("no source"), -ENOENT);
    CU_ASSERT_EQUAL(gt_get("follow"), 0);
    CU_ASSERT_EQUAL(gt_ino("hard-followed"), src);
    CU_ASSERT_EQUAL(gt_get("no follow"), 0);
    CU_ASSERT(S_ISLNK(gt_mode("hard-soft")));
    CU_ASSERT_EQUAL(gt_get("bashrc"), -EACCES);
    CU_ASSERT(!gt_exists(".bashrc"));
    CU_ASSERT(gt_reported("link", ".bashrc"));
    /* hooks is an ordinary name outside a .git tree */
    CU_ASSERT_EQUAL(gt_get("hooks"), 0);
    CU_ASSERT_EQUAL(gt_ino("d/hooks"), src);
    if (gt_get("tmpfile") == -EOPNOTSUPP) {
        fprintf(stderr, "O_TMPFILE not supported in %s: its link not tested\n", gt_sh->dir);
    } else {
        CU_ASSERT(gt_get("tmpfile") >= 0);
        CU_ASSERT_EQUAL(gt_get("empty path"), 0);
        CU_ASSERT_STRING_EQUAL(gt_text("from-tmp"), "anon");
        CU_ASSERT_EQUAL(gt_get("empty path profile"), -EACCES);
        CU_ASSERT(!gt_exists(".profile"));
        CU_ASSERT(gt_reported("link", ".profile"));
    }
    gt_end();
}

/* ---- rename ---------------------------------------------------------- */

static void body_rename(void)
{
    int dfd = open("d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    GT_CALL("rename", rename("r1", "r2"));
#ifdef SYS_rename
    GT_CALL("sys rename", syscall(SYS_rename, "r2", "r3"));
#endif
    GT_CALL("renameat", renameat(AT_FDCWD, "r3", dfd, "r4"));
    GT_CALL("noreplace", renameat2(AT_FDCWD, "x", AT_FDCWD, "y", RENAME_NOREPLACE));
    GT_CALL("noreplace fresh", renameat2(AT_FDCWD, "w", AT_FDCWD, "w2", RENAME_NOREPLACE));
    GT_CALL("exchange", renameat2(AT_FDCWD, "x", AT_FDCWD, "y", RENAME_EXCHANGE));
    GT_CALL("to bashrc", rename("keep", ".bashrc"));
    GT_CALL("exchange new", renameat2(AT_FDCWD, "z", AT_FDCWD, ".bashrc", RENAME_EXCHANGE));
    GT_CALL("exchange old", renameat2(AT_FDCWD, ".bashrc", AT_FDCWD, "z", RENAME_EXCHANGE));
    GT_CALL("to git", rename("gitdir", ".git"));
    GT_CALL("mkdir git", mkdir(".git", 0755));
    GT_CALL("to hooks", rename("gitdir", ".git/hooks"));
    GT_CALL("mkdir hooks", mkdir(".git/hooks", 0755));
    GT_CALL("into hooks", rename("keep", ".git/hooks/post-checkout"));
    GT_CALL("sample", rename("keep", ".git/hooks/post-checkout.sample"));
}

static void test_rename(void)
{
    gt_begin();
    gt_dir("d");
    gt_dir("gitdir");
    gt_file("gitdir/HEAD", "ref: refs/heads/main\n");
    gt_file("r1", "one");
    gt_file("x", "ex");
    gt_file("y", "why");
    gt_file("w", "double-u");
    gt_file("z", "zed");
    gt_file("keep", "kept");
    gt_file(".bashrc", "rc");
    gt_run(true, body_rename);

    CU_ASSERT_EQUAL(gt_get("rename"), 0);
#ifdef SYS_rename
    CU_ASSERT_EQUAL(gt_get("sys rename"), 0);
#endif
    CU_ASSERT_EQUAL(gt_get("renameat"), 0);
    CU_ASSERT(!gt_exists("r1") && !gt_exists("r2") && !gt_exists("r3"));
    CU_ASSERT_STRING_EQUAL(gt_text("d/r4"), "one");
    CU_ASSERT_EQUAL(gt_get("noreplace"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("noreplace fresh"), 0);
    CU_ASSERT_STRING_EQUAL(gt_text("w2"), "double-u");
    CU_ASSERT_EQUAL(gt_get("exchange"), 0);
    CU_ASSERT_STRING_EQUAL(gt_text("x"), "why");
    CU_ASSERT_STRING_EQUAL(gt_text("y"), "ex");
    CU_ASSERT_EQUAL(gt_get("to bashrc"), -EACCES);
    CU_ASSERT_EQUAL(gt_get("exchange new"), -EACCES);
    CU_ASSERT_EQUAL(gt_get("exchange old"), -EACCES);
    CU_ASSERT_STRING_EQUAL(gt_text(".bashrc"), "rc");
    CU_ASSERT_STRING_EQUAL(gt_text("z"), "zed");
    CU_ASSERT(gt_reported("rename", ".bashrc"));
    CU_ASSERT_EQUAL(gt_get("to git"), -EACCES);
    CU_ASSERT(gt_reported("rename", ".git"));
    CU_ASSERT_EQUAL(gt_get("mkdir git"), 0);
    CU_ASSERT_EQUAL(gt_get("to hooks"), -EACCES);
    CU_ASSERT(gt_reported("rename", ".git/hooks"));
    CU_ASSERT(S_ISREG(gt_mode("gitdir/HEAD")));
    CU_ASSERT_EQUAL(gt_get("mkdir hooks"), 0);
    CU_ASSERT_EQUAL(gt_get("into hooks"), -EACCES);
    CU_ASSERT(!gt_exists(".git/hooks/post-checkout"));
    CU_ASSERT(gt_reported("rename", ".git/hooks/post-checkout"));
    CU_ASSERT_EQUAL(gt_get("sample"), 0);
    CU_ASSERT_STRING_EQUAL(gt_text(".git/hooks/post-checkout.sample"), "kept");
    gt_end();
}

/* A tree moved in below .git brings its hooks along: a submodule's gitdir
 * (.git/modules/NAME) planted whole, with a hook that git runs when the
 * submodule is initialised later. */
static void body_moved_tree(void)
{
    GT_CALL("git", mkdir(".git", 0755));
    GT_CALL("modules", mkdir(".git/modules", 0755));
    GT_CALL("sub", mkdir(".git/modules/sub", 0755));
    GT_CALL("plant", rename("tree", ".git/modules/sub2"));
    GT_CALL("exchange", renameat2(AT_FDCWD, ".git/modules/sub", AT_FDCWD, "tree",
                                  RENAME_EXCHANGE));
    GT_CALL("file in", rename("file", ".git/description"));
    GT_CALL("dir elsewhere", rename("tree", "tree2"));
}

static void test_moved_tree(void)
{
    gt_begin();
    gt_dir("tree");
    gt_dir("tree/hooks");
    gt_file("tree/hooks/post-checkout", "evil");
    gt_file("file", "plain");
    gt_run(true, body_moved_tree);

    CU_ASSERT_EQUAL(gt_get("git"), 0);
    CU_ASSERT_EQUAL(gt_get("modules"), 0);
    CU_ASSERT_EQUAL(gt_get("sub"), 0);
    CU_ASSERT_EQUAL(gt_get("plant"), -EACCES);
    CU_ASSERT(!gt_exists(".git/modules/sub2"));
    CU_ASSERT(gt_reported("rename", ".git/modules/sub2"));
    CU_ASSERT_EQUAL(gt_get("exchange"), -EACCES);
    CU_ASSERT(!gt_exists(".git/modules/sub/hooks"));
    /* files still move in (git's own lock-file renames) */
    CU_ASSERT_EQUAL(gt_get("file in"), 0);
    CU_ASSERT_STRING_EQUAL(gt_text(".git/description"), "plain");
    CU_ASSERT_EQUAL(gt_get("dir elsewhere"), 0);
    CU_ASSERT_STRING_EQUAL(gt_text("tree2/hooks/post-checkout"), "evil");
    gt_end();
}

/* ---- openat2 --------------------------------------------------------- */

static void body_openat2(void)
{
    int dfd = open("d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct open_how how = { .flags = O_CREAT | O_WRONLY, .mode = 0600 };
    char abs[PATH_MAX + 16];

    GT_CALL("create", gt_openat2(AT_FDCWD, "o2", &how, sizeof how));
    GT_CALL("bashrc", gt_openat2(dfd, ".bashrc", &how, sizeof how));
    how.resolve = RESOLVE_BENEATH;
    GT_CALL("beneath", gt_openat2(dfd, "in", &how, sizeof how));
    GT_CALL("beneath up", gt_openat2(dfd, "../escape", &how, sizeof how));
    snprintf(abs, sizeof abs, "%s/abs", gt_sh->dir);
    GT_CALL("beneath abs", gt_openat2(dfd, abs, &how, sizeof how));
    how.resolve = RESOLVE_IN_ROOT;
    GT_CALL("in root", gt_openat2(dfd, "/rooted", &how, sizeof how));
    how.resolve = 0;
    /* openat2 always stops, O_CREAT or not */
    struct open_how rd = { .flags = O_RDONLY };
    GT_CALL("read", gt_openat2(AT_FDCWD, "o2", &rd, sizeof rd));
    GT_CALL("read missing", gt_openat2(AT_FDCWD, "none", &rd, sizeof rd));
    /* a larger struct is fine while its tail is zero, as the kernel says */
    struct { struct open_how how; uint64_t more; } big = { how, 0 };
    GT_CALL("big zero", gt_openat2(AT_FDCWD, "big", &big.how, sizeof big));
    big.more = 1;
    GT_CALL("big tail", gt_openat2(AT_FDCWD, "big2", &big.how, sizeof big));
    GT_CALL("small", gt_openat2(AT_FDCWD, "small", &how, 8));
    GT_CALL("bad how", gt_openat2(AT_FDCWD, "badhow", (void *)8, sizeof how));
}

static void test_openat2(void)
{
    gt_begin();
    gt_dir("d");
    gt_run(true, body_openat2);

    if (gt_get("create") == -ENOSYS) {
        fprintf(stderr, "openat2 not available: not tested\n");
        gt_end();
        return;
    }
    CU_ASSERT(gt_get("create") >= 0);
    CU_ASSERT_EQUAL(gt_mode("o2"), S_IFREG | 0600);
    CU_ASSERT_EQUAL(gt_get("bashrc"), -EACCES);
    CU_ASSERT(!gt_exists("d/.bashrc"));
    CU_ASSERT(gt_reported("create", "d/.bashrc"));
    CU_ASSERT(gt_get("beneath") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/in")));
    CU_ASSERT_EQUAL(gt_get("beneath up"), -EXDEV);
    CU_ASSERT(!gt_exists("escape"));
    CU_ASSERT_EQUAL(gt_get("beneath abs"), -EXDEV);
    CU_ASSERT(!gt_exists("abs"));
    /* "/" is the directory descriptor's directory */
    CU_ASSERT(gt_get("in root") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/rooted")));
    CU_ASSERT(!gt_exists("rooted"));
    CU_ASSERT(access("/rooted", F_OK) < 0);
    CU_ASSERT(gt_get("read") >= 0);
    CU_ASSERT_EQUAL(gt_get("read missing"), -ENOENT);
    CU_ASSERT(gt_get("big zero") >= 0);
    CU_ASSERT(gt_exists("big"));
    CU_ASSERT_EQUAL(gt_get("big tail"), -E2BIG);
    CU_ASSERT(!gt_exists("big2"));
    CU_ASSERT_EQUAL(gt_get("small"), -EINVAL);
    CU_ASSERT(!gt_exists("small"));
    CU_ASSERT_EQUAL(gt_get("bad how"), -EFAULT);
    CU_ASSERT(!gt_exists("badhow"));
    gt_end();
}

/* ---- paths: trailing slashes, the working directory, bad pointers -------- */

static void body_paths(void)
{
    static char long_path[PATH_MAX + 64];
    char long_name[NAME_MAX + 2];

    GT_CALL("trailing slash", open("x/", O_CREAT | O_WRONLY, 0644));
    GT_CALL("dir slash", open("d/", O_CREAT | O_WRONLY, 0644));
    GT_CALL("empty", open("", O_CREAT | O_WRONLY, 0644));
    GT_CALL("chdir", chdir("d"));
    GT_CALL("relative", open("f", O_CREAT | O_WRONLY, 0644));
    GT_CALL("dotdot", mkdir("../up", 0755));
    GT_CALL("cwd bashrc", open(".bashrc", O_CREAT | O_WRONLY, 0644));
    GT_CALL("null", syscall(SYS_openat, AT_FDCWD, NULL, O_CREAT | O_WRONLY, 0644));
    GT_CALL("unmapped", syscall(SYS_openat, AT_FDCWD, (char *)1, O_CREAT | O_WRONLY, 0644));
    GT_CALL("null mkdir", syscall(SYS_mkdirat, AT_FDCWD, NULL, 0755));
    GT_CALL("unmapped target", syscall(SYS_symlinkat, (char *)1, AT_FDCWD, "sl"));
    memset(long_path, 'a', sizeof long_path - 1);
    for (size_t i = 100; i < sizeof long_path - 1; i += 101)
        long_path[i] = '/';
    GT_CALL("long path", open(long_path, O_CREAT | O_WRONLY, 0644));
    memset(long_name, 'b', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    GT_CALL("long name", open(long_name, O_CREAT | O_WRONLY, 0644));
    /* a path ending just before unmapped memory is read all the same */
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map != MAP_FAILED && munmap(map + page, (size_t)page) == 0) {
        memcpy(map + page - 5, "edge", 5);
        GT_CALL("edge", open(map + page - 5, O_CREAT | O_WRONLY, 0644));
        memcpy(map + page - 3, "cut", 3);   /* no NUL before the hole */
        GT_CALL("cut", syscall(SYS_openat, AT_FDCWD, map + page - 3, O_CREAT | O_WRONLY, 0644));
    }
}

static void test_paths(void)
{
    gt_begin();
    gt_dir("d");
    gt_run(true, body_paths);

    CU_ASSERT_EQUAL(gt_get("trailing slash"), -EISDIR);
    CU_ASSERT(!gt_exists("x"));
    CU_ASSERT_EQUAL(gt_get("dir slash"), -EISDIR);
    CU_ASSERT_EQUAL(gt_get("empty"), -ENOENT);
    CU_ASSERT_EQUAL(gt_get("chdir"), 0);
    CU_ASSERT(gt_get("relative") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/f")));
    CU_ASSERT(!gt_exists("f"));
    CU_ASSERT_EQUAL(gt_get("dotdot"), 0);
    CU_ASSERT(S_ISDIR(gt_mode("up")));
    CU_ASSERT_EQUAL(gt_get("cwd bashrc"), -EACCES);
    CU_ASSERT(!gt_exists("d/.bashrc"));
    CU_ASSERT(gt_reported("create", "d/.bashrc"));
    CU_ASSERT_EQUAL(gt_get("null"), -EFAULT);
    CU_ASSERT_EQUAL(gt_get("unmapped"), -EFAULT);
    CU_ASSERT_EQUAL(gt_get("null mkdir"), -EFAULT);
    CU_ASSERT_EQUAL(gt_get("unmapped target"), -EFAULT);
    CU_ASSERT(!gt_exists("d/sl"));
    CU_ASSERT_EQUAL(gt_get("long path"), -ENAMETOOLONG);
    CU_ASSERT_EQUAL(gt_get("long name"), -ENAMETOOLONG);
    CU_ASSERT(gt_get("edge") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/edge")));
    CU_ASSERT_EQUAL(gt_get("cut"), -EFAULT);
    CU_ASSERT_EQUAL(gt_n_reports, 1);
    gt_end();
}

/* The rule sees where a name really lands: through a symlinked directory,
 * from a thread with a working directory of its own, into a full table. */
static void *gt_thread(void *arg)
{
    (void)arg;
    if (unshare(CLONE_FS) == 0 && chdir("d") == 0)
        GT_CALL("thread", open("in-thread", O_CREAT | O_WRONLY, 0644));
    else
        gt_put("thread", LT_HARNESS);
    return NULL;
}

static void body_where(void)
{
    GT_CALL("git", mkdir(".git", 0755));
    GT_CALL("hooks", mkdir(".git/hooks", 0755));
    symlink(".git/hooks", "h");
    GT_CALL("via dir link", open("h/pre-commit", O_CREAT | O_WRONLY, 0644));
    GT_CALL("via dir link sample", open("h/x.sample", O_CREAT | O_WRONLY, 0644));
    GT_CALL("claude", mkdir(".claude", 0755));
    symlink(".claude", "c");
    GT_CALL("via claude link", mkdir("c/commands", 0755));
    pthread_t t;
    if (pthread_create(&t, NULL, gt_thread, NULL) == 0)
        pthread_join(t, NULL);
    struct rlimit lim = { 64, 64 };
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0) {
        while (dup(0) >= 0)
            ;
        GT_CALL("full table", open("no-room", O_CREAT | O_WRONLY, 0644));
    }
}

static void test_where(void)
{
    gt_begin();
    gt_dir("d");
    gt_run(true, body_where);

    CU_ASSERT_EQUAL(gt_get("via dir link"), -EACCES);
    CU_ASSERT(!gt_exists(".git/hooks/pre-commit"));
    CU_ASSERT(gt_reported("create", ".git/hooks/pre-commit"));
    CU_ASSERT(gt_get("via dir link sample") >= 0);
    CU_ASSERT(S_ISREG(gt_mode(".git/hooks/x.sample")));
    CU_ASSERT_EQUAL(gt_get("via claude link"), -EACCES);
    CU_ASSERT(!gt_exists(".claude/commands"));
    CU_ASSERT(gt_reported("mkdir", ".claude/commands"));
    CU_ASSERT(gt_get("thread") >= 0);
    CU_ASSERT(S_ISREG(gt_mode("d/in-thread")));
    CU_ASSERT(!gt_exists("in-thread"));
    /* the descriptor cannot be installed: the caller sees EMFILE, as from
     * the kernel (the watcher has made the file by then) */
    CU_ASSERT_EQUAL(gt_get("full table"), -EMFILE);
    gt_end();
}

/* ---- refusals and what they report ----------------------------------- */

static void body_refusals(void)
{
    GT_CALL("bashrc", open(".bashrc", O_CREAT | O_WRONLY, 0644));
    GT_CALL("deep", open("a/b/c/.ZSHRC", O_CREAT | O_WRONLY, 0644));
    GT_CALL("vscode", mkdir(".vscode", 0755));
    GT_CALL("idea slash", mkdir("a/.idea//", 0755));
    GT_CALL("mknod", mknod(".profile", S_IFIFO | 0600, 0));
    GT_CALL("claude", mkdir(".claude", 0755));
    GT_CALL("commands", mkdir(".claude/commands", 0755));
    GT_CALL("settings", open(".claude/settings.json", O_CREAT | O_WRONLY, 0644));
    GT_CALL("git", mkdir(".git", 0755));
    GT_CALL("hooks", mkdir(".git/hooks", 0755));
    GT_CALL("hook", open(".git/hooks/pre-commit", O_CREAT | O_WRONLY, 0755));
    GT_CALL("sample", open(".git/hooks/pre-commit.sample", O_CREAT | O_WRONLY, 0644));
    GT_CALL("config", open(".git/config", O_CREAT | O_WRONLY, 0644));
    GT_CALL("commondir", open(".git/commondir", O_CREAT | O_WRONLY, 0644));
    GT_CALL("head", open(".git/HEAD", O_CREAT | O_WRONLY, 0644));
    GT_CALL("gitfile", open("sub/.git", O_CREAT | O_WRONLY, 0644));
    /* what exists already is the mounts' business: opened, never made */
    int fd = open(".mcp.json", O_CREAT | O_RDONLY, 0644);
    char buf[8] = { 0 };
    GT_CALL("existing", fd);
    GT_CALL("existing read", read(fd, buf, sizeof buf - 1));
    gt_put("existing same", strcmp(buf, "keep") == 0);
    GT_CALL("existing excl", open(".mcp.json", O_CREAT | O_EXCL | O_RDONLY, 0644));
    GT_CALL("existing mkdir", mkdir(".mcp.json", 0755));
}

static void test_refusals(void)
{
    gt_begin();
    gt_dir("a");
    gt_dir("a/b");
    gt_dir("a/b/c");
    gt_dir("sub");
    gt_file(".mcp.json", "keep");
    gt_run(true, body_refusals);

    CU_ASSERT_EQUAL(gt_get("bashrc"), -EACCES);
    CU_ASSERT(!gt_exists(".bashrc"));
    CU_ASSERT_EQUAL(gt_get("deep"), -EACCES);
    CU_ASSERT(!gt_exists("a/b/c/.ZSHRC"));
    CU_ASSERT_EQUAL(gt_get("vscode"), -EACCES);
    CU_ASSERT(!gt_exists(".vscode"));
    CU_ASSERT_EQUAL(gt_get("idea slash"), -EACCES);
    CU_ASSERT(!gt_exists("a/.idea"));
    CU_ASSERT_EQUAL(gt_get("mknod"), -EACCES);
    CU_ASSERT(!gt_exists(".profile"));
    CU_ASSERT_EQUAL(gt_get("claude"), 0);
    CU_ASSERT_EQUAL(gt_get("commands"), -EACCES);
    CU_ASSERT(!gt_exists(".claude/commands"));
    CU_ASSERT(gt_get("settings") >= 0);
    CU_ASSERT(S_ISREG(gt_mode(".claude/settings.json")));
    CU_ASSERT_EQUAL(gt_get("git"), 0);
    CU_ASSERT_EQUAL(gt_get("hooks"), 0);
    CU_ASSERT(S_ISDIR(gt_mode(".git/hooks")));
    CU_ASSERT_EQUAL(gt_get("hook"), -EACCES);
    CU_ASSERT(!gt_exists(".git/hooks/pre-commit"));
    CU_ASSERT(gt_get("sample") >= 0);
    CU_ASSERT(S_ISREG(gt_mode(".git/hooks/pre-commit.sample")));
    CU_ASSERT_EQUAL(gt_get("config"), -EACCES);
    CU_ASSERT(!gt_exists(".git/config"));
    CU_ASSERT_EQUAL(gt_get("commondir"), -EACCES);
    CU_ASSERT(gt_get("head") >= 0);
    CU_ASSERT_EQUAL(gt_get("gitfile"), -EACCES);
    CU_ASSERT(!gt_exists("sub/.git"));
    CU_ASSERT(gt_get("existing") >= 0);
    CU_ASSERT_EQUAL(gt_get("existing read"), 4);
    CU_ASSERT_EQUAL(gt_get("existing same"), 1);
    CU_ASSERT_EQUAL(gt_get("existing excl"), -EEXIST);
    CU_ASSERT_EQUAL(gt_get("existing mkdir"), -EEXIST);
    CU_ASSERT_STRING_EQUAL(gt_text(".mcp.json"), "keep");

    /* one report per refusal, naming the call and the absolute path;
     * none for the names that exist already */
    CU_ASSERT(gt_reported("create", ".bashrc"));
    CU_ASSERT(gt_reported("create", "a/b/c/.ZSHRC"));
    CU_ASSERT(gt_reported("mkdir", ".vscode"));
    CU_ASSERT(gt_reported("mkdir", "a/.idea"));
    CU_ASSERT(gt_reported("mknod", ".profile"));
    CU_ASSERT(gt_reported("mkdir", ".claude/commands"));
    CU_ASSERT(gt_reported("create", ".git/hooks/pre-commit"));
    CU_ASSERT(gt_reported("create", ".git/config"));
    CU_ASSERT(gt_reported("create", ".git/commondir"));
    CU_ASSERT(gt_reported("create", "sub/.git"));
    CU_ASSERT_EQUAL(gt_n_reports, 10);
    for (size_t i = 0; i < gt_n_reports; i++)
        if (strstr(gt_reports[i], "mcp"))
            CU_FAIL("an existing name was reported");
    gt_end();
}

/* With allowGitConfig, config may be made; the rest of .git stays guarded. */
static void body_git_config(void)
{
    mkdir(".git", 0755);
    GT_CALL("config", open(".git/config", O_CREAT | O_WRONLY, 0644));
    GT_CALL("commondir", open(".git/commondir", O_CREAT | O_WRONLY, 0644));
    GT_CALL("hooks", symlink("/tmp", ".git/hooks"));
}

static void test_git_config_allowed(void)
{
    gt_begin();
    gt_run(false, body_git_config);
    CU_ASSERT(gt_get("config") >= 0);
    CU_ASSERT(S_ISREG(gt_mode(".git/config")));
    CU_ASSERT_EQUAL(gt_get("commondir"), -EACCES);
    CU_ASSERT_EQUAL(gt_get("hooks"), -EACCES);
    CU_ASSERT(!gt_exists(".git/hooks"));
    CU_ASSERT_EQUAL(gt_n_reports, 2);
    gt_end();
}

/* srt inside srt: a second guard finds the enclosing one's listener (EBUSY)
 * and runs under it; the enclosing guard still refuses. */
static void body_nested(void)
{
    struct launch_guard inner;
    struct launch_error err = { 0 };
    GT_CALL("prepare", launch_guard_prepare(&inner, true, &err));
    GT_CALL("arm", launch_guard_arm(&inner, &err));
    GT_CALL("inner bashrc", open(".bashrc", O_CREAT | O_WRONLY, 0644));
    GT_CALL("inner plain", open("plain", O_CREAT | O_WRONLY, 0644));
}

static void test_nested(void)
{
    gt_begin();
    gt_run(true, body_nested);
    CU_ASSERT_EQUAL(gt_get("prepare"), 0);
    CU_ASSERT_EQUAL(gt_get("arm"), 0);
    CU_ASSERT_EQUAL(gt_get("inner bashrc"), -EACCES);
    CU_ASSERT(!gt_exists(".bashrc"));
    CU_ASSERT(gt_get("inner plain") >= 0 && gt_exists("plain"));
    CU_ASSERT(gt_reported("create", ".bashrc"));
    gt_end();
}

static int gt_suite_init(void)
{
    gt_sh = mmap(NULL, sizeof *gt_sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return gt_sh == MAP_FAILED ? -1 : 0;
}

static int gt_suite_clean(void)
{
    return munmap(gt_sh, sizeof *gt_sh);
}

void launch_test_register_guard(void)
{
    CU_pSuite s = CU_add_suite("create guard", gt_suite_init, gt_suite_clean);
    CU_add_test(s, "open with O_CREAT", test_open);
    CU_add_test(s, "descriptor flags and umask", test_flags_and_umask);
    CU_add_test(s, "mkdir and mknod", test_mkdir_mknod);
    CU_add_test(s, "symlinks and creating through them", test_symlink);
    CU_add_test(s, "link", test_link);
    CU_add_test(s, "rename", test_rename);
    CU_add_test(s, "a tree moved in below .git", test_moved_tree);
    CU_add_test(s, "openat2", test_openat2);
    CU_add_test(s, "paths", test_paths);
    CU_add_test(s, "where a name really lands", test_where);
    CU_add_test(s, "refusals reported", test_refusals);
    CU_add_test(s, "git config allowed", test_git_config_allowed);
    CU_add_test(s, "a guard inside a guarded sandbox", test_nested);
}
