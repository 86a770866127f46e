/* guard.c - the create guard: dangerous names refused when the command
 * makes them, at any depth and in repositories it creates itself
 * (REFERENCE.md 3.4 and W7), which placeholders made before the run could
 * never reach; with the guard the plugin makes no such placeholders.
 *
 * The command's side loads a second seccomp filter (seccomp.c's guard
 * rules) that stops every call able to make a new name and hands it to a
 * user-notification listener. The listener goes to the watcher (watch.c),
 * which stays outside that filter: it answers each call by making the name
 * itself or refusing it (guard_ops.c), installs opened files into the
 * command (SECCOMP_IOCTL_NOTIF_ADDFD), and reports each refusal to srt over
 * the lifeline, one datagram "<op>\0<path>" each, dropped rather than
 * waited for when srt's side is full. With WAIT_KILLABLE_RECV a call the
 * watcher has taken is not restarted by a signal, so nothing is made twice.
 * The one call that may wait for another process, opening a FIFO for
 * writing before its reader came, is answered by a thread of its own.
 *
 * The listener is made after the fork, on the command's side, and passed
 * over a socket pair that exists before the confinement forbids new unix
 * sockets. If the watcher cannot take it, the listener closes and the
 * kernel fails every guarded call: the guard fails closed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../danger.h"
#include "launch_int.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

int launch_guard_prepare(struct launch_guard *g, bool git_config, struct launch_error *err)
{
    memset(g, 0, sizeof *g);
    g->listener = g->report = -1;
    g->how = git_config ? FSL_MAKE_GIT_CONFIG : 0;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, g->sock) < 0)
        return launch_fail(err, errno, "cannot create the create guard's socket: %s",
                           strerror(errno));
    g->on = true;
    return 0;
}

int launch_guard_arm(struct launch_guard *g, struct launch_error *err)
{
    const struct launch_sc_program *p = launch_seccomp_guard_program();
    struct sock_fprog prog = { .len = p->len, .filter = (struct sock_filter *)p->insns };
    unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

    close(g->sock[0]);
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (fd < 0 && errno == EINVAL) {    /* before Linux 5.19 */
        flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
    if (fd < 0) {
        int e = errno;
        close(g->sock[1]);
        /* srt inside srt: the kernel allows one listener per filter chain,
         * and the enclosing sandbox's guard already answers every such
         * call of this one, under the enclosing policy. The watcher reads
         * EOF and runs without a listener of its own. */
        if (e == EBUSY)
            return 0;
        return launch_fail(err, e, "cannot load the create guard's filter: %s", strerror(e));
    }
    int listener = (int)fd;
    ssize_t sent = fsl_ctl_send(g->sock[1], "G", 1, &listener, 1);
    int e = errno;
    close(listener);
    close(g->sock[1]);
    return sent == 1 ? 0 : launch_fail(err, e, "cannot hand over the create guard: %s", strerror(e));
}

/* The listener the command's side sent, into *fd. */
static int launch_guard_recv(int sock, int *fd)
{
    char tag;
    size_t n;
    int flags;
    ssize_t got = fsl_ctl_take(sock, &tag, 1, fd, 1, &n, MSG_CMSG_CLOEXEC, &flags);

    if (got < 0)
        return -errno;
    if (got != 1 || n != 1 || (flags & (MSG_CTRUNC | MSG_TRUNC))) {
        if (n == 1)
            close(*fd);
        return -EPROTO;     /* the command's side failed first and said why */
    }
    return 0;
}

int launch_guard_take(struct launch_guard *g, int report, struct launch_error *err)
{
    struct seccomp_notif_sizes sizes;
    int r;

    close(g->sock[1]);
    r = launch_guard_recv(g->sock[0], &g->listener);
    close(g->sock[0]);
    if (r < 0)
        return launch_fail(err, -r, "cannot take the create guard: %s", strerror(-r));
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
        return launch_fail(err, errno, "cannot size seccomp notifications: %s", strerror(errno));
    /* The kernel's structures may be larger than our headers' ones. */
    g->req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
                      ? sizes.seccomp_notif : sizeof(struct seccomp_notif);
    g->resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
                       ? sizes.seccomp_notif_resp : sizeof(struct seccomp_notif_resp);
    if (!(g->req = malloc(g->req_size)) || !(g->resp = malloc(g->resp_size)))
        return launch_fail(err, ENOMEM, "cannot start the create guard: out of memory");
    g->report = report;
    return 0;
}

