/* escape_run.h - runs one command through the real chain
 *
 *   srt-linux-launch --outer --ctl-fd N [--userns] -- bwrap <sandbox args>
 *       -- srt-linux-launch --inner <inner args> -- command
 *
 * with the bwrap arguments DESIGN.md 5.1 requires, as root or as the
 * unprivileged test user, optionally on a fresh pty as controlling terminal. */
#ifndef ESCAPE_RUN_H
#define ESCAPE_RUN_H

#include <stdbool.h>
#include <sys/types.h>

struct esc_opts {
    uid_t              uid;          /* 0: root; else also gid = esc_gid */
    gid_t              gid;
    bool               sandbox;      /* false: run the command bare (controls) */
    int                pty_slave;    /* >= 0: stdin and controlling tty */
    const char *const *bwrap_extra;  /* NULL-terminated, inserted before "--" */
    const char *const *inner_extra;
};

struct esc_result {
    int  status;        /* wait status of the chain */
    bool listeners;     /* the outer stage handed over listeners */
    char out[1024];     /* stdout of the command */
};

/* Run argv (NULL-terminated) as described by *o. */
void esc_run(const struct esc_opts *o, const char *const *argv, struct esc_result *r);

#endif
