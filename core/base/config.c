/* config — defaults, INI file, OPSDECK_<SECTION>_<KEY> overrides, validation. See config.h.
 * Every key is one row of `keys[]`: adding a key means adding a field and a row. */
#include "core/base/config.h"
#include "core/base/url.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum key_type { K_STR, K_INT, K_URL, K_ENUM, K_RATE };

struct key {
    const char *section;
    const char *name;
    enum key_type type;
    size_t off;
    const char *def;     /* default as text; NULL = unset */
    long min, max;       /* K_INT */
    const char *allowed; /* K_ENUM: "a|b|c" */
    int flags;           /* SECRET, ENV_ONLY */
    const char *doc;
};

enum { SECRET = 1, ENV_ONLY = 2 }; /* redacted in output; refused in the file */

#define F(f) offsetof(struct od_config, f)
static const struct key keys[] = {
    {"database", "url", K_STR, F(database.url), NULL, 0, 0, NULL, SECRET,
     "libpq connection URL or conninfo; empty: libpq defaults (PG* variables, service file, "
     ".pgpass)"},
    {"database", "pool_size", K_INT, F(database.pool_size), "8", 1, 256, NULL, 0,
     "maximum connections in the pool"},
    {"database", "statement_timeout_ms", K_INT, F(database.statement_timeout_ms), "30000", 100,
     3600000, NULL, 0, "statement_timeout set on each connection"},
    {"database", "lock_timeout_ms", K_INT, F(database.lock_timeout_ms), "5000", 10, 3600000, NULL,
     0, "lock_timeout set on each connection"},
    {"database", "idle_in_transaction_timeout_ms", K_INT, F(database.idle_tx_timeout_ms), "60000",
     100, 3600000, NULL, 0, "idle_in_transaction_session_timeout set on each connection"},
    {"database", "connect_timeout_s", K_INT, F(database.connect_timeout_s), "5", 1, 120, NULL, 0,
     "deadline for establishing one connection"},
    {"database", "acquire_timeout_ms", K_INT, F(database.acquire_timeout_ms), "10000", 1, 600000,
     NULL, 0, "how long a thread waits for a free pooled connection"},
    {"secrets", "key_file", K_STR, F(secrets.key_file), NULL, 0, 0, NULL, 0,
     "master key file (0600/0400, owned by the user); default $XDG_CONFIG_HOME/opsdeck/master.key"},
    {"harvest", "base_url", K_URL, F(harvest.base_url), "https://api.harvestapp.com", 0, 0, NULL, 0,
     "Harvest API base URL"},
    {"harvest", "id_url", K_URL, F(harvest.id_url), "https://id.getharvest.com", 0, 0, NULL, 0,
     "Harvest ID (OAuth) base URL"},
    {"harvest", "user_agent", K_STR, F(harvest.user_agent), "opsdeck (ops@example.com)", 0, 0, NULL,
     0, "User-Agent sent to Harvest (Harvest requires one with a contact)"},
    {"harvest", "account_id", K_STR, F(harvest.account_id), NULL, 0, 0, NULL, 0,
     "Harvest-Account-Id (normally stored by `opsdeck connect harvest`)"},
    {"harvest", "token", K_STR, F(harvest.token), NULL, 0, 0, NULL, SECRET | ENV_ONLY,
     "Harvest personal access token when none is stored (`opsdeck connect harvest`)"},
    {"harvest", "per_page", K_INT, F(harvest.per_page), "2000", 1, 2000, NULL, 0,
     "page size for Harvest listings"},
    {"hubspot", "base_url", K_URL, F(hubspot.base_url), "https://api.hubapi.com", 0, 0, NULL, 0,
     "HubSpot API base URL (also /oauth/v1/token)"},
    {"hubspot", "auth_url", K_URL, F(hubspot.auth_url), "https://app.hubspot.com", 0, 0, NULL, 0,
     "HubSpot authorize base URL (/oauth/authorize)"},
    {"hubspot", "client_id", K_STR, F(hubspot.client_id), NULL, 0, 0, NULL, 0, "OAuth client id"},
    {"hubspot", "client_secret", K_STR, F(hubspot.client_secret), NULL, 0, 0, NULL, SECRET,
     "OAuth client secret"},
    {"hubspot", "redirect_uri", K_URL, F(hubspot.redirect_uri), "http://127.0.0.1:8765/callback", 0,
     0, NULL, 0, "OAuth redirect URI registered with the app"},
    {"hubspot", "scopes", K_STR, F(hubspot.scopes),
     "crm.objects.deals.read crm.objects.companies.read crm.objects.owners.read", 0, 0, NULL, 0,
     "OAuth scopes, space separated"},
    {"hubspot", "portal_id", K_STR, F(hubspot.portal_id), NULL, 0, 0, NULL, 0,
     "HubSpot portal (hub) id naming the rate-limit bucket and sync cursors; unset: `default`"},
    {"hubspot", "token", K_STR, F(hubspot.token), NULL, 0, 0, NULL, SECRET | ENV_ONLY,
     "HubSpot private-app or access token when none is stored (`opsdeck connect hubspot`)"},
    {"sync", "workers", K_INT, F(sync.workers), "2", 0, 64, NULL, 0,
     "sync worker threads inside the console (0 = none)"},
    {"sync", "interval_minutes", K_INT, F(sync.interval_minutes), "15", 1, 1440, NULL, 0,
     "period of scheduled incremental syncs"},
    {"sync", "heartbeat_s", K_INT, F(sync.heartbeat_s), "5", 1, 300, NULL, 0,
     "job heartbeat period"},
    {"sync", "rescue_after_s", K_INT, F(sync.rescue_after_s), "30", 2, 3600, NULL, 0,
     "a running job without heartbeat this long is rescued"},
    {"sync", "max_attempts", K_INT, F(sync.max_attempts), "8", 1, 100, NULL, 0,
     "attempts before a job is dead"},
    {"sync", "overlap_s", K_INT, F(sync.overlap_s), "300", 0, 86400, NULL, 0,
     "safety overlap subtracted from incremental cursors"},
    {"sync", "http_timeout_s", K_INT, F(sync.http_timeout_s), "30", 1, 600, NULL, 0,
     "timeout of one HTTP request"},
    {"sync", "reconcile_days", K_INT, F(sync.reconcile_days), "90", 1, 3650, NULL, 0,
     "window of time entries re-listed by the nightly reconcile"},
    {"http", "retry_after_cap_s", K_INT, F(http.retry_after_cap_s), "60", 1, 3600, NULL, 0,
     "longest wait one Retry-After (429/503) may impose: the shared rate limit is held at most "
     "this long per 429 and no thread waits longer; a longer Retry-After makes the job retry "
     "later with its backoff, the reason in its error"},
    {"http", "max_body_bytes", K_INT, F(http.max_body_bytes), "8388608", 1048576, 268435456, NULL,
     0,
     "largest response body accepted (a Harvest page of 2000 entries is about 2 MiB); a larger "
     "one (by Content-Length or while streaming) fails the request"},
    {"http", "backoff_ms", K_INT, F(http.backoff_ms), "500", 1, 60000, NULL, 0,
     "base of the exponential backoff between retries of a failed request (capped at 15 s)"},
    {"breaker", "threshold", K_INT, F(breaker.threshold), "5", 1, 100000, NULL, 0,
     "consecutive failed requests to a provider that open its circuit breaker"},
    {"breaker", "open_ms", K_INT, F(breaker.open_ms), "30000", 1, 86400000, NULL, 0,
     "how long an open circuit breaker refuses requests before one probe"},
    {"ui", "theme", K_STR, F(ui.theme), "default", 0, 0, NULL, 0,
     "theme name (themes/NAME.theme) or path"},
    {"ui", "refresh_ms", K_INT, F(ui.refresh_ms), "1000", 100, 600000, NULL, 0,
     "floor on the live refresh interval"},
    {"log", "file", K_STR, F(log.file), NULL, 0, 0, NULL, 0,
     "log file, created 0600 (rotated files too); default $XDG_STATE_HOME/opsdeck/opsdeck.log "
     "(stderr for headless commands)"},
    {"log", "level", K_ENUM, F(log.level), "info", 0, 0, "debug|info|warn|error", 0, "log level"},
    {"log", "max_kb", K_INT, F(log.max_kb), "10240", 16, 1048576, NULL, 0,
     "rotate the log file past this size"},
    {"log", "keep", K_INT, F(log.keep), "5", 0, 100, NULL, 0, "rotated log files kept"},
    {"auth", "max_failures", K_INT, F(auth.max_failures), "5", 1, 100, NULL, 0,
     "failed logins per window that lock an account (4 x for a source)"},
    {"auth", "lockout_minutes", K_INT, F(auth.lockout_minutes), "15", 1, 10080, NULL, 0,
     "how long a lock lasts; also the window failures count in"},
    {"auth", "session_idle_minutes", K_INT, F(auth.session_idle_minutes), "30", 1, 1440, NULL, 0,
     "idle session timeout"},
    {"auth", "session_absolute_hours", K_INT, F(auth.session_absolute_hours), "12", 1, 720, NULL, 0,
     "absolute session timeout"},
    {"rules", "low_margin_pct", K_INT, F(rules.low_margin_pct), "20", -1000, 100, NULL, 0,
     "low_margin: margin % below this"},
    {"rules", "over_budget_pct", K_INT, F(rules.over_budget_pct), "100", 1, 10000, NULL, 0,
     "over_budget: budget burn above this %"},
    {"rules", "sync_stale_minutes", K_INT, F(rules.sync_stale_minutes), "120", 1, 100000, NULL, 0,
     "sync_stale: no successful sync for this long"},
    {"rules", "token_expiring_minutes", K_INT, F(rules.token_expiring_minutes), "10", 1, 100000,
     NULL, 0, "token_expiring: token expires within this"},
    {"rules", "dead_letter_warn", K_INT, F(rules.dead_letter_warn), "1", 1, 1000000, NULL, 0,
     "dead_letter: open dead letters at or above this"},
    {"health", "db_latency_warn_ms", K_INT, F(health.db_latency_warn_ms), "100", 1, 600000, NULL, 0,
     "database:latency warn threshold"},
    {"health", "db_latency_fail_ms", K_INT, F(health.db_latency_fail_ms), "1000", 1, 600000, NULL,
     0, "database:latency fail threshold"},
    {"health", "queue_age_warn_s", K_INT, F(health.queue_age_warn_s), "300", 1, 864000, NULL, 0,
     "queue: oldest available job age warn threshold"},
    {"health", "sync_lag_warn_minutes", K_INT, F(health.sync_lag_warn_minutes), "60", 1, 100000,
     NULL, 0, "sync lag warn threshold"},
    {"health", "check_timeout_ms", K_INT, F(health.check_timeout_ms), "3000", 100, 60000, NULL, 0,
     "deadline of one health check"},
    {"health", "long_tx_warn_s", K_INT, F(health.long_tx_warn_s), "300", 1, 86400, NULL, 0,
     "database:long_transactions warns past this age"},
    {"health", "dead_jobs_window_h", K_INT, F(health.dead_jobs_window_h), "24", 1, 720, NULL, 0,
     "queue:dead counts dead jobs of this many recent hours"},
    {"health", "backup_dir", K_STR, F(health.backup_dir), NULL, 0, 0, NULL, 0,
     "where backup:age looks for `opsdeck backup` files; default $XDG_STATE_HOME/opsdeck/backups"},
    {"health", "backup_warn_hours", K_INT, F(health.backup_warn_hours), "26", 1, 87600, NULL, 0,
     "backup:age warns when the newest backup is older than this"},
    {"health", "backup_fail_hours", K_INT, F(health.backup_fail_hours), "50", 1, 87600, NULL, 0,
     "backup:age fails when the newest backup is older than this"},
    {"metrics", "listen", K_STR, F(metrics.listen), NULL, 0, 0, NULL, 0,
     "ADDR:PORT for /metrics and /healthz (worker); empty: off. Unauthenticated: keep it on "
     "loopback (a warning is logged otherwise)"},
    {"metrics", "healthz_refresh_s", K_INT, F(metrics.healthz_refresh_s), "15", 1, 3600, NULL, 0,
     "/healthz answers from a snapshot of the health checks refreshed at most this often; it "
     "never calls Harvest or HubSpot"},
    {"ratelimit", "harvest", K_RATE, F(ratelimit.harvest), "100/15000", 0, 0, NULL, 0,
     "Harvest requests per account: N/MS (N requests per MS milliseconds), shared by all workers"},
    {"ratelimit", "hubspot", K_RATE, F(ratelimit.hubspot), "100/10000", 0, 0, NULL, 0,
     "HubSpot requests per account: N/MS"},
    {"ratelimit", "hubspot_search", K_RATE, F(ratelimit.hubspot_search), "5/1000", 0, 0, NULL, 0,
     "HubSpot search requests per account: N/MS"},
};
#undef F

