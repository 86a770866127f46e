/* test_session.c - session ids, command keys and private directories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_tests.h"
#include "cu_main.h"
#include "session_int.h"

static void test_base64(void)
{
    char out[16];
    CU_ASSERT_EQUAL(srt_base64_encode("abc", 3, out, sizeof out), 4);
    CU_ASSERT_STRING_EQUAL(out, "YWJj");
    CU_ASSERT_EQUAL(srt_base64_encode("ab", 2, out, sizeof out), 4);
    CU_ASSERT_STRING_EQUAL(out, "YWI=");
    CU_ASSERT_EQUAL(srt_base64_encode("a", 1, out, sizeof out), 4);
    CU_ASSERT_STRING_EQUAL(out, "YQ==");
    CU_ASSERT_EQUAL(srt_base64_encode("abcdefghijkl", 12, out, 16), 0);   /* too small */
}

static void test_session_lifecycle(void)
{
    char dir[] = "/tmp/srt-sess-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1);
    char cmd[150];
    memset(cmd, 'x', sizeof cmd - 1);
    cmd[sizeof cmd - 1] = '\0';
    struct srt_session_owner *a = NULL, *b = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_session_new(cmd, NULL, &a, &err), SRT_OK);
    CU_ASSERT_EQUAL_FATAL(srt_session_new("echo hi", NULL, &b, &err), SRT_OK);
    const struct srt_session *sa = srt_session_view(a), *sb = srt_session_view(b);
    CU_ASSERT_EQUAL(strlen(sa->id), 16);
    CU_ASSERT_STRING_NOT_EQUAL(sa->id, sb->id);
    CU_ASSERT_EQUAL(strlen(sa->command_key), 136);   /* base64 of 100 characters only */
    CU_ASSERT_STRING_EQUAL(sb->command_key, "ZWNobyBoaQ==");
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(sa->runtime_dir, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT_PTR_NOT_NULL(strstr(sa->runtime_dir, dir));
    char inner[4200];
    snprintf(inner, sizeof inner, "%s/sub", sa->runtime_dir);
    CU_ASSERT_EQUAL(mkdir(inner, 0700), 0);
    snprintf(inner, sizeof inner, "%s/sub/file", sa->runtime_dir);
    FILE *f = fopen(inner, "w");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f)
        fclose(f);
    char keep[4200];
    snprintf(keep, sizeof keep, "%s", sa->runtime_dir);
    srt_session_free(a);
    CU_ASSERT_NOT_EQUAL(stat(keep, &st), 0);   /* removed with its contents */
    srt_session_free(b);
    char base[300];
    snprintf(base, sizeof base, "%s/srt", dir);
    rmdir(base);
    rmdir(dir);
    unsetenv("XDG_RUNTIME_DIR");
}

static void test_private_dir_refusals(void)
{
    char dir[] = "/tmp/srt-priv-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char p[300];
    struct srt_error err = { 0 };
    snprintf(p, sizeof p, "%s/new", dir);
    CU_ASSERT_EQUAL(srt_session_private_dir(p, &err), SRT_OK);
    chmod(p, 0777);
    CU_ASSERT_EQUAL(srt_session_private_dir(p, &err), SRT_OK);   /* tightened */
    struct stat st;
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    char link[300];
    snprintf(link, sizeof link, "%s/link", dir);
    CU_ASSERT_EQUAL(symlink(p, link), 0);
    CU_ASSERT_EQUAL(srt_session_private_dir(link, &err), SRT_EPERM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, link));
    if (geteuid() == 0) {
        CU_ASSERT_EQUAL(chown(p, 65534, 65534), 0);
        CU_ASSERT_EQUAL(srt_session_private_dir(p, &err), SRT_EPERM);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "belongs to uid 65534"));
    }
    unlink(link);
    rmdir(p);
    rmdir(dir);
}

static void make_session_dir(const char *base, const char *id, int *lock_fd)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", base, id);
    CU_ASSERT_EQUAL(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/%s/lock", base, id);
    int fd = open(p, O_RDWR | O_CREAT, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    if (lock_fd) {
        CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0);
        *lock_fd = fd;
    } else {
        close(fd);
    }
    snprintf(p, sizeof p, "%s/%s/placeholder", base, id);
    fd = open(p, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0)
        close(fd);
}

/* Directories of runs that died are swept; those of live runs stay. */
static void test_sweep(void)
{
    char dir[] = "/tmp/srt-sweep-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1);
    char base[300];
    snprintf(base, sizeof base, "%s/srt", dir);
    CU_ASSERT_EQUAL(mkdir(base, 0700), 0);
    int live_fd = -1;
    make_session_dir(base, "00000000000000aa", NULL);      /* owner died */
    make_session_dir(base, "00000000000000bb", &live_fd);  /* owner alive */
    struct srt_session_owner *o = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_session_new("true", NULL, &o, &err), SRT_OK);
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/00000000000000aa", base);
    CU_ASSERT_NOT_EQUAL(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/00000000000000bb/placeholder", base);
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    /* Our own directory is locked against other sweepers. */
    snprintf(p, sizeof p, "%s/lock", srt_session_view(o)->runtime_dir);
    int fd = open(p, O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_NOT_EQUAL(flock(fd, LOCK_EX | LOCK_NB), 0);
    close(fd);
    srt_session_free(o);
    close(live_fd);
    snprintf(p, sizeof p, "%s/00000000000000bb/placeholder", base);
    unlink(p);
    snprintf(p, sizeof p, "%s/00000000000000bb/lock", base);
    unlink(p);
    snprintf(p, sizeof p, "%s/00000000000000bb", base);
    rmdir(p);
    rmdir(base);
    rmdir(dir);
    unsetenv("XDG_RUNTIME_DIR");
}

void core_tests_session(void)
{
    CU_pSuite s = CU_add_suite("session", NULL, NULL);
    CU_add_test(s, "base64", test_base64);
    CU_add_test(s, "lifecycle", test_session_lifecycle);
    CU_add_test(s, "private dir refusals", test_private_dir_refusals);
    CU_add_test(s, "sweep of dead runs", test_sweep);
}
