/* fsl_test.h - helpers shared by the fs-linux unit and integration tests:
 * temporary trees, a small policy builder, argv searches and the outer
 * stage's side of the control socket. */
#ifndef FSL_TEST_H
#define FSL_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include <srt/policy.h>

#include "fsl_int.h"

#define FT_MAX_ENTRIES 16

/* A policy whose lists point into the struct itself. */
struct ft_policy {
    struct srt_policy     pol;
    struct srt_path_entry dr[FT_MAX_ENTRIES], ar[FT_MAX_ENTRIES],
                          aw[FT_MAX_ENTRIES], dw[FT_MAX_ENTRIES];
    char                  buf[FT_MAX_ENTRIES * 4][512];
    size_t                nbuf;
};

/* A fresh directory under /tmp (resolved); returns a static-lifetime copy. */
char *ft_tmpdir(void);
/* Remove a tree (best effort, for test teardown). */
void  ft_rmtree(const char *path);
/* Create root/rel: a directory when rel ends in '/', else a file with text. */
void  ft_make(const char *root, const char *rel, const char *text);
bool  ft_exists(const char *root, const char *rel);

void  ft_policy_init(struct ft_policy *p, const char *cwd);
/* Append root/rel (rel may be "" for root) to one of the lists:
 * 'r' denyRead, 'R' allowRead, 'w' allowWrite, 'W' denyWrite. */
void  ft_policy_add(struct ft_policy *p, char list, const char *root, const char *rel, unsigned flags);

/* Index of the first occurrence of the sequence a [b [c]] in v, or -1. */
long  ft_find(const struct fsl_vec *v, const char *a, const char *b, const char *c);

/* Send the first `len` bytes of *msg on `fd` as the outer stage does
 * (fsl_proto.h), with `nfds` fresh sockets attached; true when all went out. */
struct fsl_ctl_msg;
bool  ft_send_ctl(int fd, const struct fsl_ctl_msg *msg, size_t len, int nfds);

#endif
