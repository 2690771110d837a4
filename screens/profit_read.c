/* profit_read — the Profitability screen's read, on a query worker: the report with a margin
 * trend per row, both from core/domain/profit.h in one snapshot on the worker's connection
 * (od_profit_read), turned into the table's rows, presorted for every column so the UI thread
 * only swaps them in.
 *
 * Cells: amounts and hours with thousands separators, percentages with "%", budgets in hours
 * ("120.00 h") or money per the project's budget_by, burn as "85.20 %" and a bar, "!C" / "!R"
 * when entries lack a cost / billable rate, and a trend of one cell per month that is the same
 * months for every row (the latest 12 with data, inside the range), blank where a row has no
 * time that month. */
#include "screens/profit_read.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "screens/common.h"

enum { TREND_W = 12, BURN_BAR = 8 };

static int neg_role(const char *text)
{
    return text[0] == '-' ? TUI_ROLE_NEGATIVE : -1;
}

static int flag_role(const char *text)
{
    return text[0] ? TUI_ROLE_WARN : -1;
}

static int burn_role(const char *text) /* over budget: more than 100 % used */
{
    int64_t v;
    return tui_rows_number(text, 2, &v) && v > 10000 ? TUI_ROLE_WARN : -1;
}

#define C_NAME(t)                                                                                  \
    {                                                                                              \
        t, TUI_ALIGN_LEFT, 8, 36, TUI_CMP_TEXT, NULL                                               \
    }
#define C_CUR                                                                                      \
    {                                                                                              \
        "Cur", TUI_ALIGN_LEFT, 3, 4, TUI_CMP_TEXT, NULL                                            \
    }
#define C_BILLING                                                                                  \
    {                                                                                              \
        "Billing", TUI_ALIGN_LEFT, 7, 9, TUI_CMP_TEXT, NULL                                        \
    }
#define C_HOURS                                                                                    \
    {                                                                                              \
        "Hours", TUI_ALIGN_RIGHT, 5, 14, TUI_CMP_DECIMAL, NULL                                     \
    }
#define C_REVENUE                                                                                  \
    {                                                                                              \
        "Revenue", TUI_ALIGN_RIGHT, 7, 16, TUI_CMP_DECIMAL, NULL                                   \
    }
#define C_COST                                                                                     \
    {                                                                                              \
        "Cost", TUI_ALIGN_RIGHT, 4, 16, TUI_CMP_DECIMAL, NULL                                      \
    }
#define C_MARGIN                                                                                   \
    {                                                                                              \
        "Margin", TUI_ALIGN_RIGHT, 6, 16, TUI_CMP_DECIMAL, neg_role                                \
    }
#define C_PCT                                                                                      \
    {                                                                                              \
        "Margin %", TUI_ALIGN_RIGHT, 8, 11, TUI_CMP_DECIMAL, neg_role                              \
    }
#define C_FLAG                                                                                     \
    {                                                                                              \
        "!", TUI_ALIGN_LEFT, 2, 3, TUI_CMP_TEXT, flag_role                                         \
    }
#define C_DEAL(t)                                                                                  \
    {                                                                                              \
        t, TUI_ALIGN_RIGHT, 4, 16, TUI_CMP_DECIMAL, NULL                                           \
    }
#define C_BUDGET                                                                                   \
    {                                                                                              \
        "Budget", TUI_ALIGN_RIGHT, 6, 16, TUI_CMP_DECIMAL, NULL                                    \
    }
#define C_USED                                                                                     \
    {                                                                                              \
        "Used", TUI_ALIGN_RIGHT, 4, 16, TUI_CMP_DECIMAL, NULL                                      \
    }
#define C_BURN                                                                                     \
    {                                                                                              \
        "Burn", TUI_ALIGN_LEFT, 4, 20, TUI_CMP_DECIMAL, burn_role                                  \
    }
#define C_TREND                                                                                    \
    {                                                                                              \
        "Trend", TUI_ALIGN_LEFT, 5, TREND_W, TUI_CMP_TEXT, NULL                                    \
    }

static const struct tui_column client_all[] = {
    C_NAME("Client"), C_CUR, C_HOURS, C_REVENUE,           C_COST,
    C_MARGIN,         C_PCT, C_FLAG,  C_DEAL("Won deals"), C_TREND};
static const struct tui_column client_ranged[] = {
    C_NAME("Client"),       C_CUR,  C_HOURS, C_REVENUE, C_COST, C_MARGIN, C_PCT, C_FLAG,
    C_DEAL("Won in range"), C_TREND};
