/* profit_read — the Profitability screen's snapshot and its read (runs on a query worker). */
#ifndef SCR_PROFIT_READ_H
#define SCR_PROFIT_READ_H
#include <libpq-fe.h>
#include "core/profit.h"

struct profit_read_arg {
    struct od_pool *pool; /* borrowed */
    struct od_profit_query q;
};

struct profit_snap {
    struct od_profit_query q; /* what was asked */
    struct od_profit_report rep;
    char **trend; /* owned; per row a sparkline of monthly margin (NULL: none) */
};

/* od_qread_fn: arg is a struct profit_read_arg; returns a struct profit_snap. */
void *profit_read(PGconn *conn, void *arg);
void profit_snap_free(void *p);

#endif