static const struct key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++)
        if (strcasecmp(keys[i].section, section) == 0 && strcasecmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* Free a text value; a secret is wiped first. */
static void drop_value(const struct key *k, char **slot)
{
    if (*slot && (k->flags & SECRET)) od_wipe(*slot, strlen(*slot));
    free(*slot);
    *slot = NULL;
}

static int set_key(struct od_config *cfg, const struct key *k, const char *value)
{
    char *base = (char *)cfg;
    if (k->type == K_INT) {
        long v;
        if (od_parse_long(value, k->min, k->max, &v) < 0)
            return od_seterr("invalid value '%s' for %s.%s (%s): expected a whole number from %ld "
                             "to %ld",
                             value, k->section, k->name, k->name, k->min, k->max);
        *(int *)(base + k->off) = (int)v;
        return 0;
    }
    /* Credentials or an authorization code travel to every URL key: https or loopback (url.h). */
    if (k->type == K_URL && *value && od_url_check_transport(value) < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", od_err());
        return od_seterr("invalid value '%s' for %s.%s (%s): %s",
                         strchr(value, '@') ? "(hidden: it contains user:password@)" : value,
                         k->section, k->name, k->name, why);
    }
    if (k->type == K_RATE) {
        long n, ms;
        char extra;
        if (sscanf(value, "%ld/%ld%c", &n, &ms, &extra) != 2 || n < 1 || n > 100000 || ms < 1 ||
            ms > 86400000L)
            return od_seterr("invalid value '%s' for %s.%s (%s): expected N/MS, e.g. 100/15000 "
                             "(1-100000 requests per 1-86400000 ms)",
                             value, k->section, k->name, k->name);
    }
    if (k->type == K_ENUM) {
        size_t n = strlen(value);
        const char *a = k->allowed;
        int ok = 0;
        while (*a) {
            const char *bar = strchr(a, '|');
            size_t len = bar ? (size_t)(bar - a) : strlen(a);
            if (len == n && strncmp(a, value, n) == 0) ok = 1;
            a += len + (bar ? 1 : 0);
        }
        if (!ok)
            return od_seterr("invalid value '%s' for %s.%s (%s): expected one of %s", value,
                             k->section, k->name, k->name, k->allowed);
    }
    char **slot = (char **)(base + k->off);
    drop_value(k, slot);
    *slot = od_xstrdup(value);
    return 0;
}

int od_config_set(struct od_config *cfg, const char *section, const char *key, const char *value)
{
    if (strcasecmp(section, "keys") == 0) {
        if (!*key) return od_seterr("[keys] entry without an action name (write ACTION = KEY)");
        for (int i = 0; i < cfg->nkeys; i++)
            if (strcmp(cfg->key_action[i], key) == 0) {
                free(cfg->key_spec[i]);
                cfg->key_spec[i] = od_xstrdup(value);
                return 0;
            }
        if (cfg->nkeys >= OD_MAX_KEYBINDINGS)
            return od_seterr("too many [keys] entries (at most %d)", OD_MAX_KEYBINDINGS);
        cfg->key_action[cfg->nkeys] = od_xstrdup(key);
        cfg->key_spec[cfg->nkeys] = od_xstrdup(value);
        cfg->nkeys++;
        return 0;
    }
    const struct key *k = find_key(section, key);
    if (!k)
        return od_seterr("unknown configuration key %s.%s (see docs/configuration.md)", section,
                         key);
    return set_key(cfg, k, value);
}

void od_config_defaults(struct od_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++)
        if (keys[i].def && set_key(cfg, &keys[i], keys[i].def) < 0)
            od_die("bad compiled-in default for %s.%s", keys[i].section, keys[i].name);
}

