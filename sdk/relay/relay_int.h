/* relay_int.h - the relay's internal structures, shared by its files:
 * loop.c (thread, epoll, listeners, timers), conn.c (buffers and the pump),
 * tunnel.c (splice relay), dial.c (decide, resolve, vet, connect) and
 * resolver.c (the thread pool). Everything here belongs to the loop thread
 * unless a comment says otherwise. */
#ifndef SRT_RELAY_INT_H
#define SRT_RELAY_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srt_relay.h"

#define RELAY_MAX_ADDRS 8

/* What an epoll event's data.ptr points at: the first member of each. */
enum relay_tag_kind { RELAY_TAG_WAKE = 1, RELAY_TAG_LISTENER, RELAY_TAG_END };

struct relay_tag {
    enum relay_tag_kind kind;
};

/* A byte queue with a hard cap, allocated on first use. */
struct relay_buf {
    char  *data;
    size_t len;
    size_t cap;
    size_t max;
};

struct relay_listener {
    struct relay_tag          tag;
    int                       fd;
    const struct srt_session *session;
    uint16_t                  forward_port;  /* srt_relay_attach_forward, else 0 */
    struct relay_listener    *next;
};

/* One socket of a connection and its readiness as last reported. */
struct relay_end {
    struct relay_tag       tag;
    struct srt_relay_conn *conn;
    int                    fd;        /* -1 when absent or closed */
    bool                   readable;  /* EPOLLIN seen and not yet drained to EAGAIN */
    bool                   writable;  /* EPOLLOUT seen and no EAGAIN since */
    bool                   eof;       /* read returned 0 (or the socket failed) */
    bool                   shut;      /* SHUT_WR done towards this end */
    struct relay_buf       in;        /* received, not consumed */
    struct relay_buf       out;       /* queued for writing */
};

/* One direction of a tunnel: src end -> pipe -> dst end. */
struct relay_pipe {
    int    fds[2];   /* -1 when using read/write instead of splice */
    size_t held;     /* bytes sitting in the pipe */
    size_t size;     /* its capacity (F_GETPIPE_SZ) */
    size_t moved;    /* bytes through it before it grew */
    bool   grown;    /* already asked to grow to RELAY_PIPE_BIG */
    bool   big;      /* grown, and counted in srt_relay.n_big_pipes */
    bool   done;     /* src hit EOF and dst was shut */
};

/* A pass (srt_relay_pass) from one side, indexed by enum srt_relay_side;
 * it uses the pipe of the same index. */
struct relay_pass {
    uint64_t left;   /* bytes still to read from the side; after an early
                      * EOF, those that never came */
    bool     on;
};

enum relay_state {
    RELAY_PROTO,      /* the protocol drives: handshake or request forwarding */
    RELAY_TUNNEL,     /* bytes flow both ways without the protocol */
};

/* A resolver job: filled on the loop, completed on a pool thread. */
struct relay_job {
    struct srt_relay_conn    *conn;
    const struct srt_session *session;
    char                     *host;      /* as asked by the client, never truncated */
    bool                      cancel;    /* under lock: the conn closed, skip the work */
    bool                      fixed;     /* srt_relay_dial_fixed: no decision */
    char                     *keep_host; /* the connected upstream's authority, when */
    uint16_t                  keep_port; /* it may serve this dial too; NULL: none */
    bool                      reuse;     /* result: decided to that same authority */
    uint16_t               port;
    enum srt_relay_dial    how;          /* result */
    struct srt_net_verdict verdict;      /* result */
    struct srt_relay_addr  addrs[RELAY_MAX_ADDRS];
    size_t                 n_addrs;
    struct relay_job      *next;
};

struct srt_relay_conn {
    struct srt_relay         *relay;
    const struct srt_session *session;
    void                     *data;
    uint16_t                  forward;     /* relayed to 127.0.0.1:forward, no protocol */
    char                     *up_host;     /* canonical host the upstream was dialed for */
    uint16_t                  up_port;
    struct relay_end          client;
    struct relay_end          up;
    enum relay_state          state;
    struct relay_pipe         pipes[2];    /* [0] client->up, [1] up->client */
    struct relay_pass         pass[2];     /* [0] from the client, [1] from upstream */
    int64_t                   head_deadline;  /* ms, 0 = none */
    int64_t                   dial_deadline;  /* ms, 0 = none */
    int64_t                   last_active;    /* ms */
    bool                      dialing;     /* a job or a connect is pending */
    bool                      resolving;   /* a job holds this conn */
    bool                      closing;     /* finish asked: close when client out drained */
    bool                      drop_up;     /* close upstream when its out drained */
    bool                      dead;        /* closed; freed when no job holds it */
    bool                      in_grave;    /* on the relay's graveyard list */
    bool                      kick;        /* pump again from the sweep */
    struct relay_job         *pending;     /* the job the pool holds, while resolving */
    struct relay_job         *job;         /* addresses left to try while connecting */
    size_t                    next_addr;
    struct srt_relay_conn    *prev, *next; /* the relay's live list */
    struct srt_relay_conn    *grave;       /* the relay's to-free list */
};

