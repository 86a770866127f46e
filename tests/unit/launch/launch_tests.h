/* launch_tests.h - suites of the unit_launch binary and the helpers they
 * share: running a probe in a forked child and reading back its outcome. */
#ifndef LAUNCH_TESTS_H
#define LAUNCH_TESTS_H

#include <stdbool.h>
#include <sys/types.h>

void launch_test_register_seccomp(void);
void launch_test_register_landlock(void);
void launch_test_register_outer(void);
void launch_test_register_inner(void);
void launch_test_register_weak(void);
void launch_test_register_plan_recv(void);
void launch_test_register_guard(void);

/* Fork, run fn() in the child and return its wait status. */
int launch_test_in_child(int (*fn)(void *), void *arg);

/* Exit code of a probe child meaning "the call succeeded". Any other code
 * below 256 is the errno it failed with; 255 marks a harness error. */
#define LT_OK      0
#define LT_HARNESS 255

/* errno of the last failed call, as a probe's exit code. */
int launch_test_result(long rc);

#endif
