/* cu_main.h - the shared main() of every CUnit test binary.
 *
 * A test binary defines srt_test_register(), which adds its suites with
 * CU_add_suite/CU_add_test, and links tests/support/cu_main.c. The exit status
 * is 0 when every assertion passed, 1 otherwise, and 77 (ctest's skip code)
 * when srt_test_skip() was called with the reason printed on one line. */
#ifndef SRT_CU_MAIN_H
#define SRT_CU_MAIN_H

#include <CUnit/CUnit.h>

void srt_test_register(void);

/* Mark the whole binary as skipped: prints "SKIP: <reason>" and exits 77.
 * Only for a facility the machine lacks (bwrap, user namespaces, ...). */
_Noreturn void srt_test_skip(const char *reason);

#endif