/* OPSDECK_<SECTION>_<KEY> */
static void env_var(const struct key *k, char *buf, size_t n)
{
    snprintf(buf, n, "OPSDECK_%s_%s", k->section, k->name);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

struct ini_state {
    struct od_config *cfg;
    const char *path;
    int failed;
    char msg[512];
    struct strbuf seen; /* "\nsection.key\n" for every key set by this file */
};

static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    if (st->failed) return 0;
    /* inih reports an indented continuation line as the same key again: refuse both that and
     * a key given twice, rather than silently keeping only the last line. */
    char id[160];
    snprintf(id, sizeof(id), "\n%s.%s\n", section, name);
    for (char *p = id; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strstr(sb_str(&st->seen), id)) {
        snprintf(st->msg, sizeof(st->msg),
                 "%s.%s is set more than once (a repeated key or an indented continuation line; "
                 "write the value on one line)",
                 section, name);
        st->failed = 1;
        return 0;
    }
    sb_add(&st->seen, id + (st->seen.len ? 1 : 0));
    const struct key *k = find_key(section, name);
    if (k && (k->flags & ENV_ONLY)) {
        char var[128];
        env_var(k, var, sizeof var);
        snprintf(st->msg, sizeof(st->msg),
                 "%s.%s cannot be set in the file (a secret kept in clear): store it with "
                 "`opsdeck connect %s`, or set %s in the environment",
                 k->section, k->name, k->section, var);
        st->failed = 1;
        return 0;
    }
    if (od_config_set(st->cfg, section, name, value) < 0) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", od_err());
        snprintf(st->msg, sizeof(st->msg), "%s", msg);
        st->failed = 1;
        return 0;
    }
    return 1;
}

