/* main.c - registers the core suites of test_core. */
#include "cu_main.h"
#include "core_tests.h"

void srt_test_register(void)
{
    core_tests_deploy();
    core_tests_quote();
    core_tests_session();
    core_tests_supervise();
    core_tests_prestart();
}
