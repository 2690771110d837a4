/* config — the effective configuration: compiled-in defaults, then the INI file, then
 * OPSDECK_<SECTION>_<KEY> environment variables. Every value is validated; a bad one is an
 * error naming the key, the value and what is allowed (the caller exits 2).
 *
 * File: --config FILE, else $OPSDECK_CONFIG, else $XDG_CONFIG_HOME/opsdeck/opsdeck.ini
 * (~/.config/...). A missing default file is fine; a missing named file is an error.
 * The keys are one table in config.c (docs/configuration.md lists them). A few secrets come
 * from the environment only (tokens for headless setups; a file would keep them in clear).
 * The struct is filled once and read-only afterwards: threads share it without locks.
 * This file is the only reader of the process environment in core/ (besides pgtool passing it
 * on to a child): settings arrive through struct od_config, the rest through the functions at
 * the end. */
#ifndef OD_CONFIG_H
#define OD_CONFIG_H
#include <stdint.h>
#include <stdio.h>

#define OD_MAX_KEYBINDINGS 64

struct od_config {
    struct {
        char *url; /* NULL/empty: libpq defaults (PG* variables, service file, .pgpass) */
        int pool_size;
        int statement_timeout_ms;
        int lock_timeout_ms;
        int idle_tx_timeout_ms;
        int connect_timeout_s;
        int acquire_timeout_ms;
    } database;
    struct {
        char *key_file;
    } secrets;
    struct {
        char *base_url;
        char *id_url;
        char *user_agent;
        char *account_id;
        char *token; /* environment only (OPSDECK_HARVEST_TOKEN); the key file's store wins */
        int per_page;
    } harvest;
    struct {
        char *base_url;
        char *auth_url;
        char *client_id;
        char *client_secret;
        char *redirect_uri;
        char *scopes;
        char *portal_id; /* NULL: "default" */
        char *token;     /* environment only (OPSDECK_HUBSPOT_TOKEN) */
    } hubspot;
    struct {
        int workers;
        int interval_minutes;
        int heartbeat_s;
        int rescue_after_s;
        int max_attempts;
        int overlap_s;
        int http_timeout_s;
        int reconcile_days;
    } sync;
    struct {
        int retry_after_cap_s;
        int max_body_bytes;
        int backoff_ms;
    } http;
    struct {
        int threshold;
        int open_ms;
    } breaker;
    struct {
        char *theme;
        int refresh_ms;
    } ui;
    struct {
        char *file;
        char *level;
        int max_kb;
        int keep;
    } log;
    struct {
        int max_failures;
        int lockout_minutes;
        int session_idle_minutes;
        int session_absolute_hours;
    } auth;
    struct {
        int low_margin_pct;
        int over_budget_pct;
        int sync_stale_minutes;
        int token_expiring_minutes;
        int dead_letter_warn;
    } rules;
    struct {
        int db_latency_warn_ms;
        int db_latency_fail_ms;
        int queue_age_warn_s;
        int sync_lag_warn_minutes;
        int check_timeout_ms;
        int long_tx_warn_s;
        int dead_jobs_window_h;
        char *backup_dir; /* NULL: $XDG_STATE_HOME/opsdeck/backups (`opsdeck backup`'s default) */
        int backup_warn_hours;
        int backup_fail_hours;
    } health;
    struct {
        char *listen;
        int healthz_refresh_s;
    } metrics;
    struct {
        char *harvest; /* "N/MS": N requests per MS milliseconds, per account */
        char *hubspot;
        char *hubspot_search;
    } ratelimit;
    /* [keys] action = key spec; kept as given, validated by the TUI keymap */
    int nkeys;
    char *key_action[OD_MAX_KEYBINDINGS];
    char *key_spec[OD_MAX_KEYBINDINGS];
};

/* Load defaults + file + environment into cfg (zeroed by the caller). path may be NULL for
 * the default search. On error returns -1 with od_seterr("...") naming key and value;
 * *used_path gets the file actually read (borrowed static string or NULL). */
int od_config_load(struct od_config *cfg, const char *path, const char **used_path);
/* Defaults only (for tests and tools that need no file). */
void od_config_defaults(struct od_config *cfg);
void od_config_release(struct od_config *cfg);
/* Print the effective configuration as INI with secrets redacted. */
void od_config_print(const struct od_config *cfg, FILE *out);
/* Markdown table of every key (docs/configuration.md is generated from it). */
void od_config_print_keys(FILE *out);
/* Set one key by section/key name from a string, validating (used by the loader). */
int od_config_set(struct od_config *cfg, const char *section, const char *key, const char *value);
/* Default paths (caller frees). */
char *od_config_default_path(void);
char *od_state_dir(void); /* $XDG_STATE_HOME/opsdeck or ~/.local/state/opsdeck */

/* The process environment that is not a setting. */
/* $PATH, or "/usr/local/bin:/usr/bin:/bin" when unset or empty (to find client tools). */
const char *od_config_search_path(void);
/* Where this login comes from (login throttling, the audit log): the client address in
 * $SSH_CONNECTION when it looks like one (hex digits, '.', ':', '%'), else "local".
 * Borrowed, per thread. */
const char *od_config_login_source(void);
/* $SOURCE_DATE_EPOCH (reproducible builds: the date in generated man pages), or 0. */
int64_t od_config_source_date(void);

#endif
