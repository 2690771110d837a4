/* cmd_connect — `opsdeck connect hubspot|harvest|status`: store provider credentials, sealed
 * by the vault (core/security/credentials.h). Tokens are read from the terminal (echo off) or
 * stdin, never from argv or the environment. The HubSpot OAuth flow prints the authorize URL and
 * reads the redirected URL pasted back (works over SSH), or catches it on a loopback port. */
#include "cmd/command.h"
#include "core/security/auth.h"
#include "core/base/config.h"
#include "core/security/credentials.h"
#include "core/db/db.h"
#include "core/security/oauth.h"
#include "core/security/password.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt connect_hubspot_opts[] = {
    {.name = "--listen",
     .arg = "PORT",
     .kind = OD_CLI_TEXT,
     .help = "catch the OAuth redirect on 127.0.0.1:PORT instead of pasting the address"},
    {.name = "--private-app",
     .help = "store a private app access token (read from stdin) instead of OAuth"},
    {0}};
static const struct od_cli_opt connect_harvest_opts[] = {
    {.name = "--account-id",
     .arg = "ID",
     .kind = OD_CLI_TEXT,
     .required = true,
     .help = "the Harvest account; its personal access token is read from stdin"},
    {0}};
static const struct od_subcommand connect_subs[] = {
    {.name = "hubspot",
     .help = "connect HubSpot through OAuth: open the printed URL, paste the address "
             "the browser ends up on",
     .opts = connect_hubspot_opts},
    {.name = "harvest",
     .help = "store a Harvest personal access token",
     .opts = connect_harvest_opts},
    {.name = "status", .help = "what is stored: provider, name, key id, expiry (never the secret)"},
    {.name = "refresh",
     .help = "refresh the HubSpot OAuth access token now (checks the connection)"},
    {0}};

static const char usage[] =
    "usage: opsdeck connect hubspot [--listen PORT]\n"
    "       opsdeck connect hubspot --private-app\n"
    "       opsdeck connect harvest --account-id ID\n"
    "       opsdeck connect status\n"
    "       opsdeck connect refresh\n\n"
    "  hubspot                OAuth: prints a URL to open in any browser; after approving,\n"
    "                         paste the address the browser ends up on. Needs hubspot.client_id,\n"
    "                         hubspot.client_secret and hubspot.redirect_uri.\n"
    "    --listen PORT        instead of pasting, catch the redirect on 127.0.0.1:PORT (a local\n"
    "                         browser, or one reached through ssh -L PORT:127.0.0.1:PORT);\n"
    "                         requests without this sign-in's state are answered 400 and\n"
    "                         ignored, and the browser is told \"connected\" only once the\n"
    "                         tokens are stored\n"
    "    --private-app        store a private app access token (read from stdin) instead\n"
    "  harvest --account-id ID  store a Harvest personal access token (read from stdin)\n"
    "  status                 what is stored: provider, name, key id, expiry (never the secret)\n"
    "  refresh                refresh the HubSpot OAuth access token now (checks the "
    "connection)\n\n"
    "Exit status: 0 success, 1 failure, 2 usage.\n";

const struct od_command cmd_connect_def = {
    .name = "connect",
    .summary = "Connect HubSpot or Harvest (tokens stored encrypted)",
    .usage = usage,
    .run = run,
    .subs = connect_subs,
};

#define LISTEN_TIMEOUT_S 600

static int fail(const char *msg)
{
    char *clean = od_sanitize(msg);
    fprintf(stderr, "opsdeck connect: %s\n", clean);
    free(clean);
    return 1;
}

/* A token read from stdin: printable ASCII without spaces. */
static char *read_token(const char *prompt)
{
    char *t = od_secret_prompt(prompt, OD_OAUTH_MAX_TOKEN, false);
    if (!t) return NULL;
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7F) {
            od_secret_free(t);
            od_seterr("the token has spaces or unexpected characters; paste it exactly");
            return NULL;
        }
    if (n == 0) {
        od_secret_free(t);
        od_seterr("no token was entered");
        return NULL;
    }
    return t;
}

static void audit_connect(struct od_pool *pool, const char *provider, const char *how)
{
    PGconn *c = od_pool_acquire(pool, 5000);
    if (c) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"method\":\"%s\"}", how);
        od_audit(c, 0, "cli", "connection.set", provider, od_config_login_source(), "ok", detail);
        od_pool_release(pool, c);
    }
}

