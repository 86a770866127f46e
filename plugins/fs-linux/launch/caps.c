/* caps.c - drop every capability before the weaker nested mode's command
 * runs (THREATS W3: srt may run as root in a container, where no user
 * namespace takes root's powers away). Ambient first (always allowed),
 * securebits and the bounding set while CAP_SETPCAP may still be effective,
 * then the three process sets, then a check that all of it happened. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_int.h"

/* Root keeps no special treatment across exec, and nothing can undo that. */
#define LAUNCH_SECUREBITS (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |                 \
                           SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | \
                           SECBIT_KEEP_CAPS_LOCKED |                                \
                           SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

static int launch_caps_bounding(struct launch_error *err)
{
    for (int cap = 0;; cap++) {
        int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in < 0)
            return 0;   /* EINVAL: past the last capability this kernel knows */
        if (in == 0 || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
            continue;
        /* Without CAP_SETPCAP the set cannot shrink; see launch_int.h. */
        if (errno == EPERM)
            return 0;
        return launch_fail(err, errno, "cannot drop capability %d from the bounding set: %s",
                           cap, strerror(errno));
    }
}

int launch_caps_drop(struct launch_error *err)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    int rc;

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return launch_fail(err, errno, "cannot clear ambient capabilities: %s", strerror(errno));
    /* Best effort: only a holder of CAP_SETPCAP may set them, and without it
     * the permitted set is about to be empty anyway. */
    if (prctl(PR_SET_SECUREBITS, LAUNCH_SECUREBITS, 0, 0, 0) < 0 && errno != EPERM)
        return launch_fail(err, errno, "cannot lock securebits: %s", strerror(errno));
    if ((rc = launch_caps_bounding(err)) < 0)
        return rc;
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0)
        return launch_fail(err, errno, "cannot clear capabilities: %s", strerror(errno));
    hdr.pid = 0;
    if (syscall(SYS_capget, &hdr, data) < 0)
        return launch_fail(err, errno, "cannot read capabilities: %s", strerror(errno));
    for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        if (data[i].effective || data[i].permitted || data[i].inheritable)
            return launch_fail(err, EPERM, "capabilities still held after dropping them");
    /* The ambient set is a subset of permitted: empty now as well. */
    return 0;
}