static char *xdg_dir(const char *var, const char *fallback)
{
    const char *v = getenv(var);
    if (v && *v == '/') return od_xasprintf("%s/opsdeck", v);
    const char *home = getenv("HOME");
    return od_xasprintf("%s/%s/opsdeck", home && *home ? home : ".", fallback);
}

char *od_config_default_path(void)
{
    char *dir = xdg_dir("XDG_CONFIG_HOME", ".config");
    char *p = od_xasprintf("%s/opsdeck.ini", dir);
    free(dir);
    return p;
}

char *od_state_dir(void)
{
    return xdg_dir("XDG_STATE_HOME", ".local/state");
}

static int apply_env(struct od_config *cfg)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
        char var[128];
        env_var(&keys[i], var, sizeof var);
        const char *v = getenv(var);
        if (!v) continue;
        if (set_key(cfg, &keys[i], v) < 0) {
            char msg[512];
            snprintf(msg, sizeof(msg), "%s", od_err());
            return od_seterr("%s (from environment variable %s)", msg, var);
        }
    }
    return 0;
}

int od_config_load(struct od_config *cfg, const char *path, const char **used_path)
{
    static char used[4096];
    od_config_defaults(cfg);
    if (used_path) *used_path = NULL;
    int must_exist = 1;
    char *def = NULL;
    if (!path || !*path) path = getenv("OPSDECK_CONFIG");
    if (!path || !*path) {
        def = od_config_default_path();
        path = def;
        must_exist = 0;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        FILE *f = fopen(path, "r");
        if (!f) {
            od_seterr("cannot read configuration file %s: %s", path, strerror(errno));
            free(def);
            return -1;
        }
        struct ini_state is = {cfg, path, 0, "", STRBUF_INIT};
        int rc = ini_parse_file(f, on_ini_line, &is);
        fclose(f);
        sb_release(&is.seen);
        if (is.failed) {
            /* inih reports the first line whose handler failed */
            od_seterr("%s:%d: %s", path, rc, is.msg);
            free(def);
            return -1;
        }
        if (rc != 0) {
            od_seterr("%s:%d: syntax error (expected [section] or key = value)", path, rc);
            free(def);
            return -1;
        }
        snprintf(used, sizeof(used), "%s", path);
        if (used_path) *used_path = used;
    } else if (must_exist) {
        od_seterr("cannot read configuration file %s: %s", path, strerror(errno));
        free(def);
        return -1;
    }
    free(def);
    return apply_env(cfg);
}

