/* test_abi.c - every frozen ABI layout still holds against the live headers.
 *
 * abi_1_N.h (generated once per minor by freeze.py) lists each struct's size, each
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

struct frozen_const {
    const char *name;
    long long   value, now;
};

/* Names missing from the live headers fail to compile, which is the point.
 * Each frozen header is read twice: once for layouts, once for constants. */
#define FROZEN_STRUCT(s, sz) { #s, NULL, 0, sz, 0, sizeof(struct s) },
#define FROZEN_MEMBER(s, m, o, sz) { #s, #m, o, sz, offsetof(struct s, m), sizeof(((struct s *)0)->m) },
#define FROZEN_CONST(name, value)
static const struct frozen abi_1_0[] = {
#include "abi_1_0.h"
};
static const struct frozen abi_1_1[] = {
#include "abi_1_1.h"
};
static const struct frozen abi_1_2[] = {
#include "abi_1_2.h"
};
#undef FROZEN_STRUCT
#undef FROZEN_MEMBER
#undef FROZEN_CONST

#define FROZEN_STRUCT(s, sz)
#define FROZEN_MEMBER(s, m, o, sz)
#define FROZEN_CONST(name, v) { #name, v, (long long)(name) },
static const struct frozen_const abi_1_0_consts[] = {
#include "abi_1_0.h"
};
static const struct frozen_const abi_1_1_consts[] = {
#include "abi_1_1.h"
};
static const struct frozen_const abi_1_2_consts[] = {
#include "abi_1_2.h"
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Every released minor, oldest first; the last is the current one. */
static const struct {
    const char                *name;
    unsigned                   minor;
    const struct frozen       *layout;
    size_t                     n_layout;
    const struct frozen_const *consts;
    size_t                     n_consts;
} minors[] = {
    { "1.0", 0, abi_1_0, N_OF(abi_1_0), abi_1_0_consts, N_OF(abi_1_0_consts) },
    { "1.1", 1, abi_1_1, N_OF(abi_1_1), abi_1_1_consts, N_OF(abi_1_1_consts) },
    { "1.2", 2, abi_1_2, N_OF(abi_1_2), abi_1_2_consts, N_OF(abi_1_2_consts) },
};

static bool has_struct_size(const struct frozen *t, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].type, type) == 0 && t[i].member && strcmp(t[i].member, "struct_size") == 0)
            return true;
    return false;
}

static void test_members(void)
{
    for (size_t v = 0; v < N_OF(minors); v++) {
        size_t n = 0;
        for (size_t i = 0; i < minors[v].n_layout; i++) {
            const struct frozen *f = &minors[v].layout[i];
            if (!f->member)
                continue;
            n++;
            bool ok = f->now_off == f->off && f->now_size == f->size;
            if (!ok)
                fprintf(stderr, "\n  %s: struct %s.%s frozen at offset %zu size %zu, now offset %zu size %zu",
                        minors[v].name, f->type, f->member, f->off, f->size, f->now_off, f->now_size);
            CU_ASSERT_TRUE(ok);
        }
        CU_ASSERT_TRUE(n > 100);
    }
}

/* Structs of older minors may only grow; those of the current minor must
 * match exactly, so an appended member without a new freeze and minor bump
 * fails here. */
static void test_struct_sizes(void)
{
    for (size_t v = 0; v < N_OF(minors); v++) {
        bool current = v + 1 == N_OF(minors);
        size_t n = 0;
        for (size_t i = 0; i < minors[v].n_layout; i++) {
            const struct frozen *f = &minors[v].layout[i];
            if (f->member)
                continue;
            n++;
            bool growable = !current && has_struct_size(minors[v].layout, minors[v].n_layout, f->type);
            bool ok = growable ? f->now_size >= f->size : f->now_size == f->size;
            if (!ok)
                fprintf(stderr, "\n  %s: struct %s frozen size %zu, now %zu (%s)", minors[v].name,
                        f->type, f->size, f->now_size,
                        current ? "changed without a new minor: bump SRT_ABI_MINOR and freeze it"
                                : "may only grow");
            CU_ASSERT_TRUE(ok);
        }
        CU_ASSERT_TRUE(n >= 16);   /* 16 in 1.0; 1.2 added srt_plan_head */
    }
}

static void test_constants(void)
{
    for (size_t v = 0; v < N_OF(minors); v++) {
        for (size_t i = 0; i < minors[v].n_consts; i++) {
            const struct frozen_const *c = &minors[v].consts[i];
            if (c->now != c->value)
                fprintf(stderr, "\n  %s: %s frozen %lld, now %lld", minors[v].name, c->name, c->value,
                        c->now);
            CU_ASSERT_EQUAL(c->now, c->value);
        }
        CU_ASSERT_TRUE(minors[v].n_consts > 40);
    }
    CU_ASSERT_EQUAL(SRT_ABI_MAJOR, 1);
    CU_ASSERT_EQUAL(SRT_ABI_MINOR, minors[N_OF(minors) - 1].minor);
}

void srt_test_register(void)
{
    CU_pSuite s = CU_add_suite("abi 1.x", NULL, NULL);
    CU_add_test(s, "members keep offset and size", test_members);
    CU_add_test(s, "structs only grow; the current minor is exact", test_struct_sizes);
    CU_add_test(s, "constants keep their values", test_constants);
}
