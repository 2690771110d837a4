/* health_run — the runner of a table of health checks and the contract a check is written
 * against (core/ops/health_checks.c holds the table). Not for other modules: they use
 * core/ops/health.h.
 *
 * A check is a row {name, component type, run}. run() measures and calls od_health_add()
 * once per result (several for per-resource checks such as sync:lag). Database checks get
 * their connection from od_health_query(), which connects once per run with the run's
 * statement_timeout and turns "database down" into one fast answer for every later check.
 * od_health_run_checks() runs the rows in order within env's deadline (see health.h). */
#ifndef OD_HEALTH_RUN_H
#define OD_HEALTH_RUN_H
#include "core/ops/health.h"
#include "core/base/util.h"
#include <libpq-fe.h>

struct od_hctx {
    const struct od_health_env *env;
    struct od_health_report *rep;
    size_t cap;
    PGconn *conn; /* pooled, acquired by the first database check */
    bool db_tried;
    char db_error[256]; /* why there is no connection */
    int timeout_ms;     /* per check */
};

struct od_health_check {
    const char *name; /* "database:latency" */
    const char *type; /* componentType */
    void (*run)(struct od_hctx *h, const struct od_health_check *c);
};

/* health_provider.c: provider reachability and token (an authenticated probe), backup age. */
/* The table od_health_run runs (n rows), e.g. to check every row has a runbook section. */
const struct od_health_check *od_health_check_table(size_t *n);
void od_health_check_reachability(struct od_hctx *h, const struct od_health_check *c);
void od_health_check_token(struct od_hctx *h, const struct od_health_check *c);
void od_health_check_backup(struct od_hctx *h, const struct od_health_check *c);

/* Append a result; value is a JSON number as text or NULL. Returns it for further edits. */
struct od_health_result *od_health_add(struct od_hctx *h, const struct od_health_check *c,
                                       enum od_health_status st, const char *unit,
                                       const char *value, const char *fmt, ...) OD_PRINTF(6, 7);
/* Run a query on the run's connection. NULL when there is none or it failed: the reason is
 * in od_err() (and the caller reports fail). */
PGresult *od_health_query(struct od_hctx *h, const char *sql, int n, const char *const *params);
/* Run checks[0..n) into out (zeroed first; release with od_health_report_release). Never
 * fails: a check that did not run before the deadline is "unknown". Returns 0. */
int od_health_run_checks(const struct od_health_env *env, const struct od_health_check *checks,
                         size_t n, struct od_health_report *out);

#endif
