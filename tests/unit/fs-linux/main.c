/* main.c - registers the fs-linux suites: plan, scan, ledger, glob, plugin,
 * weaker nested mode, probe, launch command, control message, run state,
 * bind sources, pids, dangerous names. */
#include "cu_main.h"

void fsl_test_plan(void);
void fsl_test_scan(void);
void fsl_test_ledger(void);
void fsl_test_glob(void);
void fsl_test_plugin(void);
void fsl_test_weak(void);
void fsl_test_probe(void);
void fsl_test_launch_argv(void);
void fsl_test_ctl(void);
void fsl_test_run(void);
void fsl_test_bindfd(void);
void fsl_test_pids(void);
void fsl_test_danger(void);

void srt_test_register(void)
{
    fsl_test_plan();
    fsl_test_scan();
    fsl_test_ledger();
    fsl_test_glob();
    fsl_test_plugin();
    fsl_test_weak();
    fsl_test_probe();
    fsl_test_launch_argv();
    fsl_test_ctl();
    fsl_test_run();
    fsl_test_bindfd();
    fsl_test_pids();
    fsl_test_danger();
}
