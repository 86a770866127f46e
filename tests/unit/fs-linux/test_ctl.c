/* test_ctl.c - fsl_ctl_recv: the outer stage's listener message (fsl_proto.h)
 * taken apart directly, good and broken, with the sender simulated on a
 * socket pair. A refused message leaves no received descriptor open. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsl_proto.h"
#include "fsl_test.h"

/* Open descriptors of this process. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static struct fsl_ctl_msg good_msg(int n)
{
    struct fsl_ctl_msg msg = { .magic = FSL_CTL_MAGIC, .version = FSL_CTL_VERSION,
                               .n_listeners = (uint16_t)n };
    for (int i = 0; i < n; i++) {
        msg.listener[i].slot = n - 1 - i;
        msg.listener[i].proto = (uint32_t)(10 + i);
    }
    return msg;
}

/* Send, receive with room for `max`, return the code; err gets the reason. */
static int ctl_roundtrip(const struct fsl_ctl_msg *msg, size_t len, int nfds, size_t max,
                         struct srt_listener *out, size_t *n, char *err, size_t errlen)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    if (msg)
        CU_ASSERT(ft_send_ctl(sv[1], msg, len, nfds));
    close(sv[1]);
    err[0] = '\0';
    int r = fsl_ctl_recv(sv[0], 1000, out, max, n, err, errlen);
    close(sv[0]);
    return r;
}

static void test_ctl_good(void)
{
    struct fsl_ctl_msg msg = good_msg(3);
    struct srt_listener out[4];
    size_t n = 99;
    char err[FSL_ERRMAX];
    int before = open_fds();
    CU_ASSERT_FATAL(ctl_roundtrip(&msg, sizeof msg, 3, 4, out, &n, err, sizeof err) == SRT_OK);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(open_fds(), before + 3);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(out[i].proto, 10 + i);
        for (size_t j = 0; j < i; j++)
            CU_ASSERT(out[i].fd != out[j].fd);
        close(out[i].fd);
    }
}

/* Each broken message is refused with its reason and leaves nothing open. */
static void expect_refused(const struct fsl_ctl_msg *msg, size_t len, int nfds, size_t max,
                           const char *want)
{
    struct srt_listener out[4];
    size_t n = 99;
    char err[FSL_ERRMAX];
    int before = open_fds();
    CU_ASSERT(ctl_roundtrip(msg, len, nfds, max, out, &n, err, sizeof err) == SRT_EBACKEND);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(open_fds(), before);
    if (!strstr(err, want))
        fprintf(stderr, "\n  want \"%s\" in \"%s\"\n", want, err);
    CU_ASSERT(strstr(err, want) != NULL);
}

static void test_ctl_refused(void)
{
    struct fsl_ctl_msg msg = good_msg(2);
    expect_refused(&msg, 8, 2, 4, "srt-linux-launch: malformed message");   /* short */
    msg.magic = 0x12345678u;
    expect_refused(&msg, sizeof msg, 2, 4, "malformed message");
    msg = good_msg(2);
    msg.version = FSL_CTL_VERSION + 1;
    expect_refused(&msg, sizeof msg, 2, 4, "malformed message");
    expect_refused(NULL, 0, 0, 4, "it exited before sending them");

    msg = good_msg(0);
    msg.status = 19;    /* ENODEV */
    snprintf(msg.error, sizeof msg.error, "bring up lo");
    char want[200];
    snprintf(want, sizeof want, "srt-linux-launch: bring up lo: %s", strerror(19));
    expect_refused(&msg, sizeof msg, 0, 4, want);
    memset(msg.error, 'x', sizeof msg.error);    /* unterminated reason: cut, not overrun */
    expect_refused(&msg, sizeof msg, 0, 4, "srt-linux-launch: xxx");

    msg = good_msg(2);
    expect_refused(&msg, sizeof msg, 1, 4, "receive listeners: 2 announced, 1 received, room for 4");
    expect_refused(&msg, sizeof msg, 2, 1, "2 announced, 2 received, room for 1");
    msg.listener[1].slot = 5;
    expect_refused(&msg, sizeof msg, 2, 4, "receive listeners: bad slot 5");
    msg.listener[1].slot = -1;
    expect_refused(&msg, sizeof msg, 2, 4, "bad slot -1");
}

static void test_ctl_timeout(void)
{
    int sv[2];
    struct srt_listener out[4];
    size_t n = 99;
    char err[FSL_ERRMAX];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    CU_ASSERT(fsl_ctl_recv(sv[0], 50, out, 4, &n, err, sizeof err) == SRT_EBACKEND);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT(strstr(err, "receive listeners from srt-linux-launch: timed out") != NULL);
    close(sv[0]);
    close(sv[1]);
}

void fsl_test_ctl(void);
void fsl_test_ctl(void)
{
    CU_pSuite s = CU_add_suite("fs-linux control message", NULL, NULL);
    CU_add_test(s, "listeners in slot order", test_ctl_good);
    CU_add_test(s, "short, foreign, failed and inconsistent messages refused", test_ctl_refused);
    CU_add_test(s, "silent outer stage times out", test_ctl_timeout);
}
