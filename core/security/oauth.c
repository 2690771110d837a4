/* oauth — PKCE, state, authorize URL, strict redirect URL and token response parsers.
 * No network here (see oauth_http.c and oauth_listen.c), so the parsers fuzz in isolation. */
#include "core/security/oauth.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void random_b64url(char *out, size_t n)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, n, raw, sizeof raw, B64URL);
    sodium_memzero(raw, sizeof raw);
}

struct od_oauth_flow *od_oauth_flow_new(void)
{
    struct od_oauth_flow *f = (struct od_oauth_flow *)od_secret_alloc(sizeof *f);
    random_b64url(f->verifier, sizeof f->verifier);
    random_b64url(f->state, sizeof f->state);
    od_oauth_pkce_challenge(f->verifier, f->challenge, sizeof f->challenge);
    f->created_s = (int64_t)time(NULL);
    return f;
}

void od_oauth_flow_free(struct od_oauth_flow *f)
{
    od_secret_free(f);
}

int od_oauth_pkce_challenge(const char *verifier, char *out, size_t n)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    size_t len = strlen(verifier);
    if (len < 43 || len > 128)
        return od_seterr("PKCE verifier must be 43..128 characters (got %zu)", len);
    if (n < sodium_base64_ENCODED_LEN(sizeof digest, B64URL))
        return od_seterr("PKCE challenge buffer too small");
    crypto_hash_sha256(digest, (const unsigned char *)verifier, len);
    sodium_bin2base64(out, n, digest, sizeof digest, B64URL);
    return 0;
}

void od_url_encode_to(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            sb_addch(sb, (char)*p);
        } else {
            sb_addch(sb, '%');
            sb_addch(sb, hex[*p >> 4]);
            sb_addch(sb, hex[*p & 15]);
        }
    }
}

static void add_param(struct strbuf *sb, const char *name, const char *value)
{
    sb_addch(sb, strchr(sb_str(sb), '?') ? '&' : '?');
    sb_add(sb, name);
    sb_addch(sb, '=');
    od_url_encode_to(sb, value ? value : "");
}

char *od_oauth_authorize_url(const struct od_oauth_client *c, const struct od_oauth_flow *f)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = strlen(c->auth_url);
    while (n > 0 && c->auth_url[n - 1] == '/')
        n--;
    sb_addn(&sb, c->auth_url, n);
    sb_add(&sb, "/oauth/authorize");
    add_param(&sb, "client_id", c->client_id);
    add_param(&sb, "redirect_uri", c->redirect_uri);
    add_param(&sb, "scope", c->scopes);
    add_param(&sb, "state", f->state);
    add_param(&sb, "code_challenge", f->challenge);
    add_param(&sb, "code_challenge_method", "S256");
    return sb_detach(&sb);
}

/* Parts of an absolute http(s) URL; pointers into the parsed string (lengths given). */
struct url_parts {
    const char *scheme, *host, *path, *query;
    size_t scheme_len, host_len, path_len, query_len;
    int port;
};

