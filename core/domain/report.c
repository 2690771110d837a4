/* report — see report.h. The columns are one table; each format walks it. */
#include "core/domain/report.h"
#include "core/base/json.h"
#include "core/domain/profit.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAME_MAX_COLS = 40 };

/* Which reports and formats show a column. CLIENT_TABLE: everywhere but tables of other
 * groupings; DATA: JSON and CSV only; TABLE: the table only. */
enum col_when { ALL, CLIENT_TABLE, PROJECT_ONLY, DATA, TABLE };
enum col_kind { TEXT, INT, NUM, NUM_OR_NULL, MARK }; /* MARK: "!" when a rate is missing */

struct col {
    const char *field;  /* JSON/CSV name */
    const char *header; /* table header */
    enum col_kind kind;
    enum col_when when;
    size_t off;     /* offsetof the value in od_profit_row */
    size_t has_off; /* offsetof the bool saying it is present (NUM_OR_NULL), else 0 */
};

#define O(f) offsetof(struct od_profit_row, f)
static const struct col cols[] = {
    {"incomplete", "!", MARK, TABLE, 0, 0},
    {"key", "KEY", TEXT, ALL, O(key), 0},
    {"name", "NAME", TEXT, ALL, O(name), 0},
    {"entries", "ENTRIES", INT, ALL, O(entries), 0},
    {"hours", "HOURS", NUM, ALL, O(hours), 0},
    {"billable_hours", "BILLABLE", NUM, ALL, O(billable_hours), 0},
    {"revenue", "REVENUE", NUM, ALL, O(revenue), 0},
    {"cost", "COST", NUM, ALL, O(cost), 0},
    {"margin", "MARGIN", NUM, ALL, O(margin), 0},
    {"margin_pct", "MARGIN%", NUM_OR_NULL, ALL, O(margin_pct), O(has_margin_pct)},
    {"deal_amount", "DEALS WON", NUM_OR_NULL, CLIENT_TABLE, O(deal_amount), O(has_deal_amount)},
    {"budget_by", "BUDGET BY", NUM_OR_NULL, PROJECT_ONLY, O(budget_by), O(has_budget)},
    {"budget", "BUDGET", NUM_OR_NULL, PROJECT_ONLY, O(budget), O(has_budget)},
    {"budget_used", "USED", NUM_OR_NULL, PROJECT_ONLY, O(budget_used), O(has_budget)},
    {"budget_pct", "BURN%", NUM_OR_NULL, PROJECT_ONLY, O(budget_pct), O(has_budget)},
    {"entries_missing_cost_rate", "", INT, DATA, O(missing_cost_rate), 0},
    {"entries_missing_billable_rate", "", INT, DATA, O(missing_billable_rate), 0},
};
enum { COL_NAME = 2 }; /* where the totals row says TOTAL */
#undef O

int od_report_format_parse(const char *s, enum od_report_format *out)
{
    static const char *const names[] = {"table", "csv", "json"};
    for (size_t i = 0; i < OD_ARRAY_LEN(names); i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (enum od_report_format)i;
            return 0;
        }
    return od_seterr("unknown format '%s' (use table, csv or json)", s ? s : "");
}

static bool col_shown(const struct col *c, enum od_profit_by by, bool table)
{
    switch (c->when) {
    case ALL:
        return true;
    case CLIENT_TABLE:
        return !table || by == OD_PROFIT_BY_CLIENT;
    case PROJECT_ONLY:
        return by == OD_PROFIT_BY_PROJECT;
    case DATA:
        return !table;
    case TABLE:
        return table;
    }
    return false;
}

/* The cell's text (borrowed, or in buf), NULL when the value is absent/null. */
static const char *cell(const struct od_profit_row *row, const struct col *c, char *buf, size_t n)
{
    const char *base = (const char *)row;
    if (c->has_off && !*(const bool *)(base + c->has_off)) return NULL;
    switch (c->kind) {
    case TEXT:
        return *(char *const *)(base + c->off);
    case INT:
        snprintf(buf, n, "%lld", (long long)*(const int64_t *)(base + c->off));
        return buf;
    case NUM:
    case NUM_OR_NULL:
        return base + c->off;
    case MARK:
        return row->missing_cost_rate || row->missing_billable_rate ? "!" : "";
    }
    return NULL;
}

static void write_json(const struct od_profit_report *r, bool tty, struct strbuf *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "by", od_profit_by_name(r->by));
    od_json_add_str(doc, "from", *r->from ? r->from : NULL); /* "" = unbounded: null */
    od_json_add_str(doc, "to", *r->to ? r->to : NULL);
    cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
    for (size_t i = 0; i <= r->nrows; i++) {
        const struct od_profit_row *row = i < r->nrows ? &r->rows[i] : &r->totals;
        cJSON *o = cJSON_CreateObject();
        for (size_t k = 0; k < OD_ARRAY_LEN(cols); k++) {
            const struct col *c = &cols[k];
            char buf[32];
            if (!col_shown(c, r->by, false)) continue;
            const char *v = cell(row, c, buf, sizeof buf);
            if (c->kind == INT)
                od_json_add_i64(o, c->field, *(const int64_t *)((const char *)row + c->off));
            else if (v)
                cJSON_AddStringToObject(o, c->field, v);
            else
                cJSON_AddNullToObject(o, c->field);
        }
        if (i < r->nrows)
            cJSON_AddItemToArray(rows, o);
        else
            cJSON_AddItemToObject(doc, "totals", o);
    }
    char *s = od_json_print(doc);
    if (tty)
        od_tty_escape(out, s, strlen(s), true);
    else
        sb_add(out, s);
    sb_addch(out, '\n');
    free(s);
}

