/* profit_read — the Profitability screen's columns, its snapshot and its read (runs on a query
 * worker). */
#ifndef SCR_PROFIT_READ_H
#define SCR_PROFIT_READ_H
#include <libpq-fe.h>
#include <stdbool.h>
#include "core/domain/profit.h"
#include "tui/rows.h"
#include "tui/table.h"

/* What a column shows; which columns a level has is profit_column(). */
enum profit_field {
    PF_NAME,    /* client, project, month or person */
    PF_CUR,     /* the client's currency (clients) */
    PF_BILLING, /* "fixed fee" or "T&M" (projects) */
    PF_HOURS,
    PF_REVENUE,
    PF_COST,
    PF_MARGIN,
    PF_PCT,  /* margin % */
    PF_FLAG, /* !C cost incomplete, !R revenue incomplete */
    PF_DEAL, /* won deals (clients) */
    PF_BUDGET,
    PF_USED,
    PF_BURN, /* used / budget %, with a bar (projects) */
    PF_TREND,
    PF_NFIELDS
};

/* The columns of a level (ranged: a date range is set, which names the deal column "Won in
 * range" instead of "Won deals"); static, same count and order either way. */
const struct tui_column *profit_columns(enum od_profit_by by, bool ranged);
int profit_ncols(enum od_profit_by by);
/* The column of field at this level, or -1 when the level has none. */
int profit_column(enum od_profit_by by, enum profit_field f);
/* The word for a field in `:sort WORD` (and its completion), NULL-terminated by field. */
extern const char *const profit_field_words[PF_NFIELDS + 1];

struct profit_read_arg {
    struct od_profit_query q;
    char period[16]; /* the named period the range came from ("last-30d"), or "" */
};

struct profit_snap {
    struct od_profit_query q;    /* what was asked */
    char period[16];             /* as asked */
    struct od_profit_report rep; /* rows, totals and each row's trend, from one snapshot */
    struct tui_rowset rows; /* built and presorted on the query worker; the screen takes them */
    /* the months every row's trend cell shows, one cell each (od_profit_month_index of the
     * first; 0 months: no trend) */
    int32_t trend_first;
    int trend_months;
};

/* od_read_fn: arg is a struct profit_read_arg; returns a struct profit_snap. */
void *profit_read(PGconn *conn, void *arg);
void profit_snap_free(void *p);

#endif
