/* log — structured JSON-lines logging, one line per event:
 *   {"ts":"2026-11-22T20:59:27.123Z","level":"info","thread":"sync-1","msg":"...", ...fields}
 * Destination: a file (size-rotated: FILE, FILE.1 ... FILE.<keep>; each created mode 0600,
 * whatever the umask) or stderr for headless commands. Every message and field value is
 * redacted (tokens, passwords in URLs and conninfo strings, secrets in JSON) and stripped of
 * control characters before it is written. Thread-safe.
 *
 * Usage:
 *   od_log_open(path_or_NULL, OD_LOG_INFO, max_bytes, keep);
 *   od_log_set_thread("sync-1");                       // per thread, once
 *   od_log_info("sync started");
 *   od_log_kv(OD_LOG_INFO, "http", "method", "GET", "path", p, "status", "200", NULL);
 *   od_log_close();
 * Nothing here ever writes to the terminal while the TUI runs: the TUI opens a file. */
#ifndef OD_LOG_H
#define OD_LOG_H
#include <stddef.h>
#include <stdint.h>

enum od_log_level { OD_LOG_DEBUG, OD_LOG_INFO, OD_LOG_WARN, OD_LOG_ERROR };

/* path NULL = stderr. Returns -1 with od_seterr when the file cannot be opened. */
int od_log_open(const char *path, enum od_log_level level, int64_t max_bytes, int keep);
void od_log_close(void);
void od_log_set_level(enum od_log_level level);
int od_log_level_parse(const char *s, enum od_log_level *out); /* debug|info|warn|error */
const char *od_log_level_name(enum od_log_level level);
void od_log_set_thread(const char *name);
const char *od_log_thread(void);

void od_logf(enum od_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* msg plus key/value string pairs, NULL-terminated. */
void od_log_kv(enum od_log_level level, const char *msg, ...);

#define od_log_debug(...) od_logf(OD_LOG_DEBUG, __VA_ARGS__)
#define od_log_info(...) od_logf(OD_LOG_INFO, __VA_ARGS__)
#define od_log_warn(...) od_logf(OD_LOG_WARN, __VA_ARGS__)
#define od_log_error(...) od_logf(OD_LOG_ERROR, __VA_ARGS__)

/* Redact secrets in s into a new string (caller frees): URL userinfo passwords, libpq
 * conninfo passwords in every form (password=x, password = 'x y', quoted with escapes,
 * sslpassword=...), tokens and secrets as key=value or JSON, Authorization/Bearer values
 * (the rules: core/base/log_redact.c). For any code that shows a URL or conninfo, and for tests. */
char *od_log_redact(const char *s);
/* Redact msg, and also every occurrence in it of a secret od_log_redact finds in source (as
 * written there, and unescaped/percent-decoded): for a library's error message that may echo
 * pieces of a connection string it failed to parse. Caller frees. */
char *od_log_redact_echo(const char *msg, const char *source);

/* Counters for the health screen: errors and warnings written since start, and the
 * last error message (copied into buf). */
void od_log_stats(uint64_t *warns, uint64_t *errors, char *last_error, size_t n);

#endif
