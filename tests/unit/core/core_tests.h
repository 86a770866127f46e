/* core_tests.h - the suites of test_core, one per core module. */
#ifndef SRT_CORE_TESTS_H
#define SRT_CORE_TESTS_H
void core_tests_deploy(void);
void core_tests_quote(void);
void core_tests_session(void);
void core_tests_supervise(void);
void core_tests_prestart(void);
#endif
