/* seccomp_load.c - put the command's seccomp filter on the calling thread
 * (DESIGN.md 5.1). The programs were compiled from seccomp.c's rules when
 * srt was built (seccomp_gen.c -> seccomp_bpf.c), so a start spends no time
 * generating BPF and the helper does not link libseccomp. The load itself is
 * the one seccomp_load() makes: seccomp(2) with no flags. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_int.h"

int launch_seccomp_apply(unsigned flags, struct launch_error *err)
{
    const struct launch_sc_program *p = launch_seccomp_program(flags);
    struct sock_fprog prog;

    if (!p)
        return launch_fail(err, EINVAL, "cannot load seccomp filter: unknown flags %#x", flags);
    /* The kernel only reads the program; sock_fprog merely lacks the const. */
    prog.len = p->len;
    prog.filter = (struct sock_filter *)p->insns;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return launch_fail(err, errno, "cannot load seccomp filter: %s", strerror(errno));
    return 0;
}