void od_config_release(struct od_config *cfg)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++)
        if (keys[i].type != K_INT) drop_value(&keys[i], (char **)((char *)cfg + keys[i].off));
    for (int i = 0; i < cfg->nkeys; i++) {
        free(cfg->key_action[i]);
        free(cfg->key_spec[i]);
    }
    cfg->nkeys = 0;
}

/* database.url is a URL or a libpq conninfo string and may hold a password in any of its
 * forms (core/base/log_redact.c). */
static void print_redacted_conninfo(FILE *out, const char *v)
{
    char *red = od_log_redact(v);
    fprintf(out, "%s\n", red);
    free(red);
}

void od_config_print(const struct od_config *cfg, FILE *out)
{
    const char *section = "";
    const char *base = (const char *)cfg;
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
        const struct key *k = &keys[i];
        if (k->flags & ENV_ONLY) continue; /* the output reads back as a file */
        if (strcmp(section, k->section)) {
            fprintf(out, "%s[%s]\n", *section ? "\n" : "", k->section);
            section = k->section;
        }
        fprintf(out, "%s = ", k->name);
        if (k->type == K_INT) {
            fprintf(out, "%d\n", *(const int *)(base + k->off));
            continue;
        }
        const char *v = *(char *const *)(base + k->off);
        if (!v || !*v)
            fputs("\n", out);
        else if ((k->flags & SECRET) && strcmp(k->name, "url") == 0)
            print_redacted_conninfo(out, v);
        else if (k->flags & SECRET)
            fputs("REDACTED\n", out);
        else
            fprintf(out, "%s\n", v);
    }
    if (cfg->nkeys) {
        fputs("\n[keys]\n", out);
        for (int i = 0; i < cfg->nkeys; i++)
            fprintf(out, "%s = %s\n", cfg->key_action[i], cfg->key_spec[i]);
    }
}

