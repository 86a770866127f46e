/* plugin.c - glue of the fs-macos enforcer (Seatbelt via sandbox-exec).
 *
 * The profile generator arrives with the macOS issue. Until then probe tells
 * the truth (this backend cannot sandbox here) and prepare is left NULL, so
 * the core refuses to run a command with it instead of running it bare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <srt/fs.h>

struct fsm_inst {
    const struct srt_host *host;
};

static int fsm_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    (void)self;
    (void)cfg;
    struct fsm_inst *m = calloc(1, sizeof *m);
    if (!m) {
        host->fail(err, SRT_ENOMEM, "allocate fs-macos instance");
        return SRT_ENOMEM;
    }
    m->host = host;
    *inst = m;
    return SRT_OK;
}

static void fsm_destroy(void *inst)
{
    free(inst);
}

static int fsm_probe(void *inst, const struct srt_policy *policy, struct srt_probe *out,
                     struct srt_error *err)
{
    (void)inst;
    (void)policy;
    (void)err;
    int have = access("/usr/bin/sandbox-exec", X_OK) == 0;
    out->usable = 0;
    snprintf(out->mode, sizeof out->mode, "sandbox-exec");
    snprintf(out->detail, sizeof out->detail, "%s\nmissing: profile generator (not implemented in this release)",
             have ? "ok: /usr/bin/sandbox-exec" : "missing: /usr/bin/sandbox-exec (macOS only)");
    return SRT_OK;
}

static const struct srt_enforcer_ops fsm_ops = {
    .struct_size = sizeof(struct srt_enforcer_ops),
    .probe = fsm_probe,
};

static const struct srt_plugin_desc fsm_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_ENFORCER),
    .name = "fs-macos",
    .version = SRT_PLUGIN_VERSION,
    .summary = "macOS Seatbelt backend (sandbox-exec)",
    .create = fsm_create,
    .destroy = fsm_destroy,
    .ops.enforcer = &fsm_ops,
};

SRT_PLUGIN_ENTRY(fs_macos) { return &fsm_desc; }
