/* profit_read — the Profitability screen's columns, its snapshot and its read (runs on a query
 * worker). */
#ifndef SCR_PROFIT_READ_H
#define SCR_PROFIT_READ_H
#include <libpq-fe.h>
#include "core/domain/profit.h"
#include "tui/rows.h"
#include "tui/table.h"

enum { PROFIT_NCOLS = 8 };
/* The table's columns per level (enum od_profit_by): name, hours, revenue, cost, margin,
 * margin %, deal, trend. */
extern const struct tui_column profit_cols[4][PROFIT_NCOLS];

struct profit_read_arg {
    struct od_profit_query q;
};

struct profit_snap {
    struct od_profit_query q;    /* what was asked */
    struct od_profit_report rep; /* rows, totals and each row's trend, from one snapshot */
    struct tui_rowset rows; /* built and presorted on the query worker; the screen takes them */
};

/* od_read_fn: arg is a struct profit_read_arg; returns a struct profit_snap. */
void *profit_read(PGconn *conn, void *arg);
void profit_snap_free(void *p);

#endif