static int split_url(const char *u, size_t n, struct url_parts *p, const char *what)
{
    const char *end = u + n, *s = memchr(u, ':', n);
    memset(p, 0, sizeof *p);
    if (!s || end - s < 3 || s[1] != '/' || s[2] != '/')
        return od_seterr("%s is not an absolute http(s) URL", what);
    p->scheme = u;
    p->scheme_len = (size_t)(s - u);
    bool https = p->scheme_len == 5 && strncasecmp(u, "https", 5) == 0;
    if (!https && !(p->scheme_len == 4 && strncasecmp(u, "http", 4) == 0))
        return od_seterr("%s is not an http(s) URL", what);
    const char *a = s + 3, *ae = a;
    while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
        ae++;
    if (memchr(a, '@', (size_t)(ae - a)))
        return od_seterr("%s must not contain user information", what);
    const char *colon = NULL;
    if (a < ae && *a == '[') { /* IPv6 literal */
        const char *rb = memchr(a, ']', (size_t)(ae - a));
        if (!rb) return od_seterr("%s has a malformed host", what);
        colon = (rb + 1 < ae && rb[1] == ':') ? rb + 1 : NULL;
        if (rb + 1 < ae && !colon) return od_seterr("%s has a malformed host", what);
    } else {
        colon = memchr(a, ':', (size_t)(ae - a));
    }
    p->host = a;
    p->host_len = (size_t)((colon ? colon : ae) - a);
    p->port = https ? 443 : 80;
    if (colon) {
        long port = 0;
        const char *d = colon + 1;
        if (d == ae || ae - d > 5) return od_seterr("%s has a malformed port", what);
        for (; d < ae; d++) {
            if (*d < '0' || *d > '9') return od_seterr("%s has a malformed port", what);
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535) return od_seterr("%s has a malformed port", what);
        p->port = (int)port;
    }
    if (p->host_len == 0) return od_seterr("%s has no host", what);
    p->path = ae;
    while (ae < end && *ae != '?' && *ae != '#')
        ae++;
    p->path_len = (size_t)(ae - p->path);
    if (ae < end && *ae == '?') {
        p->query = ++ae;
        while (ae < end && *ae != '#')
            ae++;
        p->query_len = (size_t)(ae - p->query);
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decode (and '+' as space) into a secret string; refuses bad escapes and, when
 * strict, decoded control characters (free text like error_description is sanitized instead). */
static char *pct_decode(const char *s, size_t n, bool strict)
{
    char *out = od_secret_alloc(n);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                od_secret_free(out);
                return NULL;
            }
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0 || (strict && (c < 0x20 || c == 0x7F))) {
            od_secret_free(out);
            return NULL;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* od_seterr("what: ERROR — DESCRIPTION") with both outside strings sanitized and cut to
 * whole characters. */
static int refused(const char *what, const char *err, const char *desc)
{
    char *e = od_sanitize(err), *d = od_sanitize(desc);
    char eb[128], db[300]; /* od_seterr keeps 511 bytes: never let it cut a character */
    od_fit(e, 80, eb, sizeof eb);
    od_fit(d, 300, db, sizeof db);
    od_seterr("%s: %s%s%s", what, eb, *db ? " — " : "", db);
    free(e);
    free(d);
    return -1;
}

static bool part_eq(const char *a, size_t an, const char *b, size_t bn, bool icase)
{
    return an == bn && (icase ? strncasecmp(a, b, an) == 0 : memcmp(a, b, an) == 0);
}

/* Split the query into code, state, error and error_description (each NULL when absent);
 * -1 for a duplicate or malformed one. */
static int scan_query(const char *q, size_t n, char **code, char **state, char **err, char **desc)
{
    const char *end = q + n;
    int rc = 0;
    while (q < end && rc == 0) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(pe - q));
        size_t klen = (size_t)((eq ? eq : pe) - q);
        char **slot = NULL;
        if (part_eq(q, klen, "code", 4, false))
            slot = code;
        else if (part_eq(q, klen, "state", 5, false))
            slot = state;
        else if (part_eq(q, klen, "error", 5, false))
            slot = err;
        else if (part_eq(q, klen, "error_description", 17, false))
            slot = desc;
        if (slot && *slot) {
            rc = od_seterr("the pasted URL has `%.*s` twice", (int)klen, q);
        } else if (slot) {
            *slot = eq ? pct_decode(eq + 1, (size_t)(pe - eq - 1), slot == code || slot == state)
                       : od_secret_strdup("");
            if (!*slot) rc = od_seterr("the pasted URL has a malformed `%.*s` value", (int)klen, q);
        }
        q = amp ? amp + 1 : end;
    }
    return rc;
}

/* Parse the query into code and state, or report its `error`. */
static int parse_query(const char *q, size_t n, char **code, char **state)
{
    char *err = NULL, *desc = NULL;
    int rc = scan_query(q, n, code, state, &err, &desc);
    if (rc == 0 && err) {
        rc = refused("the authorization was refused", err, desc);
    } else if (rc == 0 && (!*code || !**code)) {
        rc = od_seterr("the pasted URL has no `code`; copy the whole address from the browser");
    } else if (rc == 0 && (!*state || !**state)) {
        rc = od_seterr("the pasted URL has no `state`; copy the whole address from the browser");
    }
    od_secret_free(err);
    od_secret_free(desc);
    return rc;
}

/* The query of a pasted redirect after the strict checks of its text and of its scheme, host,
 * port and path against redirect_uri. */
static int redirect_query(const char *pasted, const char *redirect_uri, struct url_parts *got)
{
    struct url_parts want;
    size_t n = strlen(pasted);
    if (n > OD_OAUTH_MAX_PASTE)
        return od_seterr("the pasted text is too long (%zu bytes; limit %d)", n,
                         OD_OAUTH_MAX_PASTE);
    const char *s = pasted, *e = pasted + n;
    while (s < e && (isspace((unsigned char)*s) || *s == '"' || *s == '\'' || *s == '<'))
        s++;
    while (e > s &&
           (isspace((unsigned char)e[-1]) || e[-1] == '"' || e[-1] == '\'' || e[-1] == '>'))
        e--;
    if (s == e) return od_seterr("nothing was pasted; paste the whole address from the browser");
    for (const char *c = s; c < e; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7F)
            return od_seterr("the pasted URL contains spaces or control characters; paste the "
                             "address exactly as the browser shows it");
    if (split_url(redirect_uri, strlen(redirect_uri), &want, "hubspot.redirect_uri") != 0)
        return -1;
    if (split_url(s, (size_t)(e - s), got, "the pasted text") != 0) return -1;
    if (!part_eq(got->scheme, got->scheme_len, want.scheme, want.scheme_len, true) ||
        !part_eq(got->host, got->host_len, want.host, want.host_len, true) ||
        got->port != want.port ||
        !part_eq(got->path, got->path_len, want.path, want.path_len, false)) {
        char r[300];
        od_fit(redirect_uri, 200, r, sizeof r);
        return od_seterr("the pasted URL does not start with the redirect URI %s", r);
    }
    if (!got->query) return od_seterr("the pasted URL has no query (?code=...&state=...)");
    return 0;
}

