/* sim_oauth — HubSpot-style OAuth: GET /oauth/authorize (302 with a code), POST
 * /oauth/v1/token (authorization_code with optional PKCE S256, refresh_token).
 * Codes are single use and expire after --oauth-code-ttl; access tokens after
 * --access-token-ttl; with --rotate-refresh-tokens a refresh returns a new refresh token and the
 * old one stops working. Errors carry HubSpot's status/message and OAuth's error/error_description.
 */
#include "tests/sim/sim.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct code {
    char code[64], redirect[512], challenge[64];
    int64_t expires_ms;
    bool used;
};

struct token {
    char tok[80];
    int64_t expires_ms; /* access tokens; 0 for refresh tokens */
    bool valid;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct code *codes;
static size_t ncodes, capcodes;
static struct token *tokens;
static size_t ntokens, captokens;

void oauth_init(void)
{
    if (sodium_init() < 0) od_die("libsodium failed to initialise");
}

void oauth_release(void)
{
    free(codes);
    free(tokens);
    codes = NULL;
    tokens = NULL;
    ncodes = capcodes = ntokens = captokens = 0;
}

static void random_token(const char *prefix, char *out, size_t n)
{
    unsigned char raw[24];
    char hex[49];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    snprintf(out, n, "%s%s", prefix, hex);
}

/* Caller holds mu. */
static struct token *token_find(const char *tok)
{
    for (size_t i = 0; i < ntokens; i++)
        if (!strcmp(tokens[i].tok, tok)) return &tokens[i];
    return NULL;
}

static struct token *token_new(const char *prefix, int64_t expires_ms)
{
    if (ntokens == captokens) {
        captokens = captokens ? captokens * 2 : 16;
        tokens = od_xrealloc(tokens, captokens * sizeof *tokens);
    }
    struct token *t = &tokens[ntokens++];
    random_token(prefix, t->tok, sizeof t->tok);
    t->expires_ms = expires_ms;
    t->valid = true;
    return t;
}

int oauth_check_access(const char *tok, int64_t *expired_ago_s)
{
    int rc = 0;
    pthread_mutex_lock(&mu);
    struct token *t = strncmp(tok, "sim-at-", 7) ? NULL : token_find(tok);
    if (t) {
        int64_t now = od_wall_ms();
        rc = now < t->expires_ms ? 1 : -1;
        *expired_ago_s = (now - t->expires_ms) / 1000;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void oauth_expire_all(void)
{
    pthread_mutex_lock(&mu);
    int64_t now = od_wall_ms();
    for (size_t i = 0; i < ntokens; i++)
        if (tokens[i].expires_ms && tokens[i].expires_ms > now - 1) tokens[i].expires_ms = now - 1;
    pthread_mutex_unlock(&mu);
}

static void oauth_error(struct sim_req *r, const char *status, const char *error,
                        const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "message", message);
    cJSON_AddStringToObject(o, "error", error);
    cJSON_AddStringToObject(o, "error_description", message);
    resp_json(r, 400, o);
}

static void authorize(struct sim_req *r)
{
    const char *client = req_arg(r, "client_id"), *redirect = req_arg(r, "redirect_uri");
    const char *state = req_arg(r, "state"), *challenge = req_arg(r, "code_challenge");
    const char *method = req_arg(r, "code_challenge_method");
    if (!client || strcmp(client, sim_cfg.client_id)) {
        oauth_error(r, "BAD_CLIENT_ID", "invalid_client", "unknown client_id");
        return;
    }
    if (!redirect || strncmp(redirect, "http", 4) || strlen(redirect) >= 512) {
        oauth_error(r, "BAD_REDIRECT_URI", "invalid_request", "redirect_uri missing or invalid");
        return;
    }
    if (challenge && ((method && strcmp(method, "S256")) || strlen(challenge) >= 64)) {
        oauth_error(r, "BAD_CODE_CHALLENGE", "invalid_request",
                    "only code_challenge_method=S256 is supported");
        return;
    }
    pthread_mutex_lock(&mu);
    if (ncodes == capcodes) {
        capcodes = capcodes ? capcodes * 2 : 16;
        codes = od_xrealloc(codes, capcodes * sizeof *codes);
    }
    struct code *c = &codes[ncodes++];
    memset(c, 0, sizeof *c);
    random_token("sim-code-", c->code, sizeof c->code);
    snprintf(c->redirect, sizeof c->redirect, "%s", redirect);
    snprintf(c->challenge, sizeof c->challenge, "%s", challenge ? challenge : "");
    c->expires_ms = od_wall_ms() + sim_cfg.code_ttl_s * 1000;
    struct strbuf loc = STRBUF_INIT;
    sb_addf(&loc, "%s%ccode=%s", redirect, strchr(redirect, '?') ? '&' : '?', c->code);
    pthread_mutex_unlock(&mu);
    if (state) {
        sb_add(&loc, "&state=");
        url_encode(&loc, state);
    }
    resp_header(r, "Location", sb_str(&loc));
    resp_raw(r, 302, "text/plain", "Redirecting");
    sb_release(&loc);
}

static bool pkce_ok(const char *challenge, const char *verifier)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char b64[64];
    if (!*challenge) return true;
    if (!verifier) return false;
    crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
    sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return strcmp(b64, challenge) == 0;
}

/* Check the code grant; caller holds mu. NULL on success, else the error message. */
static const char *redeem_code(const char *code, const char *redirect, const char *verifier,
                               const char **status)
{
    *status = "BAD_AUTH_CODE";
    for (size_t i = 0; code && i < ncodes; i++) {
        struct code *c = &codes[i];
        if (strcmp(c->code, code)) continue;
        if (c->used) return "auth code has already been used";
        if (od_wall_ms() >= c->expires_ms) return "auth code is expired";
        if (!redirect || strcmp(redirect, c->redirect)) {
            *status = "BAD_REDIRECT_URI";
            return "redirect_uri does not match the one used to get the code";
        }
        if (!pkce_ok(c->challenge, verifier))
            return "code_verifier does not match the code_challenge";
        c->used = true;
        return NULL;
    }
    return "missing or unknown auth code";
}

static void token(struct sim_req *r)
{
    const char *body = r->body.buf ? r->body.buf : "";
    char *grant = form_get(body, "grant_type"), *cid = form_get(body, "client_id");
    char *secret = form_get(body, "client_secret"), *code = form_get(body, "code");
    char *redirect = form_get(body, "redirect_uri"), *verifier = form_get(body, "code_verifier");
    char *refresh = form_get(body, "refresh_token");
    const char *status = NULL, *err = NULL, *oerr = "invalid_grant";
    pthread_mutex_lock(&mu);
    struct token *rt = NULL;
    if (!cid || strcmp(cid, sim_cfg.client_id)) {
        status = "BAD_CLIENT_ID", err = "missing or unknown client_id", oerr = "invalid_client";
    } else if (!secret || strcmp(secret, sim_cfg.client_secret)) {
        status = "BAD_CLIENT_SECRET", err = "client_secret does not match", oerr = "invalid_client";
    } else if (grant && !strcmp(grant, "authorization_code")) {
        err = redeem_code(code, redirect, verifier, &status);
        if (!err) rt = token_new("na1-sim-", 0);
    } else if (grant && !strcmp(grant, "refresh_token")) {
        rt = refresh && !strncmp(refresh, "na1-sim-", 8) ? token_find(refresh) : NULL;
        if (!rt || !rt->valid) {
            status = "BAD_REFRESH_TOKEN", err = "refresh token is invalid, expired or revoked";
            rt = NULL;
        } else if (sim_cfg.rotate_refresh) {
            rt->valid = false;
            rt = token_new("na1-sim-", 0);
        }
    } else {
        status = "BAD_GRANT_TYPE", err = "grant_type must be authorization_code or refresh_token";
        oerr = "unsupported_grant_type";
    }
    if (rt) {
        char refresh_tok[80];
        snprintf(refresh_tok, sizeof refresh_tok, "%s", rt->tok); /* token_new may move rt */
        struct token *at = token_new("sim-at-", od_wall_ms() + sim_cfg.access_ttl_s * 1000);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "token_type", "bearer");
        cJSON_AddStringToObject(o, "refresh_token", refresh_tok);
        cJSON_AddStringToObject(o, "access_token", at->tok);
        od_json_add_i64(o, "expires_in", sim_cfg.access_ttl_s);
        pthread_mutex_unlock(&mu);
        resp_json(r, 200, o);
    } else {
        pthread_mutex_unlock(&mu);
        oauth_error(r, status, oerr, err);
    }
    char *all[] = {grant, cid, secret, code, redirect, verifier, refresh};
    for (size_t i = 0; i < OD_ARRAY_LEN(all); i++) {
        if (all[i]) od_wipe(all[i], strlen(all[i]));
        free(all[i]);
    }
}

void oauth_handle(struct sim_req *r, const char *path)
{
    if (!strcmp(path, "/oauth/authorize") && !strcmp(r->method, "GET"))
        authorize(r);
    else if (!strcmp(path, "/oauth/v1/token") && !strcmp(r->method, "POST"))
        token(r);
    else
        hubspot_error(r, 404, "OBJECT_NOT_FOUND", "Unknown OAuth endpoint in the simulator");
}