static const enum profit_field client_f[] = {PF_NAME,   PF_CUR, PF_HOURS, PF_REVENUE, PF_COST,
                                             PF_MARGIN, PF_PCT, PF_FLAG,  PF_DEAL,    PF_TREND};
static const struct tui_column project_cols[] = {
    C_NAME("Project"), C_BILLING, C_HOURS, C_REVENUE, C_COST, C_MARGIN, C_PCT, C_FLAG,
    C_BUDGET,          C_USED,    C_BURN,  C_TREND};
static const enum profit_field project_f[] = {PF_NAME,   PF_BILLING, PF_HOURS, PF_REVENUE,
                                              PF_COST,   PF_MARGIN,  PF_PCT,   PF_FLAG,
                                              PF_BUDGET, PF_USED,    PF_BURN,  PF_TREND};
static const struct tui_column month_cols[] = {C_NAME("Month"), C_HOURS, C_REVENUE, C_COST,
                                               C_MARGIN,        C_PCT,   C_FLAG};
static const struct tui_column person_cols[] = {C_NAME("Person"), C_HOURS, C_REVENUE, C_COST,
                                                C_MARGIN,         C_PCT,   C_FLAG};
static const enum profit_field plain_f[] = {PF_NAME,   PF_HOURS, PF_REVENUE, PF_COST,
                                            PF_MARGIN, PF_PCT,   PF_FLAG};

static const struct {
    const struct tui_column *cols, *ranged;
    const enum profit_field *fields;
    int n;
} layouts[] = {
    [OD_PROFIT_BY_CLIENT] = {client_all, client_ranged, client_f, OD_ARRAY_LEN(client_f)},
    [OD_PROFIT_BY_PROJECT] = {project_cols, project_cols, project_f, OD_ARRAY_LEN(project_f)},
    [OD_PROFIT_BY_MONTH] = {month_cols, month_cols, plain_f, OD_ARRAY_LEN(plain_f)},
    [OD_PROFIT_BY_PERSON] = {person_cols, person_cols, plain_f, OD_ARRAY_LEN(plain_f)},
};
_Static_assert(OD_ARRAY_LEN(client_all) == OD_ARRAY_LEN(client_f), "client columns");
_Static_assert(OD_ARRAY_LEN(client_ranged) == OD_ARRAY_LEN(client_f), "client columns");
_Static_assert(OD_ARRAY_LEN(project_cols) == OD_ARRAY_LEN(project_f), "project columns");
_Static_assert(OD_ARRAY_LEN(month_cols) == OD_ARRAY_LEN(plain_f), "month columns");
_Static_assert(OD_ARRAY_LEN(person_cols) == OD_ARRAY_LEN(plain_f), "person columns");

const char *const profit_field_words[PF_NFIELDS + 1] = {
    [PF_NAME] = "name",       [PF_CUR] = "currency", [PF_BILLING] = "billing", [PF_HOURS] = "hours",
    [PF_REVENUE] = "revenue", [PF_COST] = "cost",    [PF_MARGIN] = "margin",   [PF_PCT] = "margin%",
    [PF_FLAG] = "incomplete", [PF_DEAL] = "deals",   [PF_BUDGET] = "budget",   [PF_USED] = "used",
    [PF_BURN] = "burn",       [PF_TREND] = "trend",  [PF_NFIELDS] = NULL};

const struct tui_column *profit_columns(enum od_profit_by by, bool ranged)
{
    return ranged ? layouts[by].ranged : layouts[by].cols;
}

int profit_ncols(enum od_profit_by by)
{
    return layouts[by].n;
}

int profit_column(enum od_profit_by by, enum profit_field f)
{
    for (int i = 0; i < layouts[by].n; i++)
        if (layouts[by].fields[i] == f) return i;
    return -1;
}

void profit_snap_free(void *p)
{
    struct profit_snap *s = p;
    if (!s) return;
    tui_rowset_release(&s->rows);
    od_profit_report_release(&s->rep);
    free(s);
}

/* The months every row's trend shows: the latest TREND_W up to the last month with data (or
 * the range's last month, when earlier), none before the range's first month. */