/* Commands from the main thread to the loop. */
enum relay_cmd_kind { RELAY_CMD_ATTACH = 1, RELAY_CMD_DETACH, RELAY_CMD_STOP };

struct srt_relay {
    const struct srt_host        *host;
    struct srt_handle            *self;
    char                          name[32];
    struct srt_relay_limits       lim;
    const struct srt_relay_proto *proto;
    void                         *ctx;

    int                           epfd;
    struct relay_tag              wake_tag;
    int                           wakefd;     /* eventfd: commands and resolver results */
    pthread_t                     thread;
    bool                          running;    /* loop and resolver threads started */
    bool                          stopped;    /* srt_relay_stop was called */

    struct relay_listener        *listeners;
    struct srt_relay_conn        *conns;      /* live connections */
    struct srt_relay_conn        *graveyard;  /* closed this round, freed after it */
    size_t                        n_conns;
    size_t                        n_big_pipes;  /* tunnel.c: pipes grown past the default */
    int64_t                       next_sweep;

    /* Guarded by lock: the command slot and the resolver queues. */
    pthread_mutex_t               lock;
    pthread_cond_t                cond;
    enum relay_cmd_kind           cmd;        /* 0 = none */
    struct relay_listener        *cmd_listener;
    const struct srt_session     *cmd_session;
    bool                          cmd_done;
    struct relay_job             *todo, *todo_tail;
    struct relay_job             *done;
    struct relay_job             *busy;       /* being worked on by a pool thread */
    pthread_cond_t                pool_cond;  /* todo got a job, or quit */
    bool                          quit;       /* resolver threads exit */
    pthread_t                    *pool;       /* up to lim.resolvers, started on demand */
    size_t                        n_pool;
    size_t                        n_todo;     /* jobs queued in todo */
    size_t                        n_idle;     /* pool threads waiting for a job */
};

/* loop.c */
int64_t relay_now_ms(void);
void    relay_wake(struct srt_relay *r);
void    relay_arm(struct srt_relay *r, int64_t deadline);

/* conn.c */
struct srt_relay_conn *relay_conn_new(struct srt_relay *r, int fd,
                                      const struct srt_session *s, uint16_t forward);
void relay_conn_event(struct relay_end *e, uint32_t events);
void relay_conn_pump(struct srt_relay_conn *c);
void relay_conn_close(struct srt_relay_conn *c);
void relay_kick(struct srt_relay_conn *c);
void relay_conn_reap(struct srt_relay *r);
void relay_conn_sweep(struct srt_relay_conn *c, int64_t now, int64_t *next);
bool relay_buf_put(struct relay_buf *b, const void *p, size_t n);
void relay_buf_drop(struct relay_buf *b, size_t n);
void relay_buf_free(struct relay_buf *b);
bool relay_end_flush(struct relay_end *e, bool *progress);
void relay_up_close(struct srt_relay_conn *c);
void relay_nodelay(int fd);

/* tunnel.c */
void relay_pipe_open(struct relay_pipe *p);
void relay_tunnel_start(struct srt_relay_conn *c);
bool relay_tunnel_pump(struct srt_relay_conn *c);
void relay_tunnel_close(struct srt_relay_conn *c);
bool relay_pass_pump(struct srt_relay_conn *c, enum srt_relay_side side, bool *progress);
void relay_pass_reset(struct srt_relay_conn *c);

/* dial.c */
void relay_dial_result(struct relay_job *job);
void relay_dial_connected(struct srt_relay_conn *c);
void relay_dial_timeout(struct srt_relay_conn *c);
void relay_job_free(struct relay_job *job);

/* resolver.c */
int  relay_pool_start(struct srt_relay *r);
void relay_pool_stop(struct srt_relay *r);
void relay_pool_submit(struct srt_relay *r, struct relay_job *job);
struct relay_job *relay_pool_take_done(struct srt_relay *r);
void relay_pool_wait_session(struct srt_relay *r, const struct srt_session *s);

#endif
