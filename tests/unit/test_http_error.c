/* test_http_error — the words of an upstream failure (od_http_describe): provider, method, path,
 * status with its phrase and the provider's own message from HubSpot's and Harvest's error
 * bodies (and plain text), sanitized and cut; bodies that are hostile, huge, empty or not JSON.
 * And the breaker remembering the failure that opened it. */
#include "core/base/config.h"
#include "core/base/util.h"
#include "core/net/breaker.h"
#include "core/net/http.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char *describe(long status, const char *body, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    od_http_describe(&sb, "hubspot", "GET", "/crm/v3/objects/deals", status, body, len);
    return sb_detach(&sb);
}

#define CHECK(status, body, want)                                                                  \
    do {                                                                                           \
        char *got_ = describe(status, body, strlen(body));                                         \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_describe_bodies(void **state)
{
    (void)state;
    CHECK(
        503,
        "{\"status\":\"error\",\"message\":\"Service Unavailable\",\"correlationId\":\"x\","
        "\"category\":\"INTERNAL_ERROR\"}",
        "hubspot GET /crm/v3/objects/deals: HTTP 503 Service Unavailable \"Service Unavailable\"");
    CHECK(429,
          "{\"error\":\"rate_limit_exceeded\",\"error_description\":\"Rate limit exceeded: 100 "
          "requests per 15 seconds.\"}",
          "hubspot GET /crm/v3/objects/deals: HTTP 429 Too Many Requests \"Rate limit exceeded: "
          "100 requests per 15 seconds.\"");
    CHECK(422, "{\"errors\":[{\"message\":\"per_page must be between 1 and 2000\"}]}",
          "hubspot GET /crm/v3/objects/deals: HTTP 422 Unprocessable Content \"per_page must be "
          "between 1 and 2000\"");
    CHECK(502, "Bad gateway from the edge\r\nsecond line", /* text: its first line */
          "hubspot GET /crm/v3/objects/deals: HTTP 502 Bad Gateway \"Bad gateway from the edge\"");
    CHECK(504, "", "hubspot GET /crm/v3/objects/deals: HTTP 504 Gateway Timeout");
    CHECK(599, "{\"other\":1}", "hubspot GET /crm/v3/objects/deals: HTTP 599");
    CHECK(500, "<html><body>oops</body></html>", /* markup is not a message */
          "hubspot GET /crm/v3/objects/deals: HTTP 500 Internal Server Error");
    CHECK(500,
          "{\"message\":", "hubspot GET /crm/v3/objects/deals: HTTP 500 Internal Server Error");
    /* Terminal controls and bidi overrides from upstream never pass. */
    CHECK(503, "{\"message\":\"down\\u001b[2J\\u001b]0;pwned\\u0007 \\u202eok\"}",
          "hubspot GET /crm/v3/objects/deals: HTTP 503 Service Unavailable \"down ok\"");
}

static void test_describe_bounds(void **state)
{
    (void)state;
    /* A long message is cut to OD_HTTP_MESSAGE_MAX columns, ending with an ellipsis. */
    struct strbuf body = STRBUF_INIT;
    sb_add(&body, "{\"message\":\"");
    for (int i = 0; i < 5000; i++)
        sb_addch(&body, 'a' + i % 26);
    sb_add(&body, "\"}");
    char *got = describe(503, body.buf, body.len);
    const char *q = strchr(got, '"');
    assert_non_null(q);
    assert_true(strlen(q) <= OD_HTTP_MESSAGE_MAX + 8);
    assert_non_null(strstr(got, "…\""));
    free(got);
    sb_release(&body);
    /* A huge body is not parsed, and a NUL inside text does not end the world. */
    size_t n = 3 << 20;
    char *big = od_xmalloc(n);
    memset(big, 'x', n);
    big[10] = '\0';
    got = describe(500, big, n);
    assert_true(strlen(got) < 300);
    free(got);
    free(big);
    /* od_err() is left as the caller had it, even for a body that is not JSON. */
    od_seterr("before");
    got = describe(500, "{nope", 5);
    free(got);
    assert_string_equal(od_err(), "before");
}

static void test_breaker_remembers_cause(void **state)
{
    (void)state;
    struct od_breaker *b = od_breaker_for("harvest");
    struct od_config cfg;
    od_config_defaults(&cfg);
    cfg.breaker.threshold = 3;
    cfg.breaker.open_ms = 60000;
    struct od_breaker_info bi;
    od_breaker_record_failure(b, "harvest GET /v2/users: HTTP 502 Bad Gateway", &cfg);
    od_breaker_record_failure(b, "harvest GET /v2/users: HTTP 503 Service Unavailable \"x\"", &cfg);
    assert_true(od_breaker_allow(b));
    od_breaker_record_failure(b, "harvest GET /v2/tasks: HTTP 503 Service Unavailable \"y\"", &cfg);
    assert_false(od_breaker_allow(b));
    od_breaker_get_info(b, &bi);
    assert_int_equal(bi.state, OD_BREAKER_OPEN);
    assert_int_equal(bi.consecutive_failures, 3);
    assert_string_equal(bi.last_failure,
                        "harvest GET /v2/tasks: HTTP 503 Service Unavailable \"y\"");
    assert_int_equal(od_http_reason(503)[0], 'S');
    assert_string_equal(od_http_reason(299), "");
    od_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_bodies),
        cmocka_unit_test(test_describe_bounds),
        cmocka_unit_test(test_breaker_remembers_cause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
