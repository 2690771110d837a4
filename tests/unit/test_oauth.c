/* test_oauth — PKCE (RFC 7636 appendix B), authorize URL, strict redirect URL parsing,
 * single-use state with expiry, token response parsing, loopback listener. */
#include "core/security/oauth.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "tests/lib/fixture.h"
#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define REDIRECT "http://localhost:53682/hubspot/callback"

static void test_pkce_rfc7636_vector(void **state)
{
    char out[64];
    assert_int_equal(
        od_oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", out, sizeof out), 0);
    assert_string_equal(out, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert_int_equal(od_oauth_pkce_challenge("too-short", out, sizeof out), -1);
}

static void test_flow_and_authorize_url(void **state)
{
    struct od_oauth_flow *f = od_oauth_flow_new();
    struct od_oauth_flow *g = od_oauth_flow_new();
    assert_int_equal(strlen(f->verifier), 43);
    assert_int_equal(strlen(f->state), 43);
    assert_string_not_equal(f->state, g->state);
    char ch[64];
    od_oauth_pkce_challenge(f->verifier, ch, sizeof ch);
    assert_string_equal(ch, f->challenge);
    struct od_oauth_client c = {.auth_url = "https://app.hubspot.com/",
                                .client_id = "abc-123",
                                .redirect_uri = REDIRECT,
                                .scopes = "crm.objects.deals.read oauth"};
    char *url = od_oauth_authorize_url(&c, f);
    char *want = od_xasprintf(
        "https://app.hubspot.com/oauth/authorize?client_id=abc-123&redirect_uri=http%%3A%%2F%%2F"
        "localhost%%3A53682%%2Fhubspot%%2Fcallback&scope=crm.objects.deals.read%%20oauth&state=%s"
        "&code_challenge=%s&code_challenge_method=S256",
        f->state, f->challenge);
    assert_string_equal(url, want);
    free(url);
    free(want);
    od_oauth_flow_free(f);
    od_oauth_flow_free(g);
}

static void expect_redirect(const char *pasted, const char *code, const char *st)
{
    char *c, *s;
    assert_int_equal(od_oauth_parse_redirect(pasted, REDIRECT, &c, &s), 0);
    assert_string_equal(c, code);
    assert_string_equal(s, st);
    od_secret_free(c);
    od_secret_free(s);
}

static void expect_refused(const char *pasted, const char *msg_part)
{
    char *c = (char *)1, *s = (char *)1;
    assert_int_equal(od_oauth_parse_redirect(pasted, REDIRECT, &c, &s), -1);
    assert_null(c);
    assert_null(s);
    if (!strstr(od_err(), msg_part))
        fail_msg("for %s: got \"%s\", want \"%s\"", pasted, od_err(), msg_part);
}

static void test_redirect_good(void **state)
{
    expect_redirect(REDIRECT "?code=abc&state=xyz", "abc", "xyz");
    expect_redirect("  \"" REDIRECT "?state=xyz&code=a%2Fb%3D&extra=1\"\n", "a/b=", "xyz");
    expect_redirect("<HTTP://LOCALHOST:53682/hubspot/callback?code=c&state=s#frag>", "c", "s");
    expect_redirect("'" REDIRECT "?code=a+b&state=s'", "a b", "s");
}

static void test_redirect_bad(void **state)
{
    expect_refused("", "nothing was pasted");
    expect_refused("   \n", "nothing was pasted");
    expect_refused("https://evil.example/hubspot/callback?code=a&state=b", "does not start with");
    expect_refused("http://localhost:53683/hubspot/callback?code=a&state=b", "does not start");
    expect_refused("http://localhost:53682/hubspot/callbackx?code=a&state=b", "does not start");
    expect_refused("http://localhost:53682/?code=a&state=b", "does not start");
    expect_refused("https://localhost:53682/hubspot/callback?code=a&state=b", "does not start");
    expect_refused("http://user@localhost:53682/hubspot/callback?code=a&state=b", "user info");
    expect_refused(REDIRECT, "no query");
    expect_refused(REDIRECT "?state=b", "no `code`");
    expect_refused(REDIRECT "?code=a", "no `state`");
    expect_refused(REDIRECT "?code=&state=b", "no `code`");
    expect_refused(REDIRECT "?code=a&code=b&state=c", "twice");
    expect_refused(REDIRECT "?code=a%2&state=c", "malformed `code`");
    expect_refused(REDIRECT "?code=a%zz&state=c", "malformed");
    expect_refused(REDIRECT "?code=a%00b&state=c", "malformed");
    expect_refused(REDIRECT "?code=a%0Ab&state=c", "malformed");
    expect_refused(REDIRECT "?code=a b&state=c", "spaces or control");
    expect_refused(REDIRECT "?code=a\x1b[2J&state=c", "spaces or control");
    expect_refused("code=a&state=b", "not an absolute");
    expect_refused("ftp://localhost:53682/hubspot/callback?code=a&state=b", "not an http");
    expect_refused("http://localhost:99999/hubspot/callback?code=a&state=b", "port");
    expect_refused(REDIRECT "?error=access_denied&error_description=User+said+no%1B%5B2J",
                   "the authorization was refused: access_denied — User said no");
    assert_null(strchr(od_err(), 0x1b));
    char big[OD_OAUTH_MAX_PASTE + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_refused(big, "too long");
}

static void test_state_single_use_and_expiry(void **state)
{
    struct od_oauth_flow *f = od_oauth_flow_new();
    char st[64];
    strcpy(st, f->state);
    st[0] = st[0] == 'A' ? 'B' : 'A';
    assert_int_equal(od_oauth_flow_check_state(f, st), -1);
    assert_non_null(strstr(od_err(), "does not match"));
    assert_int_equal(od_oauth_flow_check_state(f, f->state), -1); /* used up by the try */
    assert_non_null(strstr(od_err(), "already used"));
    od_oauth_flow_free(f);

    f = od_oauth_flow_new();
    assert_int_equal(od_oauth_flow_check_state(f, f->state), 0);
    assert_int_equal(od_oauth_flow_check_state(f, f->state), -1);
    od_oauth_flow_free(f);

    f = od_oauth_flow_new();
    f->created_s -= OD_OAUTH_STATE_TTL_S + 1;
    assert_int_equal(od_oauth_flow_check_state(f, f->state), -1);
    assert_non_null(strstr(od_err(), "longer than 10 minutes"));
    od_oauth_flow_free(f);
}

static char *read_fixture(const char *name)
{
    return fixture_read("../shared/fixtures/api-examples", name, NULL);
}

static int parse(const char *body, struct od_oauth_tokens *t)
{
    return od_oauth_parse_token_response(body, strlen(body), 1000, t);
}

static void test_token_response(void **state)
{
    struct od_oauth_tokens t;
    char *fx = read_fixture("hubspot_token_response.json");
    if (fx) {
        assert_int_equal(parse(fx, &t), 0);
        assert_string_equal(t.refresh_token, "na1-aaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        assert_int_equal(t.expires_at, 1000 + 1800);
        od_oauth_tokens_clear(&t);
        free(fx);
    }
    assert_int_equal(parse("{\"access_token\":\"A\",\"expires_in\":60}", &t), 0);
    assert_null(t.refresh_token);
    od_oauth_tokens_clear(&t);

    fx = read_fixture("hubspot_oauth_error_response.json");
    if (fx) {
        assert_int_equal(parse(fx, &t), -1);
        assert_non_null(strstr(od_err(), "invalid_grant — refresh token is invalid"));
        free(fx);
    }
    static const char *const bad[] = {
        "",
        "[]",
        "null",
        "{",
        "{\"expires_in\":60}",
        "{\"access_token\":\"\",\"expires_in\":60}",
        "{\"access_token\":\"a b\",\"expires_in\":60}",
        "{\"access_token\":\"a\\u001b\",\"expires_in\":60}",
        "{\"access_token\":7,\"expires_in\":60}",
        "{\"access_token\":\"a\"}",
        "{\"access_token\":\"a\",\"expires_in\":\"60\"}",
        "{\"access_token\":\"a\",\"expires_in\":0}",
        "{\"access_token\":\"a\",\"expires_in\":1.5}",
        "{\"access_token\":\"a\",\"expires_in\":1e300}",
        "{\"access_token\":\"a\",\"expires_in\":60,\"refresh_token\":null}",
        "{\"access_token\":\"a\",\"expires_in\":60,\"token_type\":\"mac\"}",
        "{\"status\":\"BAD_AUTH_CODE\",\"message\":\"code expired\"}",
    };
    for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++)
        if (parse(bad[i], &t) != -1) fail_msg("accepted: %s", bad[i]);
    assert_int_equal(parse("{\"status\":\"BAD_AUTH_CODE\",\"message\":\"code expired\"}", &t), -1);
    assert_non_null(strstr(od_err(), "BAD_AUTH_CODE — code expired"));
}

/* Valid UTF-8 with no control characters. */
static int message_is_clean(const char *m)
{
    char *again = od_sanitize(m);
    int same = strcmp(again, m) == 0;
    free(again);
    return same;
}

/* Regressions found by tests/fuzz: long invalid UTF-8 in an error used to be cut mid-character
 * by the 512-byte error buffer. */
static void test_fuzz_regressions(void **state)
{
    struct od_oauth_tokens t;
    struct strbuf body = STRBUF_INIT, url = STRBUF_INIT;
    sb_add(&body, "{\"error\":\"invalid_\xbf\xbf\",\"error_description\":\"");
    for (int i = 0; i < 400; i++)
        sb_add(&body, "\xbf\xe6\x97\xa5");
    sb_add(&body, "\"}");
    assert_int_equal(parse(sb_str(&body), &t), -1);
    assert_true(message_is_clean(od_err()));
    sb_add(&url, "https://'443/ack?er");
    for (int i = 0; i < 400; i++)
        sb_add(&url, "\xda");
    char *c, *s;
    assert_int_equal(od_oauth_parse_redirect(REDIRECT "?code=a&state=b", sb_str(&url), &c, &s), -1);
    assert_true(message_is_clean(od_err()));
    sb_release(&body);
    sb_release(&url);
}

struct listen_arg {
    int port, rc, calls;
    int fail_code; /* on_code fails */
    struct od_oauth_flow *flow;
    char code[64];
    char err[512];
};

static int record_code(void *p, const char *code)
{
    struct listen_arg *a = p;
    a->calls++;
    snprintf(a->code, sizeof a->code, "%s", code);
    return a->fail_code ? od_seterr("token endpoint said no") : 0;
}

static void *listen_thread(void *p)
{
    struct listen_arg *a = p;
    char *redirect = od_xasprintf("http://127.0.0.1:%d/cb", a->port);
    a->rc = od_oauth_listen(a->port, redirect, a->flow, 20, record_code, a);
    snprintf(a->err, sizeof a->err, "%s", a->rc ? od_err() : "");
    free(redirect);
    return NULL;
}

static size_t sink(char *d, size_t s, size_t n, void *arg)
{
    sb_addn(arg, d, s * n);
    return s * n;
}

static long http_get(const char *url, struct strbuf *body)
{
    long status = 0;
    sb_reset(body);
    for (int tries = 0; tries < 100 && status == 0; tries++) {
        CURL *h = curl_easy_init();
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        else
            od_sleep_ms(50); /* listener not up yet */
        curl_easy_cleanup(h);
    }
    return status;
}

static int next_port(void)
{
    static int n;
    return 20000 + (int)((getpid() * 7 + n++) % 20000);
}

/* Requests without this flow's state are answered 400 and change nothing; the redirect with
 * it ends the flow, and only then, after on_code succeeded, comes the "connected" page. */
static void test_loopback_listener(void **state)
{
    struct listen_arg a = {.port = next_port(), .flow = od_oauth_flow_new()};
    pthread_t th;
    struct strbuf body = STRBUF_INIT;
    pthread_create(&th, NULL, listen_thread, &a);
    char *base = od_xasprintf("http://127.0.0.1:%d", a.port);
    char *u = od_xasprintf("%s/favicon.ico", base);
    assert_int_equal(http_get(u, &body), 404);
    free(u);
    const char *bad[] = {"/cb",
                         "/cb?code=c1",
                         "/cb?code=c1&state=forged",
                         "/cb?code=c1&state=",
                         "/cb?error=access_denied",
                         "/cb?error=access_denied&state=forged",
                         "/cb?code=a&code=b&state=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u = od_xasprintf("%s%s", base, bad[i]);
        long st = http_get(u, &body);
        if (st != 400) fail_msg("GET %s answered %ld, want 400", bad[i], st);
        assert_null(strstr(sb_str(&body), "connected"));
        assert_non_null(strstr(sb_str(&body), "Not the redirect opsdeck is waiting for"));
        free(u);
    }
    assert_int_equal(a.calls, 0);
    assert_int_equal(a.flow->used, 0); /* the state is still good */
    u = od_xasprintf("%s/cb?code=c%%2F1&state=%s", base, a.flow->state);
    assert_int_equal(http_get(u, &body), 200);
    assert_non_null(strstr(sb_str(&body), "opsdeck is connected"));
    free(u);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.calls, 1);
    assert_string_equal(a.code, "c/1");
    assert_int_equal(a.flow->used, 1);
    od_oauth_flow_free(a.flow);
    free(base);
    sb_release(&body);
}

/* The flow's redirect whose code does not exchange, or that carries a refusal: an error page
 * (never "connected"), and the error comes back to the caller. */
static void test_loopback_listener_failures(void **state)
{
    for (int refusal = 0; refusal < 2; refusal++) {
        struct listen_arg a = {.port = next_port(), .flow = od_oauth_flow_new(), .fail_code = 1};
        pthread_t th;
        struct strbuf body = STRBUF_INIT;
        pthread_create(&th, NULL, listen_thread, &a);
        char *u = refusal ? od_xasprintf("http://127.0.0.1:%d/cb?error=access_denied&state=%s",
                                         a.port, a.flow->state)
                          : od_xasprintf("http://127.0.0.1:%d/cb?code=old&state=%s", a.port,
                                         a.flow->state);
        assert_int_equal(http_get(u, &body), 400);
        assert_null(strstr(sb_str(&body), "is connected"));
        assert_non_null(strstr(sb_str(&body), "could not connect"));
        pthread_join(th, NULL);
        assert_int_equal(a.rc, -1);
        assert_int_equal(a.calls, refusal ? 0 : 1);
        if (!strstr(a.err, refusal ? "access_denied" : "token endpoint said no"))
            fail_msg("error: %s", a.err);
        od_oauth_flow_free(a.flow);
        free(u);
        sb_release(&body);
    }
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkce_rfc7636_vector),
        cmocka_unit_test(test_flow_and_authorize_url),
        cmocka_unit_test(test_redirect_good),
        cmocka_unit_test(test_redirect_bad),
        cmocka_unit_test(test_state_single_use_and_expiry),
        cmocka_unit_test(test_token_response),
        cmocka_unit_test(test_fuzz_regressions),
        cmocka_unit_test(test_loopback_listener),
        cmocka_unit_test(test_loopback_listener_failures),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