/* Tell srt what was refused; never wait for it. */
static void launch_guard_report(const struct launch_guard *g, const struct launch_guard_call *c)
{
    char msg[sizeof c->refused + 16];
    size_t op = strlen(c->op) + 1, path = strlen(c->refused);

    if (g->report < 0)
        return;
    memcpy(msg, c->op, op);
    memcpy(msg + op, c->refused, path);
    send(g->report, msg, op + path, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Answer request `id`: install fd (when r >= 0 and fd >= 0) as the call's
 * result, or send r. `resp` is a kernel-sized response buffer. */
static void launch_guard_answer(int listener, void *resp_buf, size_t resp_size, uint64_t id,
                                int fd, bool cloexec, long r)
{
    if (r >= 0 && fd >= 0) {
        struct seccomp_notif_addfd add = {
            .id = id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)fd,
            .newfd_flags = cloexec ? O_CLOEXEC : 0,
        };
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0 || errno == ENOENT)
            return;
        r = -errno;     /* e.g. EMFILE: the caller's table is full */
    }
    struct seccomp_notif_resp *resp = resp_buf;
    memset(resp, 0, resp_size);
    resp->id = id;
    resp->val = r >= 0 ? r : 0;
    resp->error = r >= 0 ? 0 : (int)r;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* An open that waits for a FIFO's reader, made by a thread of its own. */
struct launch_guard_wait {
    int      listener, dfd, flags;
    bool     cloexec;
    uint64_t id;
    size_t   resp_size;
    char     name[PATH_MAX];
};

static void *launch_guard_waiter(void *arg)
{
    struct launch_guard_wait *w = arg;
    void *resp = malloc(w->resp_size);
    int fd = openat(w->dfd, w->name, w->flags | O_NOCTTY);
    long r = fd >= 0 ? fd : -errno;

    if (resp)
        launch_guard_answer(w->listener, resp, w->resp_size, w->id, fd, w->cloexec, r);
    if (fd >= 0)
        close(fd);
    close(w->dfd);
    free(resp);
    free(w);
    return NULL;
}

/* Start the waiting open of c; the answer comes from its thread. */
static long launch_guard_wait(const struct launch_guard *g, struct launch_guard_call *c)
{
    struct launch_guard_wait *w = malloc(sizeof *w);
    pthread_attr_t attr;
    pthread_t t;

    if (!w)
        return -ENOMEM;
    *w = (struct launch_guard_wait){
        .listener = g->listener, .dfd = c->wait_dfd, .flags = c->wait_flags,
        .cloexec = c->cloexec, .id = c->id, .resp_size = g->resp_size,
    };
    snprintf(w->name, sizeof w->name, "%s", c->wait_name);
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&t, &attr, launch_guard_waiter, w);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        free(w);
        return -rc;
    }
    c->wait_dfd = -1;   /* the thread's now */
    return 0;
}

void launch_guard_serve(struct launch_guard *g)
{
    struct seccomp_notif *req = g->req;

    memset(req, 0, g->req_size);
    if (ioctl(g->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
        return;     /* the caller went away first, or EINTR */
    struct launch_guard_call c = {
        .listener = g->listener, .id = req->id, .pid = (pid_t)req->pid,
        .nr = req->data.nr, .how = g->how, .mem = -1, .fd = -1,
    };
    memcpy(c.args, req->data.args, sizeof c.args);
    long r = launch_guard_call_run(&c);
    if (c.mem >= 0)
        close(c.mem);
    if (r == LAUNCH_GUARD_WAIT && (r = launch_guard_wait(g, &c)) == 0)
        r = -ECANCELED;     /* answered by the waiting thread */
    if (c.wait_dfd >= 0)
        close(c.wait_dfd);
    if (r != -ECANCELED)
        launch_guard_answer(g->listener, g->resp, g->resp_size, c.id, c.fd, c.cloexec, r);
    if (c.fd >= 0)
        close(c.fd);
    if (c.op)      /* set only by a refusal */
        launch_guard_report(g, &c);
}
