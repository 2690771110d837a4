/* health — is opsdeck well, in one glance: a table of checks (core/ops/health_checks.c), each
 * answering pass / warn / fail (or unknown when it cannot tell) with a value, a unit and a
 * sentence, thresholds from the [health] config section, each within its own deadline.
 *
 *   struct od_health_env env = {.cfg = cfg, .pool = pool};    // events etc. optional
 *   struct od_health_report rep;
 *   od_health_run(&env, &rep);                                  // never fails; always fills rep
 *   od_health_json(&rep, &sb);                                  // IETF health-check draft shape
 *   exit(od_health_exit_code(rep.status));
 *   od_health_report_release(&rep);
 *
 * Deadlines: database checks share one pooled connection with statement_timeout set to
 * health.check_timeout_ms; if the first (database:latency) cannot connect, every other
 * database check fails at once with the same reason instead of waiting again. Upstream
 * reachability uses HTTP timeouts of the same length. The whole run stops starting checks
 * after env.deadline_ms (default 8 s); what did not run is "unknown". So with the database
 * down the answer is "fail" within connect_timeout_s plus a little.
 *
 * Overall status: fail if any check fails, else warn if any warns, else pass if any passes,
 * else unknown. A check that cannot know (e.g. breaker state outside the process that talks
 * to the provider) says "unknown" and does not change the overall status. */
#ifndef OD_HEALTH_H
#define OD_HEALTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_config;
struct od_pool;
struct od_events;
struct od_vault;
struct strbuf;

enum od_health_status { OD_HEALTH_PASS, OD_HEALTH_WARN, OD_HEALTH_FAIL, OD_HEALTH_UNKNOWN };

struct od_health_env {
    const struct od_config *cfg; /* borrowed */
    struct od_pool *pool;        /* borrowed; NULL: database checks fail */
    struct od_events *events;    /* borrowed; NULL: no listener in this process (unknown) */
    bool in_process;  /* breakers and caches of this process are the ones doing the work */
    int deadline_ms;  /* whole run; 0 = 8000 */
    bool no_upstream; /* never call Harvest/HubSpot (the reachability checks say "unknown") */
    const struct od_vault *vault; /* borrowed; NULL: provider probes use environment tokens */
};

struct od_health_result {
    const char *name;           /* "database:latency" (static) */
    const char *component_type; /* "datastore", "component", "system" (static) */
    char component_id[64];      /* e.g. "harvest/time_entries"; "" = none */
    enum od_health_status status;
    char observed_value[32];   /* a JSON number as text; "" = none */
    const char *observed_unit; /* "ms", "s", "bytes", "count", "%", NULL */
    char output[256];          /* for people; may quote outside text: sanitize before a terminal */
    char time[32];             /* RFC 3339 UTC when measured */
    int64_t took_us;
};

struct od_health_report {
    enum od_health_status status;
    struct od_health_result *results; /* owned */
    size_t n;
    int64_t took_ms;
};

/* Run every check (the table in health_checks.c, through health_run.c). Returns 0. */
int od_health_run(const struct od_health_env *env, struct od_health_report *out);
void od_health_report_release(struct od_health_report *r);

const char *od_health_status_name(enum od_health_status s); /* pass|warn|fail|unknown */
/* 0 pass, 1 warn, 2 fail, 3 unknown. */
int od_health_exit_code(enum od_health_status s);

/* The number in a "Key:  value" line of /proc/self/status (VmRSS in kB, Threads); -1 when
 * absent. Shared by the process checks and /metrics. */
long long od_health_proc_status(const char *key);

/* {"status":...,"checks":{"database:latency":[{"status":...,"observedValue":...}]}} */
void od_health_json(const struct od_health_report *r, struct strbuf *out);
/* Aligned text, sanitized, one line per result, values in human units; then what to do for
 * each failing or warning check (its runbook line). */
void od_health_table(const struct od_health_report *r, struct strbuf *out);

/* health_units.c: an observed value in human units for people ("25.7 MiB", "1 h 12 min",
 * "0", "12.3 ms", "85 %"); JSON keeps the raw number and unit. value "" gives "". */
void od_health_format_value(const char *value, const char *unit, char *out, size_t n);

/* health_runbook.c: the runbook section of a check (docs/runbook.md, embedded in the binary):
 * its first line says what to do, the rest explains. Borrowed, static; NULL when the check
 * has none. od_health_runbook_line() is the first line alone (into out). */
const char *od_health_runbook(const char *check_name);
void od_health_runbook_line(const char *check_name, char *out, size_t n);
/* "what to do": one line per failing, then warning, check (each name once) with its runbook
 * line; nothing when every check passes. Used at the end of od_health_table. */
void od_health_todo(const struct od_health_report *r, struct strbuf *out);

#endif
