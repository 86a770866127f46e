/* escape_probe.c - the attacker of the escape tests (THREATS.md 3.1, 3.2,
 * 3.3, 3.6). Run inside the real chain, it tries one attack and prints one
 * line: "ok" when the attack worked, "errno=<NAME>" when its call failed,
 * "signal=<NAME>" when a helper child died trying, or a measurement
 * ("fds=0,1,2", "capeff=...", "pids=N"). The test driver judges the line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#define HIGH_BIT (1UL << 32)

static int report(long rc)
{
    if (rc < 0)
        printf("errno=%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
    else
        printf("ok\n");
    return 0;
}

static int connect_unix(const char *name, bool abstract)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    if (fd < 0)
        return report(-1);
    if (abstract) {
        strncpy(sa.sun_path + 1, name, sizeof(sa.sun_path) - 2);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    } else {
        strncpy(sa.sun_path, name, sizeof(sa.sun_path) - 1);
        len = sizeof(sa);
    }
    return report(connect(fd, (struct sockaddr *)&sa, len));
}

static int write_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return report(-1);
    return report(write(fd, "x\n", 2));
}

static int read_file(const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return report(-1);
    return report(read(fd, buf, sizeof(buf)));
}

/* F8: any /proc/<pid>/root reaching the host copy of `path`. */
static int proc_root(const char *path)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    char p[512], buf[16];
    long rc = -1;
    int last = ENOENT;

    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(p, sizeof(p), "/proc/%s/root%s", e->d_name, path);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
            rc = 0;
        else
            last = errno;
        if (fd >= 0)
            close(fd);
    }
    if (d)
        closedir(d);
    errno = last;
    return report(rc);
}

static int count_pids(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
    if (d)
        closedir(d);
    printf("pids=%d\n", n);
    return 0;
}

static int list_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int fds[64], n = 0;

    while (d && (e = readdir(d)) && n < 64) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        fds[n++] = atoi(e->d_name);
    }
    if (d)
        closedir(d);
    printf("fds=");
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", fds[i]);
    printf("\n");
    return 0;
}

static int cap_eff(void)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "re");

    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "CapEff:\t", 8) == 0)
            printf("capeff=%s", line + 8);
    if (f)
        fclose(f);
    return 0;
}

#if defined(__x86_64__)
/* K6: i386 socketcall(SYS_SOCKET, {AF_UNIX, SOCK_STREAM, 0}) via int 0x80,
 * in a child so the outcome can be printed whatever happens to it. */
static int int80_socketcall(void)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        static unsigned int args[3] = { AF_UNIX, SOCK_STREAM, 0 };
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(102), "b"(1), "c"(args) : "memory");
        _exit(ret >= 0 ? 0 : (int)-ret);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return report(-1);
    if (WIFSIGNALED(status)) {
        printf("signal=%s\n", sigabbrev_np(WTERMSIG(status)));
        return 0;
    }
    errno = WEXITSTATUS(status);
    return report(errno ? -1 : 0);
}
#endif

static int tiocsti(unsigned long req)
{
    for (const char *c = "id\n"; *c; c++)
        if (syscall(SYS_ioctl, 0, req, c) < 0)
            return report(-1);
    return report(0);
}

int main(int argc, char **argv)
{
    const char *a = argc > 1 ? argv[1] : "";
    const char *arg = argc > 2 ? argv[2] : "";
    char sub[2] = { 2, 0 };

    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(a, "tiocsti"))        return tiocsti(TIOCSTI);
    if (!strcmp(a, "tiocsti-high"))   return tiocsti(TIOCSTI | HIGH_BIT);
    if (!strcmp(a, "tioclinux"))      return report(ioctl(0, TIOCLINUX, sub));
    if (!strcmp(a, "kill-pgrp"))      return report(kill(-atoi(arg), 0));
    if (!strcmp(a, "kill"))           return report(kill(atoi(arg), 0));
    if (!strcmp(a, "unix-connect"))   return connect_unix(arg, false);
    if (!strcmp(a, "abstract-connect")) return connect_unix(arg, true);
    if (!strcmp(a, "socketpair"))     { int sv[2]; return report(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)); }
    if (!strcmp(a, "socket-high"))
        return report(syscall(SYS_socket, (unsigned long)AF_UNIX | HIGH_BIT, SOCK_STREAM, 0));
    if (!strcmp(a, "io-uring"))       { char p[120] = { 0 }; return report(syscall(425, 1, p)); }
