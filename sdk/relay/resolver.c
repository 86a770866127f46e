/* resolver.c - the relay's worker pool: for each dial it asks the host for
 * the policy decision, and only after an allow resolves the canonical host
 * once (getaddrinfo, or the test hook) and vets every address with
 * host->net_vet. Finished jobs go back to the loop through the wake-up
 * eventfd. Nothing here touches a connection: only its job. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "relay_int.h"

static srt_relay_resolve_fn relay_resolver;

void srt_relay_set_resolver(srt_relay_resolve_fn fn)
{
    __atomic_store_n(&relay_resolver, fn, __ATOMIC_RELEASE);
}

static int relay_getaddrinfo(const char *host, uint16_t port, struct srt_relay_addr *out,
                             size_t max)
{
    char serv[8];
    snprintf(serv, sizeof serv, "%u", port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV,
    };
    struct addrinfo *res;
    if (getaddrinfo(host, serv, &hints, &res) != 0)
        return -1;
    size_t n = 0;
    for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            out[n].family = 4;
            memcpy(out[n].bytes, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
            n++;
        } else if (ai->ai_family == AF_INET6) {
            out[n].family = 6;
            memcpy(out[n].bytes, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
            n++;
        }
    }
    freeaddrinfo(res);
    return (int)n;
}

/* An IP literal needs no lookup: the canonical host is the address. */
static bool relay_literal(const char *host, struct srt_relay_addr *out)
{
    if (inet_pton(AF_INET, host, out->bytes) == 1) {
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, host, out->bytes) == 1) {
        out->family = 6;
        return true;
    }
    return false;
}

static void relay_job_run(struct srt_relay *r, struct relay_job *job)
{
    struct srt_net_verdict *v = &job->verdict;
    v->struct_size = sizeof *v;
    if (job->fixed) {
        /* srt_relay_dial_fixed: the operator's loopback port, not a decision. */
        v->allow = 1;
        v->literal = 1;
        v->port = job->port;
        snprintf(v->host, sizeof v->host, "%s", job->host);
        relay_literal(job->host, &job->addrs[0]);
        job->n_addrs = 1;
        job->how = SRT_RELAY_DIAL_OK;
        return;
    }
    if (r->host->net_decide(r->self, job->session, job->host, job->port, v) != SRT_OK) {
        v->allow = 0;
        snprintf(v->reason, sizeof v->reason, "policy decision failed");
    }
    if (!v->allow) {
        job->how = SRT_RELAY_DIAL_DENIED;
        return;
    }
    v->host[sizeof v->host - 1] = '\0';
    if (job->keep_host && job->keep_port == job->port && strcmp(job->keep_host, v->host) == 0) {
        /* Decided again to the authority the kept connection was vetted
         * for: it serves this request without a new lookup. */
        job->reuse = true;
        job->how = SRT_RELAY_DIAL_OK;
        return;
    }

    struct srt_relay_addr found[RELAY_MAX_ADDRS];
    int n;
    if (relay_literal(v->host, &found[0])) {
        n = 1;
    } else {
        srt_relay_resolve_fn hook = __atomic_load_n(&relay_resolver, __ATOMIC_ACQUIRE);
        n = hook ? hook(v->host, found, RELAY_MAX_ADDRS)
                 : relay_getaddrinfo(v->host, job->port, found, RELAY_MAX_ADDRS);
        if (n > RELAY_MAX_ADDRS)
            n = RELAY_MAX_ADDRS;
    }
    if (n <= 0) {
        job->how = SRT_RELAY_DIAL_NORESOLVE;
        snprintf(v->reason, sizeof v->reason, "cannot resolve %.200s", v->host);
        return;
    }

    struct srt_net_verdict refused = { .struct_size = 0 };
    for (int i = 0; i < n; i++) {
        struct srt_net_verdict try = *v;
        int rc = r->host->net_vet(r->self, job->session, &try, found[i].family, found[i].bytes);
        if (rc == SRT_OK && try.allow) {
            job->addrs[job->n_addrs++] = found[i];
        } else if (!refused.struct_size) {
            refused = try;
            refused.allow = 0;
            if (rc != SRT_OK || !refused.reason[0])
                snprintf(refused.reason, sizeof refused.reason, "resolved address refused");
        }
    }
    if (job->n_addrs == 0) {
        job->how = SRT_RELAY_DIAL_GUARD;
        *v = refused;
        return;
    }
    job->how = SRT_RELAY_DIAL_OK;
}

