/* prestart.c - the plan channel of a prestarted launch (prestart_int.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors_int.h"
#include "prestart_int.h"
#include "supervise_int.h"

int srt_prestart_spawn(const struct srt_launch_plan *early, struct srt_prestart *ps,
                       struct srt_error *err)
{
    ps->pid = 0;
    ps->chan = -1;
    int rc = srt_supervise_check(early, err);
    if (rc != SRT_OK)
        return rc;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return srt_error_set(err, SRT_EIO, "cannot create the plan channel: %s", strerror(errno));
    int *keep = malloc((early->n_keep_fds + 1) * sizeof *keep);
    if (!keep) {
        close(sv[0]);
        close(sv[1]);
        return srt_error_set(err, SRT_ENOMEM, "cannot start %s: out of memory", early->argv[0]);
    }
    for (size_t i = 0; i < early->n_keep_fds; i++)
        keep[i] = early->keep_fds[i];
    keep[early->n_keep_fds] = sv[1];
    char var[sizeof SRT_PLAN_ENV + 16];
    snprintf(var, sizeof var, "%s=%d", SRT_PLAN_ENV, sv[1]);
    const char *envp[] = { var, NULL };
    struct srt_launch_plan p = *early;
    p.envp = envp;
    p.keep_fds = keep;
    p.n_keep_fds = early->n_keep_fds + 1;
    rc = srt_supervise_spawn(&p, &ps->pid, err);
    free(keep);
    close(sv[1]);
    if (rc != SRT_OK) {
        close(sv[0]);
        ps->pid = 0;
        return rc;
    }
    ps->chan = sv[0];
    return SRT_OK;
}

static int prestart_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void prestart_count(const char *const *v, uint32_t *count, uint64_t *bytes)
{
    for (*count = 0; v && v[*count]; (*count)++)
        *bytes += strlen(v[*count]) + 1;
}

int srt_prestart_commit(struct srt_prestart *ps, const struct srt_launch_plan *plan,
                        struct srt_error *err)
{
    struct srt_plan_head h = { .magic = SRT_PLAN_MAGIC };
    uint64_t bytes = 0;
    prestart_count(plan->argv, &h.argc, &bytes);
    prestart_count(plan->envp, &h.envc, &bytes);
    int rc = srt_supervise_check(plan, err);
    if (rc == SRT_OK && bytes > SRT_PLAN_MAX_BYTES)
        rc = srt_error_set(err, SRT_ERANGE, "launch plan of %llu bytes is over the %u-byte limit",
                           (unsigned long long)bytes, SRT_PLAN_MAX_BYTES);
    h.bytes = (uint32_t)bytes;
    int ok = rc == SRT_OK && prestart_send(ps->chan, &h, sizeof h) == 0;
    for (int list = 0; ok && list < 2; list++) {
        const char *const *v = list == 0 ? plan->argv : plan->envp;
        for (size_t i = 0; ok && v && v[i]; i++)
            ok = prestart_send(ps->chan, v[i], strlen(v[i]) + 1) == 0;
    }
    if (rc == SRT_OK && !ok)
        rc = srt_error_set(err, SRT_EIO, "cannot hand the plan to %s: %s", plan->argv[0],
                           strerror(errno));
    if (rc != SRT_OK) {
        srt_prestart_abort(ps);
        return rc;
    }
    close(ps->chan);
    ps->chan = -1;
    return SRT_OK;
}

void srt_prestart_abort(struct srt_prestart *ps)
{
    /* Killed before the channel closes, so it never acts on the EOF. */
    if (ps->pid > 0)
        kill(ps->pid, SIGKILL);
    if (ps->chan >= 0)
        close(ps->chan);
    ps->chan = -1;
    if (ps->pid > 0)
        while (waitpid(ps->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    ps->pid = 0;
}
