/* profit_read — the Profitability screen's read, on a query worker: the report with a margin
 * trend per row, both from core/domain/profit.h in one snapshot on the worker's connection
 * (od_profit_read), turned into the table's rows (a sparkline per trend), presorted for every
 * column so the UI thread only swaps them in. */
#include "screens/profit_read.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "screens/common.h"

static int neg_role(const char *text)
{
    return text[0] == '-' ? TUI_ROLE_NEGATIVE : -1;
}

#define COLS(first)                                                                                \
    {                                                                                              \
        {first, TUI_ALIGN_LEFT, 8, 36, TUI_CMP_TEXT, NULL},                                        \
            {"Hours", TUI_ALIGN_RIGHT, 5, 12, TUI_CMP_DECIMAL, NULL},                              \
            {"Revenue", TUI_ALIGN_RIGHT, 7, 14, TUI_CMP_DECIMAL, NULL},                            \
            {"Cost", TUI_ALIGN_RIGHT, 4, 14, TUI_CMP_DECIMAL, NULL},                               \
            {"Margin", TUI_ALIGN_RIGHT, 6, 14, TUI_CMP_DECIMAL, neg_role},                         \
            {"Margin %", TUI_ALIGN_RIGHT, 8, 9, TUI_CMP_DECIMAL, neg_role},                        \
            {"Deal", TUI_ALIGN_RIGHT, 4, 14, TUI_CMP_DECIMAL, NULL},                               \
            {"Trend", TUI_ALIGN_LEFT, 5, 12, TUI_CMP_TEXT, NULL},                                  \
    }
const struct tui_column profit_cols[4][PROFIT_NCOLS] = {COLS("Client"), COLS("Project"),
                                                        COLS("Month"), COLS("Person")};

void profit_snap_free(void *p)
{
    struct profit_snap *s = p;
    if (!s) return;
    tui_rowset_release(&s->rows);
    od_profit_report_release(&s->rep);
    free(s);
}

static void rows_build(struct profit_snap *snap)
{
    struct tui_rowset *rs = &snap->rows;
    tui_rowset_init(rs, PROFIT_NCOLS);
    const struct od_profit_report *r = &snap->rep;
    for (size_t i = 0; i < r->nrows; i++) {
        const struct od_profit_row *row = &r->rows[i];
        char trend[3 * OD_PROFIT_TREND_MAX + 1];
        scr_spark(trend, sizeof trend, row->trend_c, row->ntrend, 12);
        const char *cells[PROFIT_NCOLS] = {row->name ? row->name : row->key,
                                           row->hours,
                                           row->revenue,
                                           row->cost,
                                           row->margin,
                                           row->has_margin_pct ? row->margin_pct : "",
                                           row->has_deal_amount ? row->deal_amount : "",
                                           trend};
        tui_rowset_add(rs, row->key ? row->key : "", cells, 0);
    }
    tui_table_prepare(profit_cols[snap->q.by], PROFIT_NCOLS, rs);
}

void *profit_read(PGconn *conn, void *arg)
{
    struct profit_read_arg *a = arg;
    struct profit_snap *s = od_xcalloc(1, sizeof *s);
    s->q = a->q;
    if (od_profit_read(conn, &a->q, &s->rep) < 0) {
        od_profit_report_release(&s->rep);
        free(s);
        return NULL;
    }
    rows_build(s);
    return s;
}