static void trend_window(struct profit_snap *snap)
{
    const struct od_profit_report *r = &snap->rep;
    int32_t last = -1;
    for (size_t i = 0; i < r->nrows; i++)
        for (size_t m = 0; m < r->rows[i].ntrend; m++)
            if (r->rows[i].trend_month && r->rows[i].trend_month[m] > last)
                last = r->rows[i].trend_month[m];
    int32_t to = *r->to ? od_profit_month_index(r->to) : -1;
    int32_t from = *r->from ? od_profit_month_index(r->from) : -1;
    if (to >= 0 && to < last) last = to;
    int32_t first = last - (TREND_W - 1);
    if (from > first) first = from;
    snap->trend_first = first;
    snap->trend_months = last >= 0 && last >= first ? (int)(last - first + 1) : 0;
}

static void trend_cell(const struct profit_snap *snap, const struct od_profit_row *row, char *out,
                       size_t n)
{
    int64_t v[TREND_W] = {0};
    bool has[TREND_W] = {false};
    for (size_t m = 0; row->trend_month && m < row->ntrend; m++) {
        int32_t at = row->trend_month[m] - snap->trend_first;
        if (at >= 0 && at < snap->trend_months) {
            v[at] = row->trend_c[m];
            has[at] = true;
        }
    }
    scr_spark_gaps(out, n, v, has, (size_t)snap->trend_months);
}

static void budget_cells(const struct od_profit_row *row, char *budget, char *used, char *burn,
                         size_t n)
{
    const char *unit = row->budget_is_money ? "" : " h";
    scr_thousands(budget, n, row->budget, unit);
    scr_thousands(used, n, row->budget_used, unit);
    if (!*row->budget_pct) return;
    char bar[4 * BURN_BAR + 1], pct[48];
    scr_bar(bar, sizeof bar, row->budget_pct_c, 10000, BURN_BAR);
    scr_thousands(pct, sizeof pct, row->budget_pct, " %");
    snprintf(burn, n, "%s %s", pct, bar);
}

static void rows_build(struct profit_snap *snap)
{
    const struct od_profit_report *r = &snap->rep;
    int ncols = profit_ncols(snap->q.by);
    const enum profit_field *fields = layouts[snap->q.by].fields;
    struct tui_rowset *rs = &snap->rows;
    tui_rowset_init(rs, ncols);
    trend_window(snap);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct od_profit_row *row = &r->rows[i];
        char text[PF_NFIELDS][96] = {{0}};
        const char *by_field[PF_NFIELDS];
        for (int f = 0; f < PF_NFIELDS; f++)
            by_field[f] = text[f];
        by_field[PF_NAME] = row->name ? row->name : row->key ? row->key : "";
        by_field[PF_CUR] = row->currency;
        by_field[PF_BILLING] = row->is_fixed_fee ? "fixed fee" : "T&M";
        scr_thousands(text[PF_HOURS], sizeof text[0], row->hours, "");
        scr_thousands(text[PF_REVENUE], sizeof text[0], row->revenue, "");
        scr_thousands(text[PF_COST], sizeof text[0], row->cost, "");
        scr_thousands(text[PF_MARGIN], sizeof text[0], row->margin, "");
        if (row->has_margin_pct) scr_thousands(text[PF_PCT], sizeof text[0], row->margin_pct, " %");
        snprintf(text[PF_FLAG], sizeof text[0], "%s%s%s",
                 row->missing_cost_rate || row->missing_billable_rate ? "!" : "",
                 row->missing_cost_rate ? "C" : "", row->missing_billable_rate ? "R" : "");
        if (row->has_deal_amount)
            scr_thousands(text[PF_DEAL], sizeof text[0], row->deal_amount, "");
        if (row->has_budget)
            budget_cells(row, text[PF_BUDGET], text[PF_USED], text[PF_BURN], sizeof text[0]);
        trend_cell(snap, row, text[PF_TREND], sizeof text[0]);
        const char *cells[PF_NFIELDS];
        for (int c = 0; c < ncols; c++)
            cells[c] = by_field[fields[c]];
        tui_rowset_add(rs, row->key ? row->key : "", cells, 0);
    }
    tui_table_prepare(profit_columns(snap->q.by, false), ncols, rs);
}

void *profit_read(PGconn *conn, void *arg)
{
    struct profit_read_arg *a = arg;
    struct profit_snap *s = od_xcalloc(1, sizeof *s);
    s->q = a->q;
    memcpy(s->period, a->period, sizeof s->period);
    if (od_profit_read(conn, &a->q, &s->rep) < 0) {
        od_profit_report_release(&s->rep);
        free(s);
        return NULL;
    }
    rows_build(s);
    return s;
}
