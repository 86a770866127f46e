/* test_probe.c - the machine checks as findings lines: a missing launcher
 * or bwrap makes the machine unusable with a fix, the forced weaker mode says
 * so, force_mode parsing, and the mode a policy gets. */
#include <string.h>

#include "cu_main.h"
#include "fsl_int.h"

/* Does the text hold `line` as a whole line? */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

static void test_probe_bwrap(void)
{
    struct srt_policy pol = { .struct_size = sizeof pol, .bwrap_path = "/nonexistent/bwrap" };
    struct fsl_probe_in in = { .policy = &pol, .launcher = "/nonexistent/launch",
                               .force = FSL_MODE_BWRAP };
    struct srt_probe out = { .struct_size = sizeof out, .usable = 7 };
    struct fsl_bwrap_caps caps = FSL_BWRAP_CAPS_UNKNOWN;
    memset(out.detail, 'x', sizeof out.detail - 1);
    fsl_probe_check(&in, &out, &caps);
    CU_ASSERT_STRING_EQUAL(out.mode, "bwrap");
    CU_ASSERT_EQUAL(out.usable, 0);
    CU_ASSERT(caps.disable_userns == -1 && caps.bind_fd == -1);   /* no bwrap was asked */
    CU_ASSERT(has_line(out.detail, "missing: bwrap at /nonexistent/bwrap (fix: apt install "
                                   "bubblewrap, or set bwrapPath)"));
    CU_ASSERT(has_line(out.detail, "missing: launcher /nonexistent/launch (fix: install "
                                   "srt-linux-launch or set the fs-linux option launcher)"));
    CU_ASSERT(strncmp(out.detail, "missing: bwrap", 14) == 0);   /* old text cleared */
    size_t len = strlen(out.detail);
    CU_ASSERT(len > 0 && out.detail[len - 1] != '\n');

    /* a present launcher and bwrap: the bwrap line says which options it knows */
    pol.bwrap_path = "/bin/true";
    in.launcher = "/bin/true";
    fsl_probe_check(&in, &out, &caps);
    CU_ASSERT(has_line(out.detail, "ok: launcher /bin/true"));
    CU_ASSERT(caps.disable_userns == 0 || caps.disable_userns == 1);
    CU_ASSERT(caps.bind_fd == 0 || caps.bind_fd == 1);
    CU_ASSERT(has_line(out.detail, caps.disable_userns ? "ok: bwrap /bin/true (--disable-userns)"
                                                  : "ok: bwrap /bin/true (no --disable-userns: "
                                                    "bwrap < 0.8)"));
    struct fsl_bwrap_caps again = FSL_BWRAP_CAPS_UNKNOWN;
    fsl_bwrap_caps_read("/bin/true", &again);
    CU_ASSERT(again.disable_userns == caps.disable_userns && again.bind_fd == caps.bind_fd);
    fsl_bwrap_caps_read("/nonexistent/bwrap", &again);
    CU_ASSERT(again.disable_userns == 0 && again.bind_fd == 0);
}

static void test_probe_weak(void)
{
    struct fsl_probe_in in = { .launcher = "/bin/true", .force = FSL_MODE_WEAK };
    struct srt_probe out = { .struct_size = sizeof out };
    struct fsl_bwrap_caps caps = FSL_BWRAP_CAPS_UNKNOWN;
    fsl_probe_check(&in, &out, &caps);
    CU_ASSERT_STRING_EQUAL(out.mode, "weaker-nested");
    CU_ASSERT(strstr(out.detail, "degraded: weaker nested mode (forced by force_mode): ") ==
              out.detail);
    CU_ASSERT(strstr(out.detail, "landlock ABI") != NULL);
    CU_ASSERT(strstr(out.detail, "bwrap") == NULL);      /* not checked in this mode */
    CU_ASSERT(has_line(out.detail, "ok: launcher /bin/true"));
    CU_ASSERT(caps.disable_userns == -1 && caps.bind_fd == -1);
}

static void test_mode(void)
{
    enum fsl_mode m = FSL_MODE_AUTO;
    char err[FSL_ERRMAX] = "";
    CU_ASSERT(fsl_mode_parse("weaker-nested", &m, err, sizeof err) == SRT_OK && m == FSL_MODE_WEAK);
    CU_ASSERT(fsl_mode_parse("bwrap", &m, err, sizeof err) == SRT_OK && m == FSL_MODE_BWRAP);
    CU_ASSERT(fsl_mode_parse("weak", &m, err, sizeof err) == SRT_EINVAL && m == FSL_MODE_BWRAP);
    CU_ASSERT_STRING_EQUAL(err, "fs-linux option force_mode: expected \"bwrap\" or "
                                "\"weaker-nested\", got \"weak\"");

    struct srt_policy pol = { .struct_size = sizeof pol, .flags = SRT_POL_WEAKER_NESTED };
    CU_ASSERT_EQUAL(fsl_mode_for(FSL_MODE_BWRAP, &pol), FSL_MODE_BWRAP);
    CU_ASSERT_EQUAL(fsl_mode_for(FSL_MODE_WEAK, NULL), FSL_MODE_WEAK);
    /* unforced: namespaces win whenever the machine allows them */
    bool userns = fsl_userns_allowed();
    CU_ASSERT_EQUAL(fsl_mode_for(FSL_MODE_AUTO, &pol), userns ? FSL_MODE_BWRAP : FSL_MODE_WEAK);
    pol.flags = 0;
    CU_ASSERT_EQUAL(fsl_mode_for(FSL_MODE_AUTO, &pol), FSL_MODE_BWRAP);
    CU_ASSERT_EQUAL(fsl_mode_for(FSL_MODE_AUTO, NULL), FSL_MODE_BWRAP);
}

void fsl_test_probe(void);
void fsl_test_probe(void)
{
    CU_pSuite s = CU_add_suite("fs-linux probe", NULL, NULL);
    CU_add_test(s, "bwrap mode findings", test_probe_bwrap);
    CU_add_test(s, "forced weaker nested mode findings", test_probe_weak);
    CU_add_test(s, "force_mode and the mode of a run", test_mode);
}
