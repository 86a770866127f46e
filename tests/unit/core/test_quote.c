/* test_quote.c - POSIX quoting of argv (REFERENCE.md 1.3), checked by
 * round-tripping through a real shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"
#include "cu_main.h"
#include "quote_int.h"

static void expect(const char *const *argv, const char *want)
{
    char *got = srt_quote_argv(argv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_rules(void)
{
    expect((const char *const[]){ "echo", "hi", NULL }, "echo hi");
    expect((const char *const[]){ "a b", "", NULL }, "'a b' ''");
    expect((const char *const[]){ "it's", NULL }, "'it'\"'\"'s'");
    expect((const char *const[]){ "=x", "x=y", "a@b:c/d,e+f-g_h.i", NULL },
           "'=x' x=y a@b:c/d,e+f-g_h.i");
    expect((const char *const[]){ "!", "$HOME", "*", NULL }, "'!' '$HOME' '*'");
}

/* The quoted string, run by sh, must give back exactly the same words. */
static void test_round_trip(void)
{
    const char *const argv[] = { "printf", "[%s]", "a b", "", "'q'", "$x", "*", ";|&", "!", "=z",
                                 "tab\there", NULL };
    char *q = srt_quote_argv(argv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/bin/sh -c %s", "\"$SRT_Q\"");
    setenv("SRT_Q", q, 1);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char out[512] = "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    CU_ASSERT_STRING_EQUAL(out, "[a b][]['q'][$x][*][;|&][!][=z][tab\there]");
    free(q);
}

void core_tests_quote(void)
{
    CU_pSuite s = CU_add_suite("quote", NULL, NULL);
    CU_add_test(s, "quoting rules", test_rules);
    CU_add_test(s, "round trip through sh", test_round_trip);
}
