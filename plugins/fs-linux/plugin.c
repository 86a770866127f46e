/* plugin.c - glue of the fs-linux enforcer (bubblewrap).
 *
 * The launch chain arrives with the Linux enforcement issue. Until then probe tells
 * the truth (this backend cannot sandbox here) and prepare is left NULL, so
 * the core refuses to run a command with it instead of running it bare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <srt/fs.h>

struct fsl_inst {
    const struct srt_host *host;
};

static int fsl_create(const struct srt_host *host, struct srt_handle *self,
                      const struct srt_config *cfg, void **inst, struct srt_error *err)
{
    (void)self;
    (void)cfg;
    struct fsl_inst *m = calloc(1, sizeof *m);
    if (!m) {
        host->fail(err, SRT_ENOMEM, "allocate fs-linux instance");
        return SRT_ENOMEM;
    }
    m->host = host;
    *inst = m;
    return SRT_OK;
}

static void fsl_destroy(void *inst)
{
    free(inst);
}

static int fsl_probe(void *inst, const struct srt_policy *policy, struct srt_probe *out,
                     struct srt_error *err)
{
    (void)inst;
    (void)policy;
    (void)err;
    int have = access("bwrap", X_OK) == 0;
    out->usable = 0;
    snprintf(out->mode, sizeof out->mode, "bwrap");
    snprintf(out->detail, sizeof out->detail, "%s\nmissing: profile generator (not implemented in this release)",
             have ? "ok: bwrap" : "missing: bwrap (install bubblewrap)");
    return SRT_OK;
}

static const struct srt_enforcer_ops fsl_ops = {
    .struct_size = sizeof(struct srt_enforcer_ops),
    .probe = fsl_probe,
};

static const struct srt_plugin_desc fsl_desc = {
    SRT_PLUGIN_DESC_INIT(SRT_KIND_ENFORCER),
    .name = "fs-linux",
    .version = SRT_PLUGIN_VERSION,
    .summary = "Linux backend: bubblewrap, Landlock, seccomp",
    .create = fsl_create,
    .destroy = fsl_destroy,
    .ops.enforcer = &fsl_ops,
};

SRT_PLUGIN_ENTRY(fs_linux) { return &fsl_desc; }
