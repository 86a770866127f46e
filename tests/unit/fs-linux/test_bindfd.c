/* test_bindfd.c - THREATS F2 on the plugin side: the identities the inner
 * stage checks (expect.c) and the bind sources sent as descriptors
 * (bindfd.c), including the refusal of a source reached through a symlink. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_proto.h"
#include "fsl_test.h"

static void bt_push(struct fsl_vec *v, const char *a, const char *b, const char *c)
{
    CU_ASSERT_FATAL(fsl_vec_push(v, a) == SRT_OK && fsl_vec_push(v, b) == SRT_OK &&
                    fsl_vec_push(v, c) == SRT_OK);
}

static char *bt_id(const char *path)
{
    static char buf[64];
    struct stat st;
    CU_ASSERT_FATAL(lstat(path, &st) == 0);
    snprintf(buf, sizeof buf, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    return buf;
}

/* One identity per destination, the last bind's, "/" left out; a source
 * that became a symlink is refused. */
static void test_expect(void)
{
    char *T = ft_tmpdir();
    ft_make(T, "w/", NULL);
    ft_make(T, "deny", "");
    char w[600], deny[600], f[600], link[600];
    snprintf(w, sizeof w, "%s/w", T);
    snprintf(deny, sizeof deny, "%s/deny", T);
    snprintf(f, sizeof f, "%s/w/.env", T);
    snprintf(link, sizeof link, "%s/link", T);
    ft_make(T, "w/.env", "x");
    struct fsl_vec a = {0}, out = {0};
    bt_push(&a, "--ro-bind", "/", "/");
    bt_push(&a, "--bind", w, w);
    CU_ASSERT_FATAL(fsl_vec_push(&a, "--tmpfs") == SRT_OK && fsl_vec_push(&a, "/x") == SRT_OK);
    bt_push(&a, "--ro-bind", f, f);
    bt_push(&a, "--ro-bind", deny, f);           /* the later bind wins */
    char err[FSL_ERRMAX] = "";
    CU_ASSERT_FATAL(fsl_expect_binds(&a, &out, err, sizeof err) == SRT_OK);
    CU_ASSERT_EQUAL(out.n, 4);
    if (out.n == 4) {
        CU_ASSERT_STRING_EQUAL(out.v[0], bt_id(w));
        CU_ASSERT_STRING_EQUAL(out.v[1], w);
        CU_ASSERT_STRING_EQUAL(out.v[2], bt_id(deny));
        CU_ASSERT_STRING_EQUAL(out.v[3], f);
    }
    fsl_vec_free(&out);
    CU_ASSERT_FATAL(symlink(w, link) == 0);
    bt_push(&a, "--bind", link, link);
    CU_ASSERT_EQUAL(fsl_expect_binds(&a, &out, err, sizeof err), SRT_EPERM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "became a symlink"));
    fsl_vec_free(&out);
    fsl_vec_free(&a);
    ft_rmtree(T);
    free(T);
}

/* Sources go out as descriptors of the very inodes, in order, and the argv
 * names them "@K"; a source with a symlink on its path is refused. */
static void test_send(void)
{
    char *T = ft_tmpdir();
    ft_make(T, "w/", NULL);
    ft_make(T, "w/.bashrc", "x");
    char w[600], f[600], link[600], via[600];
    snprintf(w, sizeof w, "%s/w", T);
    snprintf(f, sizeof f, "%s/w/.bashrc", T);
    snprintf(link, sizeof link, "%s/link", T);
    snprintf(via, sizeof via, "%s/link/.bashrc", T);
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    struct fsl_vec a = {0};
    bt_push(&a, "--ro-bind", "/", "/");
    bt_push(&a, "--bind", w, w);
    bt_push(&a, "--ro-bind", f, f);
    char err[FSL_ERRMAX] = "";
    CU_ASSERT_FATAL(fsl_bindfd_send(&a, sv[0], err, sizeof err) == SRT_OK);
    CU_ASSERT_STRING_EQUAL(a.v[0], "--ro-bind");       /* "/" stays by path */
    CU_ASSERT_STRING_EQUAL(a.v[3], "--bind-fd");
    CU_ASSERT_STRING_EQUAL(a.v[4], "@0");
    CU_ASSERT_STRING_EQUAL(a.v[5], w);
    CU_ASSERT_STRING_EQUAL(a.v[6], "--ro-bind-fd");
    CU_ASSERT_STRING_EQUAL(a.v[7], "@1");

    struct fsl_ctl_fds msg;
    char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov = { .iov_base = &msg, .iov_len = sizeof msg };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf };
    CU_ASSERT_FATAL(recvmsg(sv[1], &mh, MSG_DONTWAIT) == (ssize_t)sizeof msg);
    CU_ASSERT(msg.magic == FSL_CTL_FDS_MAGIC && msg.first == 0 && msg.count == 2 && msg.total == 2);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    CU_ASSERT_FATAL(cm && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(2 * sizeof(int)));
    int fds[2];
    memcpy(fds, CMSG_DATA(cm), sizeof fds);
    const char *want[2] = { w, f };
    for (int i = 0; i < 2; i++) {
        struct stat x, y;
        CU_ASSERT(fstat(fds[i], &x) == 0 && stat(want[i], &y) == 0 && x.st_ino == y.st_ino);
        close(fds[i]);
    }
    fsl_vec_free(&a);

    CU_ASSERT_FATAL(symlink(w, link) == 0);
    bt_push(&a, "--ro-bind", via, via);
    CU_ASSERT_EQUAL(fsl_bindfd_send(&a, sv[0], err, sizeof err), SRT_EPERM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "has a symlink on its path"));
    CU_ASSERT(recvmsg(sv[1], &mh, MSG_DONTWAIT) < 0 && errno == EAGAIN);   /* nothing sent */
    fsl_vec_free(&a);
    close(sv[0]);
    close(sv[1]);
    ft_rmtree(T);
    free(T);
}

void fsl_test_bindfd(void);
void fsl_test_bindfd(void)
{
    CU_pSuite s = CU_add_suite("fs-linux bind identities (F2)", NULL, NULL);
    CU_add_test(s, "identities for the inner stage", test_expect);
    CU_add_test(s, "bind sources as descriptors", test_send);
}
