/* test_abi.c - every frozen ABI layout still holds against the live headers.
 *
 * abi_1_0.h (generated once by freeze.py) lists each 1.0 struct's size, each
 * member's offset and size, and each constant's value. A member that moved,
 * shrank, grew or vanished, a struct that shrank, or a renumbered constant
 * fails here: only appending (with an SRT_ABI_MINOR bump) is allowed.
 * Structs without a struct_size (array elements, the error buffer) cannot
 * grow at all, so their size must match exactly. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <srt/error.h>
#include <srt/event.h>
#include <srt/fs.h>
#include <srt/host.h>
#include <srt/monitor.h>
#include <srt/net.h>
#include <srt/plugin.h>
#include <srt/policy.h>

#include "cu_main.h"

struct frozen {
    const char *type;
    const char *member;       /* NULL: the struct itself */
    size_t      off, size;    /* as frozen */
    size_t      now_off, now_size;
};

/* Names missing from the live headers fail to compile, which is the point. */
#define FROZEN_STRUCT(s, sz) { #s, NULL, 0, sz, 0, sizeof(struct s) },
#define FROZEN_MEMBER(s, m, o, sz) { #s, #m, o, sz, offsetof(struct s, m), sizeof(((struct s *)0)->m) },
#define FROZEN_CONST(name, value)
static const struct frozen abi_1_0[] = {
#include "abi_1_0.h"
};
#undef FROZEN_STRUCT
#undef FROZEN_MEMBER
#undef FROZEN_CONST

struct frozen_const {
    const char *name;
    long long   value, now;
};
#define FROZEN_STRUCT(s, sz)
#define FROZEN_MEMBER(s, m, o, sz)
#define FROZEN_CONST(name, v) { #name, v, (long long)(name) },
static const struct frozen_const abi_1_0_consts[] = {
#include "abi_1_0.h"
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool has_struct_size(const char *type)
{
    for (size_t i = 0; i < N_OF(abi_1_0); i++)
        if (strcmp(abi_1_0[i].type, type) == 0 && abi_1_0[i].member &&
            strcmp(abi_1_0[i].member, "struct_size") == 0)
            return true;
    return false;
}

static void test_members(void)
{
    size_t n = 0;
    for (size_t i = 0; i < N_OF(abi_1_0); i++) {
        const struct frozen *f = &abi_1_0[i];
        if (!f->member)
            continue;
        n++;
        bool ok = f->now_off == f->off && f->now_size == f->size;
        if (!ok)
            fprintf(stderr, "\n  struct %s.%s: frozen at offset %zu size %zu, now offset %zu size %zu",
                    f->type, f->member, f->off, f->size, f->now_off, f->now_size);
        CU_ASSERT_TRUE(ok);
    }
    CU_ASSERT_TRUE(n > 100);
}

static void test_struct_sizes(void)
{
    size_t n = 0;
    for (size_t i = 0; i < N_OF(abi_1_0); i++) {
        const struct frozen *f = &abi_1_0[i];
        if (f->member)
            continue;
        n++;
        bool growable = has_struct_size(f->type);
        bool ok = growable ? f->now_size >= f->size : f->now_size == f->size;
        if (!ok)
            fprintf(stderr, "\n  struct %s: frozen size %zu, now %zu (%s)", f->type, f->size,
                    f->now_size, growable ? "may only grow" : "has no struct_size, may not change");
        CU_ASSERT_TRUE(ok);
    }
    CU_ASSERT_EQUAL(n, 16);
}

static void test_constants(void)
{
    for (size_t i = 0; i < N_OF(abi_1_0_consts); i++) {
        const struct frozen_const *c = &abi_1_0_consts[i];
        if (c->now != c->value)
            fprintf(stderr, "\n  %s: frozen %lld, now %lld", c->name, c->value, c->now);
        CU_ASSERT_EQUAL(c->now, c->value);
    }
    CU_ASSERT_TRUE(N_OF(abi_1_0_consts) > 40);
    CU_ASSERT_EQUAL(SRT_ABI_MAJOR, 1);
    CU_ASSERT_TRUE(SRT_ABI_MINOR >= 0);
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("abi 1.0", NULL, NULL);
    CU_add_test(s, "members keep offset and size", test_members);
    CU_add_test(s, "structs only grow", test_struct_sizes);
    CU_add_test(s, "constants keep their values", test_constants);
}