static int connect_harvest(struct od_pool *pool, struct od_vault *v, const char *account)
{
    char *tok = read_token("Harvest personal access token: ");
    if (!tok) return fail(od_err());
    int rc = od_cred_put(pool, v, "harvest", "token", tok, 0, account);
    od_secret_free(tok);
    if (rc != 0) return fail(od_err());
    audit_connect(pool, "harvest", "personal_access_token");
    printf("Harvest token stored for account %s (encrypted with key id %u).\n", account,
           od_vault_current_id(v));
    return 0;
}

static int hubspot_private_app(struct od_pool *pool, struct od_vault *v)
{
    char *tok = read_token("HubSpot private app access token: ");
    if (!tok) return fail(od_err());
    /* one kind of HubSpot credential at a time */
    int rc = od_cred_delete(pool, "hubspot", NULL);
    if (rc == 0) rc = od_cred_put(pool, v, "hubspot", "private_app", tok, 0, NULL);
    od_secret_free(tok);
    if (rc != 0) return fail(od_err());
    audit_connect(pool, "hubspot", "private_app");
    printf("HubSpot private app token stored (encrypted with key id %u).\n",
           od_vault_current_id(v));
    return 0;
}

static const struct od_oauth_client *client_of(const struct od_config *cfg,
                                               struct od_oauth_client *c)
{
    *c = (struct od_oauth_client){cfg->hubspot.auth_url,     cfg->hubspot.base_url,
                                  cfg->hubspot.client_id,    cfg->hubspot.client_secret,
                                  cfg->hubspot.redirect_uri, cfg->hubspot.scopes,
                                  cfg->sync.http_timeout_s};
    return c;
}

/* Everything after the redirect of this flow: exchange its code, store the tokens. On the
 * listener's thread with --listen (the browser's "connected" page waits for it). */
struct oauth_finish {
    const struct od_oauth_client *client;
    const struct od_oauth_flow *flow;
    struct od_pool *pool;
    struct od_vault *vault;
};

static int oauth_store(void *arg, const char *code)
{
    struct oauth_finish *o = arg;
    struct od_oauth_tokens t = {0};
    PGconn *c = NULL;
    int rc = -1;
    if (od_oauth_exchange(o->client, code, o->flow, &t) == 0 &&
        (c = od_pool_acquire(o->pool, 5000)) && od_cred_replace_oauth(c, o->vault, &t) == 0) {
        char when[32];
        od_time_format_ms(t.expires_at * 1000, when, sizeof when);
        printf("Connected to HubSpot; access token valid until %s (refreshed automatically).\n",
               when);
        fflush(stdout);
        rc = 0;
    }
    if (c) od_pool_release(o->pool, c);
    od_oauth_tokens_clear(&t);
    return rc;
}

static int hubspot_oauth(const struct od_config *cfg, struct od_pool *pool, struct od_vault *v,
                         int port)
{
    const struct od_oauth_client client = {cfg->hubspot.auth_url,     cfg->hubspot.base_url,
                                           cfg->hubspot.client_id,    cfg->hubspot.client_secret,
                                           cfg->hubspot.redirect_uri, cfg->hubspot.scopes,
                                           cfg->sync.http_timeout_s};
    if (!client.client_id || !*client.client_id || !client.client_secret ||
        !*client.client_secret || !client.redirect_uri || !*client.redirect_uri)
        return fail("set hubspot.client_id, hubspot.client_secret and hubspot.redirect_uri "
                    "(or OPSDECK_HUBSPOT_CLIENT_ID ...) first, or use --private-app");
    struct od_oauth_flow *f = od_oauth_flow_new();
    struct oauth_finish fin = {&client, f, pool, v};
    char *url = od_oauth_authorize_url(&client, f), *clean = od_sanitize(url);
    char *pasted = NULL, *code = NULL, *state = NULL;
    int rc = 1;
    fprintf(stderr, "Open this address in a browser and approve access:\n\n  %s\n\n", clean);
    if (port > 0) {
        fprintf(stderr, "Waiting for the redirect on 127.0.0.1:%d (10 minutes) ...\n", port);
        if (od_oauth_listen(port, client.redirect_uri, f, LISTEN_TIMEOUT_S, oauth_store, &fin) == 0)
            rc = 0;
    } else {
        fprintf(stderr, "Then paste the full address your browser ends up on (it may show an "
                        "error page; that is fine):\n");
        pasted = od_secret_prompt("> ", OD_OAUTH_MAX_PASTE, true);
        if (pasted && od_oauth_parse_redirect(pasted, client.redirect_uri, &code, &state) == 0 &&
            od_oauth_flow_check_state(f, state) == 0 && oauth_store(&fin, code) == 0)
            rc = 0;
    }
    if (rc != 0)
        fail(od_err());
    else
        audit_connect(pool, "hubspot", "oauth");
    od_secret_free(pasted);
    od_secret_free(code);
    od_secret_free(state);
    od_oauth_flow_free(f);
    free(url);
    free(clean);
    return rc;
}

