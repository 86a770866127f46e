/* seccomp_build.h - the command's seccomp filter built from its rules with
 * libseccomp (seccomp.c). Only the build-time generator (seccomp_gen.c) and
 * the tests use it: srt-linux-launch itself loads the programs they
 * precompiled (seccomp_load.c) and does not link libseccomp. */
#ifndef LAUNCH_SECCOMP_BUILD_H
#define LAUNCH_SECCOMP_BUILD_H

#include <stddef.h>

#include <linux/filter.h>
#include <seccomp.h>

#include "launch_int.h"

/* Build (not load) the filter for `flags` (LAUNCH_SC_*). Returns a new
 * context the caller frees with seccomp_release(), or NULL with *err filled. */
scmp_filter_ctx launch_seccomp_build(unsigned flags, struct launch_error *err);

/* Build the filter for `flags` and export its BPF program (the bytes
 * seccomp_load() would hand the kernel) into a malloc'd array the caller
 * frees; 0 or a negative errno with *err filled. */
int launch_seccomp_export(unsigned flags, struct sock_filter **insns, size_t *len,
                          struct launch_error *err);

/* The create guard's filter (guard.c): the calls that make new names go to
 * the watcher (SCMP_ACT_NOTIFY), open and openat only with O_CREAT. Built and
 * exported like the above. */
scmp_filter_ctx launch_seccomp_build_guard(struct launch_error *err);
int launch_seccomp_export_guard(struct sock_filter **insns, size_t *len, struct launch_error *err);

#endif /* LAUNCH_SECCOMP_BUILD_H */
