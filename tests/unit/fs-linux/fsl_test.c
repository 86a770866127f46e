/* fsl_test.c - see fsl_test.h. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsl_proto.h"
#include "fsl_test.h"

char *ft_tmpdir(void)
{
    char tmpl[] = "/tmp/fsl-test-XXXXXX";
    if (!mkdtemp(tmpl))
        return NULL;
    return realpath(tmpl, NULL);
}

static int ft_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void ft_rmtree(const char *path)
{
    if (path)
        nftw(path, ft_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void ft_make(const char *root, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    size_t n = strlen(path);
    if (path[n - 1] == '/')
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (text && write(fd, text, strlen(text)) < 0)
            perror("write");
        close(fd);
    }
}

bool ft_exists(const char *root, const char *rel)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return lstat(path, &st) == 0;
}

void ft_policy_init(struct ft_policy *p, const char *cwd)
{
    memset(p, 0, sizeof *p);
    p->pol.struct_size = sizeof p->pol;
    p->pol.mandatory_deny_depth = 3;
    p->pol.cwd = cwd;
    p->pol.deny_read.v = p->dr;
    p->pol.allow_read.v = p->ar;
    p->pol.allow_write.v = p->aw;
    p->pol.deny_write.v = p->dw;
}

void ft_policy_add(struct ft_policy *p, char list, const char *root, const char *rel, unsigned flags)
{
    char *b = p->buf[p->nbuf++];
    snprintf(b, sizeof p->buf[0], "%s%s%s", root, *rel ? "/" : "", rel);
    struct srt_path_list *l = list == 'r' ? &p->pol.deny_read : list == 'R' ? &p->pol.allow_read
                            : list == 'w' ? &p->pol.allow_write : &p->pol.deny_write;
    struct srt_path_entry *v = (struct srt_path_entry *)l->v;
    v[l->n].path = b;
    v[l->n].flags = flags;
    l->n++;
}

long ft_find(const struct fsl_vec *v, const char *a, const char *b, const char *c)
{
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->v[i], a) != 0)
            continue;
        if (b && (i + 1 >= v->n || strcmp(v->v[i + 1], b) != 0))
            continue;
        if (c && (i + 2 >= v->n || strcmp(v->v[i + 2], c) != 0))
            continue;
        return (long)i;
    }
    return -1;
}

bool ft_send_ctl(int fd, const struct fsl_ctl_msg *msg, size_t len, int nfds)
{
    int fds[FSL_CTL_MAX_LISTENERS];
    union { char buf[CMSG_SPACE(sizeof fds)]; struct cmsghdr a; } ctl;
    struct iovec iov = { (void *)msg, len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (nfds < 0 || nfds > FSL_CTL_MAX_LISTENERS)
        return false;
    for (int i = 0; i < nfds; i++)
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (nfds) {
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    bool sent = sendmsg(fd, &mh, 0) == (ssize_t)len;
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    return sent;
}
