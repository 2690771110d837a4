/* health_checks — the contract between the health runner (health.c) and the checks table
 * (health_checks.c). Not for other modules: they use core/ops/health.h.
 *
 * A check is a row {name, component type, run}. run() measures and calls od_health_add()
 * once per result (several for per-resource checks such as sync:lag). Database checks get
 * their connection from od_health_query(), which connects once per run with the run's
 * statement_timeout and turns "database down" into one fast answer for every later check. */
#ifndef OD_HEALTH_CHECKS_H
#define OD_HEALTH_CHECKS_H
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
extern const struct od_health_check od_health_checks[];
extern const size_t od_health_checks_count;

/* health_provider.c: provider reachability and token (an authenticated probe), backup age. */
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

#endif
