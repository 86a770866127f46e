/* loader_tests.h - helpers shared by the loader area's suites. */
#ifndef SRT_LOADER_TESTS_H
#define SRT_LOADER_TESTS_H

#include <stdbool.h>
#include <stddef.h>

/* Path of fixture srt-<name>.so in the build tree (static buffer). */
const char *lt_fixture(const char *name);
/* Does msg start with "<path>: "? */
bool lt_names_file(const char *msg, const char *path);
/* Capture the core logger at debug level into a temporary file; lt_log_end
 * restores stderr and returns what was logged (static buffer). */
void lt_log_begin(void);
const char *lt_log_end(void);

void lt_register_registry(void);
void lt_register_event(void);

#endif
