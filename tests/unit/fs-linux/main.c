/* main.c - registers the fs-linux suites: plan, scan, ledger, glob, plugin. */
#include "cu_main.h"

void fsl_test_plan(void);
void fsl_test_scan(void);
void fsl_test_ledger(void);
void fsl_test_glob(void);
void fsl_test_plugin(void);

void srt_test_register(void)
{
    fsl_test_plan();
    fsl_test_scan();
    fsl_test_ledger();
    fsl_test_glob();
    fsl_test_plugin();
}
