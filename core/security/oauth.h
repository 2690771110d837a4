/* oauth — OAuth 2.0 authorization code flow with PKCE (S256) and a single-use state, for a
 * terminal over SSH (the redirect URL is pasted back) or a loopback listener.
 *
 *   struct od_oauth_flow *f = od_oauth_flow_new();                 // verifier, challenge, state
 *   char *url = od_oauth_authorize_url(&client, f);                // show to the person
 *   od_oauth_parse_redirect(pasted, client.redirect_uri, &code, &state);
 *   od_oauth_flow_check_state(f, state);                           // once, within 10 minutes
 *   od_oauth_exchange(&client, code, f, &tokens);                  // POST {base}/oauth/v1/token
 *   ... od_oauth_tokens_clear(&tokens); od_oauth_flow_free(f);
 *
 * Secrets (verifier, state, tokens, client secret copies) live in sodium_malloc'd memory.
 * Token endpoint requests are form POSTs over https (plain http only to a loopback host, for
 * the simulator); nothing secret goes in a URL or a log line. Response bodies are capped and
 * parsed strictly (od_oauth_parse_token_response), also exposed for the fuzzer. */
#ifndef OD_OAUTH_H
#define OD_OAUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define OD_OAUTH_STATE_TTL_S 600
#define OD_OAUTH_MAX_PASTE 8192
#define OD_OAUTH_MAX_TOKEN 4096

struct od_oauth_client {
    const char *auth_url;   /* e.g. https://app.hubspot.com (authorize page) */
    const char *token_base; /* e.g. https://api.hubapi.com (token endpoint host) */
    const char *client_id;
    const char *client_secret; /* borrowed */
    const char *redirect_uri;
    const char *scopes; /* space separated */
    int timeout_s;      /* 0 = 30 */
};

struct od_oauth_flow {
    char verifier[129];
    char challenge[64];
    char state[64];
    int64_t created_s; /* wall clock seconds */
    int used;
};

struct od_oauth_tokens {
    char *access_token;  /* sodium_malloc'd */
    char *refresh_token; /* sodium_malloc'd; NULL when the response had none */
    int64_t expires_at;  /* wall clock seconds */
};

/* New flow in sodium_malloc'd memory (43-char verifier from 32 random bytes). */
struct od_oauth_flow *od_oauth_flow_new(void);
void od_oauth_flow_free(struct od_oauth_flow *f);
/* base64url(SHA-256(verifier)) without padding into out (>= 44 bytes). */
int od_oauth_pkce_challenge(const char *verifier, char *out, size_t n);

/* Percent-encode s (RFC 3986 unreserved kept) and append to sb. */
void od_url_encode_to(struct strbuf *sb, const char *s);

/* Authorize URL (caller frees). */
char *od_oauth_authorize_url(const struct od_oauth_client *c, const struct od_oauth_flow *f);

/* Strict parse of a pasted redirect URL. Surrounding whitespace, quotes and <> are trimmed.
 * Scheme, host, port and path must equal redirect_uri's; the query must hold exactly one
 * `code` and one `state` (percent-decoded), or an `error` which is reported.
 * *code and *state are sodium_malloc'd (free with od_secret_free). */
int od_oauth_parse_redirect(const char *pasted, const char *redirect_uri, char **code,
                            char **state);
/* Constant-time compare with the flow's state; single use; expires after 10 minutes. */
int od_oauth_flow_check_state(struct od_oauth_flow *f, const char *state);
/* The `state` of a redirect to redirect_uri (checked as strictly as a paste), also when it
 * carries an `error`; NULL when it has none or is malformed. sodium_malloc'd. */
char *od_oauth_redirect_state(const char *url, const char *redirect_uri);
/* Constant-time compare with the flow's state, without using it up (for telling whether a
 * request belongs to this flow at all). */
bool od_oauth_flow_state_matches(const struct od_oauth_flow *f, const char *state);

/* Parse a token endpoint response body (JSON). now_s is the wall clock used for expires_at.
 * An OAuth error body ({"error":...}) becomes -1 with the error and description. */
int od_oauth_parse_token_response(const char *body, size_t len, int64_t now_s,
                                  struct od_oauth_tokens *out);

/* grant_type=authorization_code with the flow's code_verifier. */
int od_oauth_exchange(const struct od_oauth_client *c, const char *code,
                      const struct od_oauth_flow *f, struct od_oauth_tokens *out);
/* grant_type=refresh_token. */
int od_oauth_refresh(const struct od_oauth_client *c, const char *refresh_token,
                     struct od_oauth_tokens *out);

void od_oauth_tokens_clear(struct od_oauth_tokens *t);

/* What to do with the code of the redirect that belongs to the flow: exchange it and keep
 * the tokens. 0, or -1 with od_seterr. Runs on the listener's thread, while the browser waits
 * for its answer. */
typedef int (*od_oauth_code_fn)(void *arg, const char *code);

/* Loopback listener: serve 127.0.0.1:port for up to timeout_s. A GET of redirect_uri's path
 * whose `state` is not this flow's (none, wrong, malformed URL) is answered 400 and the
 * listener keeps waiting: any local process can reach the port, and only the browser of the
 * person who started the flow knows the state. The first redirect with the flow's state ends
 * it: its error is reported, or the state is used up (od_oauth_flow_check_state) and
 * on_code runs with its code; the browser gets the "connected" page only when on_code
 * succeeded, an error page otherwise. Other paths get 404. Returns 0 when on_code succeeded,
 * -1 with od_seterr (timeout, refusal, on_code's error) otherwise. */
int od_oauth_listen(int port, const char *redirect_uri, struct od_oauth_flow *f, int timeout_s,
                    od_oauth_code_fn on_code, void *arg);

#endif
