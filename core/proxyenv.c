/* proxyenv.c - proxy variables for the sandbox (see proxyenv_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_int.h"
#include "proxyenv_int.h"

#define PROXYENV_NO_PROXY \
    "localhost,127.0.0.1,::1,169.254.0.0/16,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"

/* Every variable srt may set; a caller's own value for any of them is dropped
 * so a stale or hostile setting cannot route around the proxies. */
static const char *const proxyenv_names[] = {
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
    "GRPC_PROXY", "grpc_proxy", "DOCKER_HTTP_PROXY", "DOCKER_HTTPS_PROXY",
    "FTP_PROXY", "ftp_proxy", "RSYNC_PROXY", "NO_PROXY", "no_proxy",
    "GIT_CONFIG_PARAMETERS", "GIT_SSH_COMMAND", "CLOUDSDK_PROXY_TYPE",
    "CLOUDSDK_PROXY_ADDRESS", "CLOUDSDK_PROXY_PORT", NULL,
};

static int proxyenv_is_ours(const char *entry)
{
    for (size_t i = 0; proxyenv_names[i]; i++) {
        size_t n = strlen(proxyenv_names[i]);
        if (strncmp(entry, proxyenv_names[i], n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

struct proxyenv_vec {
    char  **v;
    size_t  n, cap;
};

static int proxyenv_add(struct proxyenv_vec *vec, char *s)
{
    if (!s)
        return SRT_ENOMEM;
    if (vec->n + 2 > vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        char **v = realloc(vec->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return SRT_ENOMEM;
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = s;
    vec->v[vec->n] = NULL;
    return SRT_OK;
}

static int proxyenv_addf(struct proxyenv_vec *vec, const char *fmt, ...) SRT_PRINTF(2, 3);
static int proxyenv_addf(struct proxyenv_vec *vec, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return proxyenv_add(vec, n < 0 ? NULL : s);
}

static int proxyenv_http(struct proxyenv_vec *vec, int port, const char *tool)
{
    static const char *const names[] = {
        "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
        "GRPC_PROXY", "grpc_proxy", "DOCKER_HTTP_PROXY", "DOCKER_HTTPS_PROXY", NULL,
    };
    int rc = SRT_OK;
    for (size_t i = 0; names[i] && rc == SRT_OK; i++)
        rc = proxyenv_addf(vec, "%s=http://localhost:%d", names[i], port);
    if (rc == SRT_OK)
        rc = proxyenv_add(vec, strdup("GIT_CONFIG_PARAMETERS='http.proxyAuthMethod=basic'"));
    if (rc == SRT_OK)
        rc = proxyenv_add(vec, strdup("CLOUDSDK_PROXY_TYPE=http"));
    if (rc == SRT_OK)
        rc = proxyenv_add(vec, strdup("CLOUDSDK_PROXY_ADDRESS=localhost"));
    if (rc == SRT_OK)
        rc = proxyenv_addf(vec, "CLOUDSDK_PROXY_PORT=%d", port);
    if (rc == SRT_OK && tool)
        rc = proxyenv_addf(vec,
                           "GIT_SSH_COMMAND=ssh -o ControlMaster=no -o ControlPath=none "
                           "-o 'ProxyCommand=%s localhost %d %%h %%p'", tool, port);
    return rc;
}

int srt_proxyenv_build(const struct srt_proxyenv *pe, char *const *envp, char ***out,
                       struct srt_error *err)
{
    struct proxyenv_vec vec = { 0 };
    int rc = SRT_OK;
    for (size_t i = 0; envp && envp[i] && rc == SRT_OK; i++)
        if (!proxyenv_is_ours(envp[i]))
            rc = proxyenv_add(&vec, strdup(envp[i]));
    if (rc == SRT_OK && pe->http_port)
        rc = proxyenv_http(&vec, pe->http_port, pe->connect_tool);
    if (rc == SRT_OK && pe->socks_port) {
        rc = proxyenv_addf(&vec, "FTP_PROXY=socks5h://localhost:%d", pe->socks_port);
        if (rc == SRT_OK)
            rc = proxyenv_addf(&vec, "ftp_proxy=socks5h://localhost:%d", pe->socks_port);
        if (rc == SRT_OK)
            rc = proxyenv_addf(&vec, "RSYNC_PROXY=localhost:%d", pe->socks_port);
        /* gRPC falls back to SOCKS only when there is no HTTP proxy. */
        if (rc == SRT_OK && !pe->http_port) {
            rc = proxyenv_addf(&vec, "GRPC_PROXY=socks5h://localhost:%d", pe->socks_port);
            if (rc == SRT_OK)
                rc = proxyenv_addf(&vec, "grpc_proxy=socks5h://localhost:%d", pe->socks_port);
            if (rc == SRT_OK)
                rc = proxyenv_addf(&vec, "ALL_PROXY=socks5h://localhost:%d", pe->socks_port);
            if (rc == SRT_OK)
                rc = proxyenv_addf(&vec, "all_proxy=socks5h://localhost:%d", pe->socks_port);
        }
    }
    if (rc == SRT_OK && (pe->http_port || pe->socks_port)) {
        rc = proxyenv_add(&vec, strdup("NO_PROXY=" PROXYENV_NO_PROXY));
        if (rc == SRT_OK)
            rc = proxyenv_add(&vec, strdup("no_proxy=" PROXYENV_NO_PROXY));
    }
    if (rc == SRT_OK && !vec.v && !(vec.v = calloc(1, sizeof *vec.v)))
        rc = SRT_ENOMEM;   /* an empty environment is still an array */
    if (rc != SRT_OK) {
        srt_proxyenv_free(vec.v);
        return srt_error_set(err, SRT_ENOMEM, "build the sandbox environment: out of memory");
    }
    *out = vec.v;
    return SRT_OK;
}

void srt_proxyenv_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}
