/* oauth_http — the token endpoint: form POSTs to {token_base}/oauth/v1/token with libcurl.
 * Secrets travel only in the request body; the body and the response are wiped after use.
 * Plain http is allowed only to a loopback host (core/base/url.h); redirects are not followed;
 * the response is capped at 64 KiB. See oauth.h. */
#include "core/security/oauth.h"
#include "core/base/secmem.h"
#include "core/base/url.h"
#include "core/base/util.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef OPSDECK_VERSION
#define OPSDECK_VERSION "dev"
#endif
#define MAX_RESPONSE 65536

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct strbuf *sb = arg;
    size_t n = size * nmemb;
    if (sb->len + n > MAX_RESPONSE) return 0; /* aborts the transfer */
    sb_addn(sb, data, n);
    return n;
}

static void wipe_release(struct strbuf *sb)
{
    if (sb->buf) sodium_memzero(sb->buf, sb->cap);
    sb_release(sb);
}

static int post_token(const struct od_oauth_client *c, struct strbuf *form,
                      struct od_oauth_tokens *out)
{
    struct strbuf url = STRBUF_INIT, resp = STRBUF_INIT;
    sb_grow(&resp, MAX_RESPONSE + 1); /* no realloc: no unwiped copies of tokens */
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    int rc = -1;
    size_t n = strlen(c->token_base);
    while (n > 0 && c->token_base[n - 1] == '/')
        n--;
    sb_addn(&url, c->token_base, n);
    sb_add(&url, "/oauth/v1/token");
    if (od_url_check_transport(url.buf) < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", od_err());
        sb_release(&url);
        return od_seterr("hubspot.base_url cannot receive the client secret: %s", why);
    }
    CURL *h = curl_easy_init();
    if (!h) od_die("cannot create a curl handle");
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url.buf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(c->timeout_s > 0 ? c->timeout_s : 30));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "opsdeck/" OPSDECK_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form->buf);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)form->len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        od_seterr("cannot reach the token endpoint %s: %s", url.buf,
                  cc == CURLE_WRITE_ERROR ? "response too large"
                                          : (*errbuf ? errbuf : curl_easy_strerror(cc)));
    } else if (od_oauth_parse_token_response(sb_str(&resp), resp.len, (int64_t)time(NULL), out) !=
               0) {
        if (status != 200) {
            char *why = od_xstrdup(od_err());
            od_seterr("token endpoint answered HTTP %ld: %s", status, why);
            free(why);
        }
    } else if (status != 200) {
        od_oauth_tokens_clear(out);
        od_seterr("token endpoint answered HTTP %ld", status);
    } else {
        rc = 0;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    wipe_release(&resp);
    sb_release(&url);
    return rc;
}

static void form_add(struct strbuf *form, const char *name, const char *value)
{
    if (form->len) sb_addch(form, '&');
    sb_add(form, name);
    sb_addch(form, '=');
    od_url_encode_to(form, value ? value : "");
}

static void form_client(struct strbuf *form, const struct od_oauth_client *c)
{
    form_add(form, "client_id", c->client_id);
    form_add(form, "client_secret", c->client_secret);
}

int od_oauth_exchange(const struct od_oauth_client *c, const char *code,
                      const struct od_oauth_flow *f, struct od_oauth_tokens *out)
{
    struct strbuf form = STRBUF_INIT;
    sb_grow(&form, 4 * OD_OAUTH_MAX_TOKEN); /* no realloc: no unwiped copies of secrets */
    form_add(&form, "grant_type", "authorization_code");
    form_client(&form, c);
    form_add(&form, "redirect_uri", c->redirect_uri);
    form_add(&form, "code", code);
    form_add(&form, "code_verifier", f->verifier);
    int rc = post_token(c, &form, out);
    wipe_release(&form);
    if (rc == 0 && !out->refresh_token) {
        od_oauth_tokens_clear(out);
        return od_seterr("the token endpoint returned no refresh_token");
    }
    return rc;
}

int od_oauth_refresh(const struct od_oauth_client *c, const char *refresh_token,
                     struct od_oauth_tokens *out)
{
    struct strbuf form = STRBUF_INIT;
    sb_grow(&form, 4 * OD_OAUTH_MAX_TOKEN); /* no realloc: no unwiped copies of secrets */
    form_add(&form, "grant_type", "refresh_token");
    form_client(&form, c);
    form_add(&form, "redirect_uri", c->redirect_uri);
    form_add(&form, "refresh_token", refresh_token);
    int rc = post_token(c, &form, out);
    wipe_release(&form);
    return rc;
}