#if defined(__x86_64__)
    if (!strcmp(a, "int80"))          return int80_socketcall();
#endif
    if (!strcmp(a, "ptrace-traceme")) return report(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
    if (!strcmp(a, "ptrace-attach"))  return report(ptrace(PTRACE_ATTACH, atoi(arg), NULL, NULL));
    if (!strcmp(a, "process-vm")) {
        char buf[8];
        struct iovec l = { buf, sizeof(buf) }, r = { (void *)0x400000, sizeof(buf) };
        return report(process_vm_readv(atoi(arg), &l, 1, &r, 1, 0));
    }
    if (!strcmp(a, "proc-mem"))       { char p[64]; snprintf(p, sizeof(p), "/proc/%s/mem", arg);
                                        return report(open(p, O_RDWR | O_CLOEXEC)); }
    if (!strcmp(a, "keyctl"))         return report(syscall(SYS_keyctl, 0, -4, 0));
    if (!strcmp(a, "add-key"))        return report(syscall(SYS_add_key, "user", "srt", "x", 1, -4));
    if (!strcmp(a, "perf"))           { char at[128] = { 0 }; at[4] = (char)sizeof(at);
                                        return report(syscall(SYS_perf_event_open, at, 0, -1, -1, 0)); }
    if (!strcmp(a, "bpf"))            { char at[128] = { 0 }; return report(syscall(SYS_bpf, 0, at, sizeof(at))); }
    if (!strcmp(a, "userfaultfd"))    return report(syscall(SYS_userfaultfd, 0));
    if (!strcmp(a, "remount-root"))   return report(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
    if (!strcmp(a, "mount-tmpfs"))    return report(mount("none", arg, "tmpfs", 0, NULL));
    if (!strcmp(a, "umount"))         return report(umount2(arg, MNT_DETACH));
    if (!strcmp(a, "write"))          return write_file(arg);
    if (!strcmp(a, "open-write"))     return report(open(arg, O_WRONLY | O_CLOEXEC));
    if (!strcmp(a, "read"))           return read_file(arg);
    if (!strcmp(a, "sethostname"))    return report(sethostname(arg, strlen(arg)));
    if (!strcmp(a, "capeff"))         return cap_eff();
    if (!strcmp(a, "mknod"))          return report(mknod(arg, S_IFBLK | 0600, makedev(8, 0)));
    if (!strcmp(a, "proc-root"))      return proc_root(arg);
    if (!strcmp(a, "pids"))           return count_pids();
    if (!strcmp(a, "fds"))            return list_fds();
    if (!strcmp(a, "unshare-user"))   return report(unshare(CLONE_NEWUSER));
    if (!strcmp(a, "unshare-mnt"))    return report(unshare(CLONE_NEWNS));
    if (!strcmp(a, "clone3"))         { uint64_t ca[11] = { 0 }; long rc = syscall(SYS_clone3, ca, sizeof(ca));
                                        if (rc == 0) _exit(0);
                                        return report(rc); }
    if (!strcmp(a, "setns"))          return report(setns(open("/proc/self/ns/mnt", O_RDONLY), 0));
    if (!strcmp(a, "open-tree"))      return report(syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* CLONE */));
    if (!strcmp(a, "move-mount"))     return report(syscall(SYS_move_mount, AT_FDCWD, "/proc", AT_FDCWD, "/tmp", 0));
    if (!strcmp(a, "fsopen"))         return report(syscall(SYS_fsopen, "tmpfs", 0));
    if (!strcmp(a, "pivot-root"))     return report(syscall(SYS_pivot_root, "/", "/"));
    fprintf(stderr, "escape_probe: unknown attack %s\n", a);
    return 2;
}