static void *relay_pool_main(void *arg)
{
    struct srt_relay *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        r->n_idle++;
        while (!r->quit && !r->todo)
            pthread_cond_wait(&r->pool_cond, &r->lock);
        r->n_idle--;
        if (r->quit)
            break;
        struct relay_job *job = r->todo;
        r->n_todo--;
        r->todo = job->next;
        if (!r->todo)
            r->todo_tail = NULL;
        if (!job->cancel) {
            job->next = r->busy;
            r->busy = job;
            pthread_mutex_unlock(&r->lock);
            relay_job_run(r, job);
            pthread_mutex_lock(&r->lock);
            struct relay_job **bp = &r->busy;
            while (*bp != job)
                bp = &(*bp)->next;
            *bp = job->next;
            pthread_cond_broadcast(&r->cond);   /* relay_pool_wait_session */
        }
        job->next = r->done;
        r->done = job;
        relay_wake(r);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* The threads themselves start with the first jobs (relay_pool_grow): most
 * sandboxes never dial, and a run should not pay for threads it never uses,
 * at start or at exit. */
int relay_pool_start(struct srt_relay *r)
{
    pthread_cond_init(&r->pool_cond, NULL);
    r->pool = calloc((size_t)r->lim.resolvers, sizeof *r->pool);
    if (!r->pool) {
        pthread_cond_destroy(&r->pool_cond);
        return SRT_ENOMEM;
    }
    return SRT_OK;
}

/* Under lock: one more thread while queued jobs outnumber idle threads and
 * the limit allows. false only when no thread exists to take the job. */
static bool relay_pool_grow(struct srt_relay *r)
{
    if (r->n_todo <= r->n_idle || r->n_pool >= (size_t)r->lim.resolvers)
        return true;
    if (pthread_create(&r->pool[r->n_pool], NULL, relay_pool_main, r) == 0)
        r->n_pool++;
    return r->n_pool > 0;
}

static void relay_pool_drop(struct relay_job *list)
{
    while (list) {
        struct relay_job *nx = list->next;
        struct srt_relay_conn *c = list->conn;
        /* The loop has stopped, so every connection is closed and only
         * waits for its job to come back before it is freed. */
        c->resolving = false;
        c->pending = NULL;
        if (!c->in_grave)
            free(c);
        relay_job_free(list);
        list = nx;
    }
}

void relay_pool_stop(struct srt_relay *r)
{
    pthread_mutex_lock(&r->lock);
    r->quit = true;
    pthread_cond_broadcast(&r->pool_cond);
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < r->n_pool; i++)
        pthread_join(r->pool[i], NULL);
    free(r->pool);
    r->pool = NULL;
    r->n_pool = 0;
    relay_pool_drop(r->todo);
    relay_pool_drop(r->done);
    r->todo = r->todo_tail = r->done = NULL;
    r->n_todo = r->n_idle = 0;
    pthread_cond_destroy(&r->pool_cond);
}

void relay_pool_submit(struct srt_relay *r, struct relay_job *job)
{
    pthread_mutex_lock(&r->lock);
    job->next = NULL;
    if (r->todo_tail)
        r->todo_tail->next = job;
    else
        r->todo = job;
    r->todo_tail = job;
    r->n_todo++;
    if (!relay_pool_grow(r)) {
        /* No thread to resolve with: the job comes back refused at once
         * rather than waiting for the handshake timeout. */
        r->todo = r->todo_tail = NULL;
        r->n_todo = 0;
        job->how = SRT_RELAY_DIAL_NORESOLVE;
        snprintf(job->verdict.reason, sizeof job->verdict.reason, "no resolver thread");
        job->next = r->done;
        r->done = job;
        relay_wake(r);
    }
    pthread_cond_signal(&r->pool_cond);
    pthread_mutex_unlock(&r->lock);
}

struct relay_job *relay_pool_take_done(struct srt_relay *r)
{
    pthread_mutex_lock(&r->lock);
    struct relay_job *job = r->done;
    if (job)
        r->done = job->next;
    pthread_mutex_unlock(&r->lock);
    return job;
}

void relay_pool_wait_session(struct srt_relay *r, const struct srt_session *s)
{
    pthread_mutex_lock(&r->lock);
    for (;;) {
        bool busy = false;
        for (struct relay_job *j = r->busy; j && !busy; j = j->next)
            busy = j->session == s;
        if (!busy)
            break;
        pthread_cond_wait(&r->cond, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);
}
