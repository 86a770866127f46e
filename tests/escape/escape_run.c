/* escape_run.c - see escape_run.h. Every run also leaks a directory fd of
 * "/" (no close-on-exec) into the chain, as a careless caller would, so the
 * descriptor test can check it never reaches the command. */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsl_int.h"
#include "fsl_proto.h"
#include "escape_run.h"

#define ESC_MAX_ARGS 96
#define ESC_DEADLINE_MS 10000

static const char *const esc_bwrap_base[] = {
    SRT_BWRAP, "--ro-bind", "/", "/", "--unshare-user", "--unshare-pid",
    "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL", "--die-with-parent",
    "--new-session", "--dev", "/dev", "--proc", "/proc",
    "--ro-bind", "/proc/sys", "/proc/sys", NULL,
};

static size_t esc_append(const char **argv, size_t n, const char *const *more)
{
    while (more && *more && n + 1 < ESC_MAX_ARGS)
        argv[n++] = *more++;
    argv[n] = NULL;
    return n;
}

static void esc_build(const struct esc_opts *o, const char *const *cmd, const char *ctl,
                      const char **argv)
{
    size_t n = 0;

    if (o->sandbox) {
        n = esc_append(argv, n, (const char *const[]){ SRT_LAUNCH_BIN, "--outer", "--ctl-fd", ctl, NULL });
        if (o->uid != 0)
            n = esc_append(argv, n, (const char *const[]){ "--userns", NULL });
        n = esc_append(argv, n, (const char *const[]){ "--", NULL });
        n = esc_append(argv, n, esc_bwrap_base);
        n = esc_append(argv, n, o->bwrap_extra);
        n = esc_append(argv, n, (const char *const[]){ "--", SRT_LAUNCH_BIN, "--inner", NULL });
        n = esc_append(argv, n, o->inner_extra);
        n = esc_append(argv, n, (const char *const[]){ "--", NULL });
    }
    esc_append(argv, n, cmd);
}

static void esc_child(const struct esc_opts *o, const char **argv, int ctl, int out)
{
    dup2(out, 1);
    if (o->pty_slave >= 0) {
        if (setsid() < 0 || ioctl(o->pty_slave, TIOCSCTTY, 0) < 0)
            _exit(120);
        dup2(o->pty_slave, 0);
    }
    if (ctl >= 0)
        fcntl(ctl, F_SETFD, 0);
    (void)open("/", O_RDONLY | O_DIRECTORY);   /* the stray descriptor */
    if (o->uid != 0 && (setgroups(0, NULL) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 ||
                        setresuid(o->uid, o->uid, o->uid) < 0))
        _exit(121);
    execv(argv[0], (char **)argv);
    _exit(122);
}

/* The plugin's part, with the plugin's own receiver (fsl_ctl_recv): take
 * the listeners and close them at once. */
static bool esc_take_listeners(int ctl)
{
    struct srt_listener ls[FSL_CTL_MAX_LISTENERS];
    size_t n = 0;
    char err[FSL_ERRMAX];
    if (fsl_ctl_recv(ctl, 5000, ls, FSL_CTL_MAX_LISTENERS, &n, err, sizeof err) != SRT_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        close(ls[i].fd);
    return n > 0;
}

/* Read the command's output until EOF or the deadline. */
static void esc_collect(int fd, struct esc_result *r)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    size_t len = 0;
    ssize_t got = 1;

    while (got > 0 && len + 1 < sizeof(r->out) && poll(&pfd, 1, ESC_DEADLINE_MS) == 1) {
        got = read(fd, r->out + len, sizeof(r->out) - 1 - len);
        if (got > 0)
            len += (size_t)got;
    }
}

void esc_run(const struct esc_opts *o, const char *const *cmd, struct esc_result *r)
{
    const char *argv[ESC_MAX_ARGS];
    int sv[2] = { -1, -1 }, out[2];
    char ctl[16];

    memset(r, 0, sizeof(*r));
    r->status = -1;
    if (o->sandbox && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return;
    if (pipe2(out, O_CLOEXEC) < 0)
        goto out_close_ctl;
    snprintf(ctl, sizeof(ctl), "%d", sv[1]);
    esc_build(o, cmd, ctl, argv);
    pid_t pid = fork();
    if (pid == 0)
        esc_child(o, argv, sv[1], out[1]);
    close(out[1]);
    if (pid > 0) {
        if (o->sandbox) {
            close(sv[1]);
            sv[1] = -1;
            r->listeners = esc_take_listeners(sv[0]);
        }
        esc_collect(out[0], r);
        /* A hung attack (say, a ptrace stop that got through) fails the
         * test instead of blocking the suite. */
        int waited = 0;
        while (waitpid(pid, &r->status, WNOHANG) == 0 && waited < ESC_DEADLINE_MS) {
            usleep(10 * 1000);
            waited += 10;
        }
        if (waited >= ESC_DEADLINE_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &r->status, 0);
        }
    }
    close(out[0]);
out_close_ctl:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
}