static int refresh_now(const struct od_config *cfg, struct od_pool *pool, struct od_vault *v)
{
    struct od_oauth_client client;
    char *old = NULL, *fresh = NULL;
    int64_t exp = 0;
    if (od_cred_get(pool, v, "hubspot", "access_token", &old, &exp) != 0) return fail(od_err());
    int rc = od_cred_hubspot_token(pool, v, client_of(cfg, &client), old, &fresh);
    od_secret_free(old);
    od_secret_free(fresh);
    if (rc != 0) return fail(od_err());
    printf("HubSpot access token refreshed.\n");
    return 0;
}

static int status(struct od_pool *pool)
{
    struct od_cred_info *ci;
    size_t n;
    PGconn *c = od_pool_acquire(pool, 5000);
    if (!c) return fail(od_err());
    int rc = od_cred_list(c, 0, &ci, &n);
    od_pool_release(pool, c);
    if (rc < 0) return fail(od_err());
    static const int w[] = {9, 14, 12, 6, 0};
    struct strbuf sb = STRBUF_INIT;
    for (long i = -1; i < (long)n; i++) {
        char key[16] = "", exp[32] = "never";
        if (i >= 0) {
            snprintf(key, sizeof key, "%u", ci[i].key_id);
            if (ci[i].expires_at) {
                time_t t = (time_t)ci[i].expires_at;
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(exp, sizeof exp, "%Y-%m-%d %H:%M:%S", &tm);
            }
        }
        const char *const head[] = {"PROVIDER", "NAME", "ACCOUNT", "KEY", "EXPIRES (UTC)"};
        const char *const row[] = {i < 0 ? "" : ci[i].provider, i < 0 ? "" : ci[i].name,
                                   i < 0 || !ci[i].account_id ? "" : ci[i].account_id, key, exp};
        for (int k = 0; k < 5; k++) {
            const char *v = i < 0 ? head[k] : row[k];
            if (w[k]) {
                od_pad_cell(&sb, v, w[k], false);
                sb_addch(&sb, ' ');
            } else {
                od_sanitize_to(&sb, v, strlen(v));
            }
        }
        sb_addch(&sb, '\n');
    }
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
    if (n == 0) printf("nothing stored; run: opsdeck connect hubspot | harvest\n");
    od_cred_list_free(ci, n);
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "", *account = NULL;
    int private_app = 0;
    long port = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--private-app"))
            private_app = 1;
        else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
            if (od_parse_long(argv[++i], 1, 65535, &port) != 0)
                return od_cmd_usage_error(&cmd_connect_def, "--listen needs a port 1..65535");
        } else if (!strcmp(argv[i], "--account-id") && i + 1 < argc)
            account = argv[++i];
        else
            return od_cmd_usage_error(&cmd_connect_def, "unexpected argument '%s'", argv[i]);
    }
    int is_hub = !strcmp(what, "hubspot"), is_harvest = !strcmp(what, "harvest");
    int is_refresh = !strcmp(what, "refresh");
    if (!is_hub && !is_harvest && !is_refresh && strcmp(what, "status"))
        return od_cmd_usage_error(&cmd_connect_def, "say hubspot, harvest, status or refresh");
    if ((private_app || port) && !is_hub)
        return od_cmd_usage_error(&cmd_connect_def, "--private-app/--listen are for hubspot");
    if (private_app && port)
        return od_cmd_usage_error(&cmd_connect_def, "--private-app takes no --listen");
    if (is_harvest && (!account || strspn(account, "0123456789") != strlen(account) || !*account))
        return od_cmd_usage_error(&cmd_connect_def, "harvest needs --account-id ID (digits)");
    if (!is_harvest && account)
        return od_cmd_usage_error(&cmd_connect_def, "--account-id is for harvest");
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-connect");
    if (!pool) return fail(od_err());
    struct od_vault *v = NULL;
    int rc;
    if (!strcmp(what, "status"))
        rc = status(pool);
    else if (!(v = od_vault_open(ctx->cfg->secrets.key_file)))
        rc = fail(od_err());
    else if (is_harvest)
        rc = connect_harvest(pool, v, account);
    else if (is_refresh)
        rc = refresh_now(ctx->cfg, pool, v);
    else if (private_app)
        rc = hubspot_private_app(pool, v);
    else
        rc = hubspot_oauth(ctx->cfg, pool, v, (int)port);
    od_vault_close(v);
    od_pool_close(pool);
    return rc;
}
