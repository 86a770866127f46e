/* escape_probe32.c - THREATS.md K6 from a real 32-bit binary: i386
 * socketcall(SYS_SOCKET, AF_UNIX). Built with -m32 when the toolchain can;
 * under the filter it must be killed before it prints anything. */
#include <linux/net.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    unsigned long args[3] = { AF_UNIX, SOCK_STREAM, 0 };
    long rc = syscall(SYS_socketcall, SYS_SOCKET, args);

    printf(rc >= 0 ? "ok\n" : "errno\n");
    return 0;
}