int od_oauth_parse_redirect(const char *pasted, const char *redirect_uri, char **code, char **state)
{
    struct url_parts got;
    *code = *state = NULL;
    if (redirect_query(pasted, redirect_uri, &got) != 0) return -1;
    if (parse_query(got.query, got.query_len, code, state) != 0) {
        od_secret_free(*code);
        od_secret_free(*state);
        *code = *state = NULL;
        return -1;
    }
    return 0;
}

char *od_oauth_redirect_state(const char *url, const char *redirect_uri)
{
    struct url_parts got;
    char *code = NULL, *state = NULL, *err = NULL, *desc = NULL;
    if (redirect_query(url, redirect_uri, &got) == 0 &&
        scan_query(got.query, got.query_len, &code, &state, &err, &desc) == 0 && state && *state) {
        od_secret_free(code);
        od_secret_free(err);
        od_secret_free(desc);
        return state;
    }
    od_secret_free(code);
    od_secret_free(state);
    od_secret_free(err);
    od_secret_free(desc);
    return NULL;
}

bool od_oauth_flow_state_matches(const struct od_oauth_flow *f, const char *state)
{
    size_t want = strlen(f->state);
    return state && strlen(state) == want && sodium_memcmp(f->state, state, want) == 0;
}

int od_oauth_flow_check_state(struct od_oauth_flow *f, const char *state)
{
    size_t want = strlen(f->state), got = strlen(state);
    int64_t age = (int64_t)time(NULL) - f->created_s;
    if (f->used) return od_seterr("this authorization was already used; run the command again");
    f->used = 1;
    if (got != want || sodium_memcmp(f->state, state, want) != 0)
        return od_seterr("the `state` in the pasted URL does not match this request (an old or "
                         "someone else's link?); run the command again");
    if (age < 0 || age > OD_OAUTH_STATE_TTL_S)
        return od_seterr("the authorization took longer than %d minutes; run the command again",
                         OD_OAUTH_STATE_TTL_S / 60);
    return 0;
}

static bool token_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > OD_OAUTH_MAX_TOKEN) return false;
    for (; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7F) return false;
    return true;
}

static void wipe_strings(cJSON *item)
{
    for (; item; item = item->next) {
        if (cJSON_IsString(item) && item->valuestring)
            sodium_memzero(item->valuestring, strlen(item->valuestring));
        wipe_strings(item->child);
    }
}

static const char *json_str(const cJSON *root, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int token_error(const cJSON *root)
{
    const char *err = json_str(root, "error"), *desc = json_str(root, "error_description");
    if (!err) err = json_str(root, "status");
    if (!desc) desc = json_str(root, "message");
    return refused("the token endpoint refused", err ? err : "unknown error", desc);
}

int od_oauth_parse_token_response(const char *body, size_t len, int64_t now_s,
                                  struct od_oauth_tokens *out)
{
    const char *end = NULL;
    int rc = -1;
    memset(out, 0, sizeof *out);
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return od_seterr("the token endpoint answered with something that is not a JSON object");
    }
    const char *access = json_str(root, "access_token");
    const char *refresh = json_str(root, "refresh_token");
    const char *type = json_str(root, "token_type");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
    if (!access && (cJSON_GetObjectItemCaseSensitive(root, "error") ||
                    cJSON_GetObjectItemCaseSensitive(root, "status"))) {
        rc = token_error(root);
    } else if (!access || !token_ok(access)) {
        od_seterr("the token response has no valid access_token");
    } else if (cJSON_GetObjectItemCaseSensitive(root, "refresh_token") &&
               (!refresh || !token_ok(refresh))) {
        od_seterr("the token response has an invalid refresh_token");
    } else if (type && strcasecmp(type, "bearer") != 0) {
        od_seterr("the token response has a token_type other than bearer");
    } else if (!cJSON_IsNumber(exp) || exp->valuedouble < 1 || exp->valuedouble > 31536000 ||
               exp->valuedouble != (double)(int64_t)exp->valuedouble) {
        od_seterr("the token response has no valid expires_in (whole seconds, 1..31536000)");
    } else {
        out->access_token = od_secret_strdup(access);
        out->refresh_token = refresh ? od_secret_strdup(refresh) : NULL;
        out->expires_at = now_s + (int64_t)exp->valuedouble;
        rc = 0;
    }
    wipe_strings(root);
    cJSON_Delete(root);
    return rc;
}

void od_oauth_tokens_clear(struct od_oauth_tokens *t)
{
    od_secret_free(t->access_token);
    od_secret_free(t->refresh_token);
    memset(t, 0, sizeof *t);
}
