/* test_event.c - srt_event_json (the host->event_json service) and the
 * event copy that bounds every read by the producer's struct_size. */
#include <string.h>

#include <jansson.h>

#include "cu_main.h"
#include "loader_tests.h"
#include "registry_int.h"

static void test_full_event(void)
{
    struct srt_event ev = {
        .struct_size = sizeof ev, .kind = SRT_EV_FS_WRITE,
        .time_ns = 1714566896789123456, .session = "0123456789abcdef", .command = "make all",
        .pid = 4242, .target = "/etc/passwd", .operation = "openat",
        .reason = "not in allowWrite", .source = "fs-linux",
    };
    char buf[1024];
    size_t need = 0;
    CU_ASSERT_EQUAL_FATAL(srt_event_json(&ev, buf, sizeof buf, &need), SRT_OK);
    CU_ASSERT_STRING_EQUAL(buf,
        "{\"kind\":\"fs.write\",\"time\":\"2024-05-01T12:34:56.789Z\","
        "\"session\":\"0123456789abcdef\",\"command\":\"make all\",\"pid\":4242,"
        "\"target\":\"/etc/passwd\",\"operation\":\"openat\",\"reason\":\"not in allowWrite\","
        "\"source\":\"fs-linux\"}");
    CU_ASSERT_EQUAL(need, strlen(buf) + 1);
}

static void test_omits_null(void)
{
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_NET_CONNECT,
                            .target = "evil.example:443" };
    char buf[256];
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, sizeof buf, NULL), SRT_OK);
    CU_ASSERT_STRING_EQUAL(buf, "{\"kind\":\"net.connect\",\"target\":\"evil.example:443\"}");
    ev.kind = SRT_EV_SESSION_END;
    ev.status = 3;
    ev.target = NULL;
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, sizeof buf, NULL), SRT_OK);
    CU_ASSERT_STRING_EQUAL(buf, "{\"kind\":\"session.end\",\"status\":3}");
}

static void test_too_small(void)
{
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_IPC_UNIX,
                            .target = "/run/docker.sock" };
    const char *want = "{\"kind\":\"ipc.unix\",\"target\":\"/run/docker.sock\"}";
    char buf[64];
    size_t need = 0;
    size_t exact = strlen(want) + 1;
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, exact - 1, &need), SRT_ERANGE);
    CU_ASSERT_EQUAL(need, exact);
    CU_ASSERT_EQUAL(srt_event_json(&ev, NULL, 0, &need), SRT_ERANGE);
    CU_ASSERT_EQUAL(need, exact);
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, exact, &need), SRT_OK);
    CU_ASSERT_STRING_EQUAL(buf, want);
}

/* Paths are bytes, JSON is UTF-8: the line must stay valid JSON. */
static void test_escaping(void)
{
    struct srt_event ev = { .struct_size = sizeof ev, .kind = SRT_EV_FS_READ,
                            .target = "/tmp/a\"b\\c\n\xff\xfe", .reason = "caf\xc3\xa9" };
    char buf[256];
    CU_ASSERT_EQUAL_FATAL(srt_event_json(&ev, buf, sizeof buf, NULL), SRT_OK);
    json_error_t jerr;
    json_t *j = json_loads(buf, 0, &jerr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "target")), "/tmp/a\"b\\c\n??");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "reason")), "caf\xc3\xa9");
    json_decref(j);
}

static void test_malformed(void)
{
    char buf[256];
    struct srt_event ev = { .struct_size = sizeof ev, .kind = 1u << 20 };
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, sizeof buf, NULL), SRT_EINVAL);
    ev.kind = SRT_EV_FS_READ;
    ev.struct_size = offsetof(struct srt_event, source);
    CU_ASSERT_EQUAL(srt_event_json(&ev, buf, sizeof buf, NULL), SRT_EINVAL);
    CU_ASSERT_EQUAL(srt_event_json(NULL, buf, sizeof buf, NULL), SRT_EINVAL);
}

/* A producer from a later minor: the copy stops at the core's size. */
static void test_copy_bounds(void)
{
    struct { struct srt_event ev; const char *later; } big = {
        .ev = { .struct_size = sizeof big, .kind = SRT_EV_NET_REQUEST, .target = "h:80" },
        .later = "x",
    };
    struct srt_event out;
    CU_ASSERT_EQUAL(srt_event_copy(&big.ev, &out), SRT_OK);
    CU_ASSERT_EQUAL(out.struct_size, sizeof out);
    CU_ASSERT_STRING_EQUAL(out.target, "h:80");
    CU_ASSERT_STRING_EQUAL(srt_event_kind_name(SRT_EV_SESSION_BEGIN), "session.begin");
    CU_ASSERT_PTR_NULL(srt_event_kind_name(0));
}

void lt_register_event(void)
{
    CU_pSuite s = CU_add_suite("event", NULL, NULL);
    CU_add_test(s, "every member", test_full_event);
    CU_add_test(s, "NULL members omitted", test_omits_null);
    CU_add_test(s, "buffer too small", test_too_small);
    CU_add_test(s, "escaping and non-UTF-8 bytes", test_escaping);
    CU_add_test(s, "malformed events", test_malformed);
    CU_add_test(s, "copy bounded by the core's size", test_copy_bounds);
}