/* For docs/configuration.md generation (`opsdeck config --keys`). */
void od_config_print_keys(FILE *out)
{
    fputs("| section | key | default | allowed | description |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
        const struct key *k = &keys[i];
        char allowed[96] = "text";
        if (k->type == K_INT)
            snprintf(allowed, sizeof(allowed), "%ld–%ld", k->min, k->max);
        else if (k->type == K_URL)
            snprintf(allowed, sizeof(allowed), "https URL (http: loopback only)");
        else if (k->type == K_ENUM)
            snprintf(allowed, sizeof(allowed), "%s", k->allowed);
        else if (k->type == K_RATE)
            snprintf(allowed, sizeof(allowed), "N/MS");
        char var[128];
        env_var(k, var, sizeof var);
        fprintf(out, "| `%s` | `%s` | %s%s%s | %s | %s%s%s%s%s |\n", k->section, k->name,
                k->def ? "`" : "", k->def ? k->def : "(unset)", k->def ? "`" : "", allowed, k->doc,
                k->flags & SECRET ? " (secret: redacted in output)" : "",
                k->flags & ENV_ONLY ? " (environment only: `" : "", k->flags & ENV_ONLY ? var : "",
                k->flags & ENV_ONLY ? "`)" : "");
    }
}

const char *od_config_search_path(void)
{
    const char *path = getenv("PATH");
    return path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
}

const char *od_config_login_source(void)
{
    static _Thread_local char src[64];
    const char *ssh = getenv("SSH_CONNECTION");
    size_t n = ssh ? strcspn(ssh, " ") : 0;
    if (n == 0 || n >= sizeof src || strspn(ssh, "0123456789abcdefABCDEF.:%") < n) return "local";
    memcpy(src, ssh, n);
    src[n] = '\0';
    return src;
}

int64_t od_config_source_date(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    long long v = s && *s ? strtoll(s, NULL, 10) : 0;
    return v > 0 ? (int64_t)v : 0;
}
