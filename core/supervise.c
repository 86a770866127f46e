/* supervise.c - the supervisor: spawn, forward signals, reap (supervise_int.h). */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errors_int.h"
#include "supervise_int.h"

#define SUPERVISE_KILL_GRACE_S 5
#define SUPERVISE_CHILD_STACK  (64 * 1024)

static const int supervise_forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
static sigset_t supervise_old_mask;

static void supervise_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof supervise_forwarded / sizeof supervise_forwarded[0]; i++)
        sigaddset(set, supervise_forwarded[i]);
    sigaddset(set, SIGCHLD);
}

void srt_supervise_block_signals(void)
{
    sigset_t set;
    supervise_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, &supervise_old_mask);
}

/* Close every descriptor above 2 except the kept ones and `status_fd`, with
 * one close_range per gap (async-signal-safe, no allocation). */
static void supervise_close_rest(const struct srt_launch_plan *plan, int status_fd)
{
    unsigned lo = 3;
    for (;;) {
        unsigned next = ~0u;   /* the lowest kept descriptor >= lo */
        for (size_t i = 0; i <= plan->n_keep_fds; i++) {
            int fd = i < plan->n_keep_fds ? plan->keep_fds[i] : status_fd;
            if (fd >= (int)lo && (unsigned)fd < next)
                next = (unsigned)fd;
        }
        if (next > lo)
            close_range(lo, next == ~0u ? ~0u : next - 1, 0);
        if (next == ~0u)
            return;
        lo = next + 1;
    }
}

struct supervise_child_args {
    const struct srt_launch_plan *plan;
    int                           status_fd;
};

/* In the child, which runs on srt's memory until execve: async-signal-safe
 * calls only, no allocation, nothing written but its own stack. */
static int supervise_child_main(void *arg)
{
    const struct srt_launch_plan *plan = ((struct supervise_child_args *)arg)->plan;
    int status_fd = ((struct supervise_child_args *)arg)->status_fd;
    int e;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        goto fail;
    /* Its own process group: a Ctrl-C on the terminal reaches srt alone,
     * which forwards it to the command, instead of also killing the outer
     * processes of the sandbox before the command could handle it. */
    if (setpgid(0, 0) != 0)
        goto fail;
    for (size_t i = 0; i < plan->n_keep_fds; i++)
        if (fcntl(plan->keep_fds[i], F_SETFD, 0) != 0)
            goto fail;
    /* The status pipe stays open: it is close-on-exec. */
    supervise_close_rest(plan, status_fd);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &supervise_old_mask, NULL);
    execve(plan->argv[0], (char *const *)plan->argv, (char *const *)plan->envp);
fail:
    e = errno;
    if (write(status_fd, &e, sizeof e) < 0)
        _exit(125);
    _exit(125);
}

int srt_supervise_check(const struct srt_launch_plan *plan, struct srt_error *err)
{
    if (!plan->argv || !plan->argv[0] || plan->argv[0][0] != '/')
        return srt_error_set(err, SRT_EINVAL, "launch plan has no absolute program path");
    return SRT_OK;
}

int srt_supervise_spawn(const struct srt_launch_plan *plan, pid_t *pid, struct srt_error *err)
{
    int rc = srt_supervise_check(plan, err);
    if (rc != SRT_OK)
        return rc;
    int sp[2];
    if (pipe2(sp, O_CLOEXEC) != 0)
        return srt_error_set(err, SRT_EIO, "cannot create status pipe: %s", strerror(errno));
    /* vfork-like: the child shares srt's memory until it execs, so the start
     * costs no copy of srt's page tables (a fork took 0.3-1.8 ms here). */
    struct supervise_child_args a = { plan, sp[1] };
    size_t stack_size = SUPERVISE_CHILD_STACK;
    char *stack = malloc(stack_size);
    pid_t child = stack ? clone(supervise_child_main, stack + stack_size,
                                CLONE_VM | CLONE_VFORK | SIGCHLD, &a) : -1;
    int fork_errno = errno;
    free(stack);
    close(sp[1]);
    if (child < 0) {
        close(sp[0]);
        return srt_error_set(err, SRT_EIO, "cannot start %s: %s", plan->argv[0],
                             strerror(fork_errno));
    }
    int child_errno = 0;
    ssize_t n;
    do
        n = read(sp[0], &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(sp[0]);
    if (n == (ssize_t)sizeof child_errno) {
        waitpid(child, NULL, 0);
        errno = child_errno;
        return srt_error_set(err, SRT_EIO, "cannot execute %s: %s", plan->argv[0],
                             strerror(child_errno));
    }
    *pid = child;
    return SRT_OK;
}

void srt_supervise_become_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* Kill every process whose parent is this one, from "pid (comm) state ppid
 * ..." of each /proc entry: children that are ours by re-parenting have no
 * other record. The slow way, for kernels without the children files. */
static int supervise_kill_children_walk(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    pid_t self = getpid();
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        /* comm may hold spaces and parentheses */
        char *rp = strrchr(buf, ')');
        long ppid;
        if (rp && sscanf(rp + 1, " %*c %ld", &ppid) == 1 && ppid == self &&
            kill((pid_t)pid, SIGKILL) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* The same from /proc/self/task/TID/children, which lists exactly the
 * children of each thread (a re-parented orphan may land on any of them):
 * a few small reads instead of one per process of the machine. */
static int supervise_kill_children(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return supervise_kill_children_walk();
    int n = 0, listed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[sizeof e->d_name + 32];
        snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        listed = 1;
        long pid;
        while (fscanf(f, "%ld", &pid) == 1)
            if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
                n++;
        fclose(f);
    }
    closedir(d);
    return listed ? n : supervise_kill_children_walk();
}

int srt_supervise_reap_orphans(void)
{
    /* Usually nothing was left behind (a PID namespace took it down) but
     * exited stages re-parented to us: reap those first, and with no live
     * child at all skip the walk of /proc on the way out. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    siginfo_t si;
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
        return 0;
    int total = 0, n;
    /* Killed ones may have had children of their own, re-parented to us in
     * turn: repeat until a pass finds none. */
    while ((n = supervise_kill_children()) > 0) {
        total += n;
        while (waitpid(-1, NULL, 0) > 0)
            ;
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return total;
}

static int supervise_status(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 125;
}

int srt_supervise_wait(pid_t pid, const struct srt_supervise_fwd *fwd)
{
    sigset_t set;
    supervise_set(&set);
    struct timespec deadline = { 0, 0 };
    int escalated = 0;
    for (;;) {
        int wstatus;
        pid_t r = waitpid(pid, &wstatus, WNOHANG);
        /* Killed because it ignored a forwarded SIGTERM: srt itself was
         * asked to terminate, so it reports that (REFERENCE.md 1.6, W20). */
        if (r == pid)
            return escalated ? 128 + SIGTERM : supervise_status(wstatus);
        if (r < 0 && errno != EINTR)
            return 125;
        siginfo_t si;
        int sig;
        if (deadline.tv_sec) {
            struct timespec now, wait = { 0, 100 * 1000 * 1000 };
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec >= deadline.tv_sec && !escalated) {
                kill(pid, SIGKILL);
                escalated = 1;
            }
            sig = sigtimedwait(&set, &si, &wait);
        } else {
            sig = sigwaitinfo(&set, &si);
        }
        if (sig <= 0 || sig == SIGCHLD)
            continue;
        if (!fwd || fwd->deliver(fwd->ctx, sig) != 0)
            kill(pid, sig);
        if (sig == SIGTERM && !deadline.tv_sec) {
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            deadline.tv_sec += SUPERVISE_KILL_GRACE_S;
        }
    }
}
