/* proxyenv_int.h - the environment that points programs in the sandbox at
 * srt's proxies (REFERENCE.md 6.10, DESIGN.md 3.5).
 *
 * Programs that honour the usual proxy variables reach the network through
 * the proxies; everything else has no route out. Caller-supplied values of
 * these variables are replaced, never merged. */
#ifndef SRT_PROXYENV_INT_H
#define SRT_PROXYENV_INT_H

#include <srt/error.h>

struct srt_proxyenv {
    int         http_port;     /* HTTP proxy port inside the sandbox, 0: none */
    int         socks_port;    /* SOCKS5 proxy port inside the sandbox, 0: none */
    const char *connect_tool;  /* srt-connect for GIT_SSH_COMMAND, or NULL */
};

/* A new NULL-terminated environment: `envp` without any variable this module
 * sets, followed by the proxy variables for `pe`. Free with srt_proxyenv_free. */
int  srt_proxyenv_build(const struct srt_proxyenv *pe, char *const *envp, char ***out,
                        struct srt_error *err);
void srt_proxyenv_free(char **env);

#endif
