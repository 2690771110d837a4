/* profit_read — the Profitability screen's snapshot and its read (runs on a query worker). */
#ifndef SCR_PROFIT_READ_H
#define SCR_PROFIT_READ_H
#include "tui/rows.h"
#include <libpq-fe.h>
#include "core/domain/profit.h"

struct profit_read_arg {
    struct od_pool *pool; /* borrowed */
    struct od_profit_query q;
};

struct profit_snap {
    struct od_profit_query q; /* what was asked */
    struct od_profit_report rep;
    char **trend;           /* owned; per row a sparkline of monthly margin (NULL: none) */
    struct tui_rowset rows; /* built and presorted on the query worker; the screen takes them */
};

/* od_read_fn: arg is a struct profit_read_arg; returns a struct profit_snap. */
void *profit_read(PGconn *conn, void *arg);
void profit_snap_free(void *p);
/* Build snap->rows from the report (defined in profit.c, next to the columns). */
void profit_rows_build(struct profit_snap *snap);

#endif
