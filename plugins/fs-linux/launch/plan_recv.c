/* plan_recv.c - the prestarted outer stage's side of the core's plan
 * channel (srt_enforcer_ops.prestart, <srt/fs.h>): read the argv and the
 * environment bwrap is to run with, checking the framing strictly, since
 * nothing may run on a partial plan. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <srt/fs.h>

#include "launch_int.h"

#define LAUNCH_PLAN_MAX_STRINGS 65536

static int launch_plan_read(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? -EPIPE : -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int launch_plan_recv(char ***argv, char ***envp, struct launch_error *err)
{
    const char *var = getenv(SRT_PLAN_ENV);
    int fd;
    if (!var || launch_parse_fd(SRT_PLAN_ENV, var, &fd, err) < 0)
        return launch_fail(err, EINVAL, "prestarted without a plan channel (%s)", SRT_PLAN_ENV);
    struct srt_plan_head h;
    int rc = launch_plan_read(fd, &h, sizeof h);
    if (rc == -EPIPE)
        return -ECANCELED;
    if (rc < 0)
        return launch_fail(err, -rc, "cannot read the plan: %s", strerror(-rc));
    uint64_t n = (uint64_t)h.argc + h.envc;
    if (h.magic != SRT_PLAN_MAGIC || h.argc == 0 || n > LAUNCH_PLAN_MAX_STRINGS ||
        h.bytes < n || h.bytes > SRT_PLAN_MAX_BYTES)
        return launch_fail(err, EPROTO, "malformed plan header");
    char *buf = malloc(h.bytes);
    char **v = calloc(n + 2, sizeof *v);   /* argv NULL, envp, NULL */
    if (!buf || !v) {
        free(buf);
        free(v);
        return launch_fail(err, ENOMEM, "cannot read the plan: out of memory");
    }
    rc = launch_plan_read(fd, buf, h.bytes);
    close(fd);
    /* exactly argc + envc strings, the last one ending the buffer */
    size_t k = 0, start = 0;
    for (size_t i = 0; rc == 0 && i < h.bytes; i++) {
        if (buf[i] != '\0')
            continue;
        if (k == n) {
            rc = -EPROTO;
            break;
        }
        v[k < h.argc ? k : k + 1] = buf + start;
        k++;
        start = i + 1;
    }
    if (rc == 0 && (k != n || start != h.bytes || v[0][0] != '/'))
        rc = -EPROTO;
    if (rc < 0) {
        free(buf);
        free(v);
        return rc == -EPIPE ? -ECANCELED : launch_fail(err, EPROTO, "malformed plan");
    }
    *argv = v;
    *envp = v + h.argc + 1;
    return 0;
}