static void write_csv(const struct od_profit_report *r, unsigned opts, struct strbuf *out)
{
    unsigned cell_opts =
        (opts & OD_REPORT_CSV_RAW ? 0 : OD_CSV_GUARD) | (opts & OD_REPORT_TTY ? OD_CSV_TTY : 0);
    bool first = true;
    for (size_t k = 0; k < OD_ARRAY_LEN(cols); k++)
        if (col_shown(&cols[k], r->by, false)) {
            if (!first) sb_addch(out, ',');
            od_csv_field(out, cols[k].field, 0);
            first = false;
        }
    sb_add(out, "\r\n");
    for (size_t i = 0; i <= r->nrows; i++) {
        const struct od_profit_row *row = i < r->nrows ? &r->rows[i] : &r->totals;
        first = true;
        for (size_t k = 0; k < OD_ARRAY_LEN(cols); k++) {
            char buf[32];
            if (!col_shown(&cols[k], r->by, false)) continue;
            if (!first) sb_addch(out, ',');
            first = false;
            const char *v = cell(row, &cols[k], buf, sizeof buf);
            if (i == r->nrows && k == COL_NAME) v = "TOTAL";
            od_csv_field(out, v, cell_opts | (cols[k].kind == TEXT ? 0 : OD_CSV_NUMERIC));
        }
        sb_add(out, "\r\n");
    }
}

/* A column's table header; the deal column says which deals it holds. */
static const char *header(const struct od_profit_report *r, const struct col *c)
{
    if (c->off == offsetof(struct od_profit_row, deal_amount) && r->deals_in_range)
        return "Won in range";
    return c->header;
}

static void write_table(const struct od_profit_report *r, struct strbuf *out)
{
    size_t ncols = OD_ARRAY_LEN(cols), nrows = r->nrows + 1;
    char **text = od_xcalloc(nrows * ncols, sizeof(*text)); /* sanitized cells, owned */
    int width[OD_ARRAY_LEN(cols)];
    for (size_t k = 0; k < ncols; k++) {
        width[k] = od_display_width(header(r, &cols[k]));
        for (size_t i = 0; i < nrows; i++) {
            const struct od_profit_row *row = i < r->nrows ? &r->rows[i] : &r->totals;
            char buf[32];
            const char *v =
                col_shown(&cols[k], r->by, true) ? cell(row, &cols[k], buf, sizeof buf) : NULL;
            if (i == r->nrows && k == COL_NAME) v = "TOTAL";
            char *s = od_sanitize(v ? v : (cols[k].kind == TEXT ? "" : "-"));
            int w = od_display_width(s);
            if (k == COL_NAME && w > NAME_MAX_COLS) w = NAME_MAX_COLS;
            if (w > width[k]) width[k] = w;
            text[i * ncols + k] = s;
        }
    }
    for (size_t i = 0; i <= nrows; i++) { /* row 0 = header */
        bool first = true;
        for (size_t k = 0; k < ncols; k++) {
            if (!col_shown(&cols[k], r->by, true)) continue;
            if (!first) sb_add(out, "  ");
            first = false;
            const char *s = i == 0 ? header(r, &cols[k]) : text[(i - 1) * ncols + k];
            if (cols[k].kind == TEXT || cols[k].kind == MARK)
                od_pad_right(out, s, width[k]);
            else
                od_pad_left(out, s, width[k]);
        }
        while (out->len && out->buf[out->len - 1] == ' ')
            out->buf[--out->len] = '\0';
        sb_addch(out, '\n');
    }
    for (size_t i = 0; i < nrows * ncols; i++)
        free(text[i]);
    free(text);
    const struct od_profit_row *t = &r->totals;
    if (t->missing_cost_rate || t->missing_billable_rate)
        sb_addf(out,
                "! incomplete: %lld %s without a cost rate (cost too low), %lld billable %s "
                "without a billable rate (revenue too low); counts per row: --format json or "
                "csv\n",
                (long long)t->missing_cost_rate, t->missing_cost_rate == 1 ? "entry" : "entries",
                (long long)t->missing_billable_rate,
                t->missing_billable_rate == 1 ? "entry" : "entries");
}

void od_report_profit(const struct od_profit_report *r, enum od_report_format fmt, unsigned opts,
                      struct strbuf *out)
{
    switch (fmt) {
    case OD_REPORT_JSON:
        write_json(r, opts & OD_REPORT_TTY, out);
        break;
    case OD_REPORT_CSV:
        write_csv(r, opts, out);
        break;
    case OD_REPORT_TABLE:
        write_table(r, out);
        break;
    }
}
