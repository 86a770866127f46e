/* test_template.c - the SDK template monitor, loaded through the registry
 * like any third-party plugin: it must receive exactly the events in its mask,
 * read its config, and load, unload and load again. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <srt/monitor.h>

#include "cu_main.h"
#include "deploy_int.h"
#include "log_int.h"
#include "registry_int.h"

static char tpl_log[4096];

/* Load the template, emit one event of every kind (fs.write and net.connect
 * twice), flush, unload; the flush line lands in tpl_log. */
static void run_template(const struct srt_config *cfg)
{
    struct srt_registry *reg = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_registry_new(getuid(), &reg, &err), SRT_OK);
    struct srt_plugin *p = NULL;
    int rc = srt_registry_load_path(reg, SRT_TEMPLATE_PATH, SRT_KIND_MONITOR, cfg, &p, &err);
    if (rc != SRT_OK)
        fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, SRT_OK);
    const struct srt_plugin_desc *d = srt_loader_desc(p);
    CU_ASSERT_STRING_EQUAL(d->name, "monitor-template");
    CU_ASSERT_EQUAL(d->ops.monitor->event_mask, SRT_EV_FS_WRITE | SRT_EV_NET_CONNECT);

    for (uint32_t kind = SRT_EV_FS_READ; kind <= SRT_EV_SESSION_END; kind <<= 1) {
        struct srt_event ev = { .struct_size = sizeof ev, .kind = kind, .target = "x" };
        CU_ASSERT_EQUAL(srt_registry_emit(reg, "core", &ev), SRT_OK);
    }
    struct srt_event again = { .struct_size = sizeof again, .kind = SRT_EV_NET_CONNECT };
    CU_ASSERT_EQUAL(srt_registry_emit(reg, "core", &again), SRT_OK);

    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    srt_log_set_fd(fileno(f));
    srt_log_set_level(SRT_LOG_DEBUG);
    CU_ASSERT_EQUAL(d->ops.monitor->flush(srt_loader_inst(p), &err), SRT_OK);
    srt_log_set_fd(-1);
    srt_log_set_level(SRT_LOG_WARN);
    rewind(f);
    size_t n = fread(tpl_log, 1, sizeof tpl_log - 1, f);
    tpl_log[n] = '\0';
    fclose(f);
    srt_registry_free(reg);
}

static void test_mask(void)
{
    run_template(NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(tpl_log,
        "[srt info] monitor-template: 3 events: fs.write 1, net.connect 2\n"));
    /* Twice: no state survives an unload. */
    run_template(NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(tpl_log, "monitor-template: 3 events: fs.write 1, net.connect 2"));
}

static void test_config(void)
{
    struct srt_deploy *dep = NULL;
    struct srt_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(srt_deploy_parse("plugins: { monitor-template: { verbose = true; }; };",
                                           "test.conf", "/root", &dep, &err), SRT_OK);
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    srt_log_set_fd(fileno(f));
    srt_log_set_level(SRT_LOG_DEBUG);
    run_template(srt_deploy_config(dep, "monitor-template"));
    srt_log_set_fd(-1);
    rewind(f);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[srt debug] monitor-template: fs.write x\n"));
    CU_ASSERT_PTR_NULL(strstr(text, "fs.read"));
    srt_deploy_free(dep);

    /* A wrongly typed option makes create fail with the plugin's message. */
    CU_ASSERT_EQUAL_FATAL(srt_deploy_parse("plugins: { monitor-template: { verbose = 3; }; };",
                                           "test.conf", "/root", &dep, &err), SRT_OK);
    struct srt_registry *reg = NULL;
    CU_ASSERT_EQUAL_FATAL(srt_registry_new(getuid(), &reg, &err), SRT_OK);
    CU_ASSERT_EQUAL(srt_registry_load_path(reg, SRT_TEMPLATE_PATH, 0,
                                           srt_deploy_config(dep, "monitor-template"), NULL, &err),
                    SRT_ETYPE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "create failed: option verbose: expected true or false"));
    srt_registry_free(reg);
    srt_deploy_free(dep);
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("template", NULL, NULL);
    CU_add_test(s, "receives exactly its mask", test_mask);
    CU_add_test(s, "config", test_config);
}
