/* profit — screen 3: profitability. Clients with hours, revenue, cost, margin, margin %, a
 * marker for incomplete rows, the linked company's won deals and a margin trend (one cell per
 * month, the same months on every row); projects with billing (fixed fee or T&M) and budget
 * burn. Enter drills client -> projects -> months -> people; Esc/Backspace goes back up (the
 * selection comes back to the row you left).
 *
 * What is shown cannot be misread: the title names the range of the rows on screen (while a
 * new range loads, the old rows keep their title, plus "loading …"); the Total line and any
 * export sum exactly the rows shown (after the filter: "Total (9 of 80)"; core/domain/
 * profit_sum.h); a new sort, filter, range or C-r shows the first row at the top; rows a live
 * refresh puts above the view are counted ("↑ N new"). `:range` takes FROM..TO, a month, a day
 * or a named period (core/domain/period.h) and refuses what the CLI refuses, changing nothing.
 * Keys per column sort (n t r c m % ! d b; again: reverse), as does `:sort COLUMN [asc|desc]`.
 * `:export csv|json [NAME]` writes the rows shown (profit_export.c). Drawing is profit_view.c.
 * Refreshes on NOTIFY opsdeck_data (a sync wrote rows). */
#include "screens/profit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/util.h"
#include "core/domain/period.h"
#include "screens/base.h"
#include "screens/common.h"
#include "screens/profit_export.h"
#include "screens/profit_read.h"
#include "screens/profit_view.h"

static void fill(struct profit_screen *s)
{
    scr_table_replace(&s->b.t, &s->snap->rows); /* moves the rows; the snapshot keeps none */
    if (s->restore[0]) {
        tui_table_select_key(&s->b.t, s->restore);
        s->restore[0] = '\0';
    }
}

/* The query the screen shows now: the level's, with the screen's range (people keep their
 * month). */
static void wanted(const struct profit_screen *s, struct od_profit_query *q, char period[16])
{
    *q = s->f[s->depth - 1].q;
    period[0] = '\0';
    if (q->by == OD_PROFIT_BY_PERSON) return;
    memcpy(q->from, s->from, sizeof q->from);
    memcpy(q->to, s->to, sizeof q->to);
    memcpy(period, s->period, 16);
}

static bool same_range(const struct od_profit_query *a, const struct od_profit_query *b)
{
    return !strcmp(a->from, b->from) && !strcmp(a->to, b->to);
}

static bool same_query(const struct od_profit_query *a, const struct od_profit_query *b)
{
    return a->by == b->by && a->client_id == b->client_id && a->project_id == b->project_id &&
           a->user_id == b->user_id && same_range(a, b);
}

static void submit(struct scr_base *b)
{
    struct profit_screen *s = (struct profit_screen *)b;
    struct profit_read_arg *a = od_xcalloc(1, sizeof *a);
    wanted(s, &a->q, a->period);
    scr_submit(b->c, b->feed.key, profit_read, a, free, profit_snap_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct profit_screen *s = (struct profit_screen *)b;
    struct profit_snap *snap = r->snapshot;
    struct od_profit_query want;
    char period[16];
    wanted(s, &want, period);
    if (!same_query(&snap->q, &want)) return; /* an answer to a level or range we left: freed */
    bool new_range = s->snap && !same_range(&s->snap->q, &snap->q);
    profit_snap_free(s->snap);
    s->snap = snap;
    r->snapshot = NULL;
    bool ranged = *snap->rep.from || *snap->rep.to;
    s->b.t.cols = profit_columns(snap->q.by, ranged); /* the deal column's title */
    s->b.t.empty = ranged ? "no time entries in this range" : "no time entries synced yet";
    fill(s);
    if (new_range) tui_table_reset_view(&s->b.t); /* new data: from its first row */
}

/* Show level `depth` (table columns change with it). */
static void show_level(struct profit_screen *s, int depth)
{
    s->depth = depth;
    enum od_profit_by by = s->f[depth - 1].q.by;
    scr_base_set_columns(&s->b, profit_columns(by, *s->from || *s->to), profit_ncols(by));
    profit_snap_free(s->snap);
    s->snap = NULL;
    scr_base_request(&s->b, true);
}

static unsigned drill(struct profit_screen *s)
{
    const struct tui_table *t = &s->b.t;
    long row = tui_table_selected(t);
    if (row < 0 || s->depth == PROFIT_DEPTH || !s->snap) return TUI_HANDLED;
    struct profit_frame *cur = &s->f[s->depth - 1], *next = &s->f[s->depth];
    const char *key = tui_rowset_key(&t->rows, (size_t)row);
    if (cur->q.by == OD_PROFIT_BY_PERSON) return TUI_HANDLED;
    snprintf(cur->sel, sizeof cur->sel, "%s", key);
    *next = (struct profit_frame){.q = cur->q};
    snprintf(next->label, sizeof next->label, "%s", tui_rowset_cell(&t->rows, (size_t)row, 0));
    if (cur->q.by == OD_PROFIT_BY_CLIENT) {
        next->q.by = OD_PROFIT_BY_PROJECT;
        next->q.client_id = strtoll(key, NULL, 10);
    } else if (cur->q.by == OD_PROFIT_BY_PROJECT) {
        next->q.by = OD_PROFIT_BY_MONTH;
        next->q.project_id = strtoll(key, NULL, 10);
    } else { /* a month: its people on that project */
        next->q.by = OD_PROFIT_BY_PERSON;
        if (od_profit_date_parse(key, false, next->q.from) < 0 ||
            od_profit_date_parse(key, true, next->q.to) < 0) {
            tui_app_toast(s->b.c->app, TUI_TOAST_ERROR, "%s", od_err());
            return TUI_HANDLED | TUI_REDRAW;
        }
    }
    show_level(s, s->depth + 1);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned back(struct profit_screen *s)
{
    if (s->depth <= 1) return 0;
    snprintf(s->restore, sizeof s->restore, "%s", s->f[s->depth - 2].sel);
    show_level(s, s->depth - 1);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned on_enter(void *state, struct tui_app *app, const struct tui_key *k)
{
    return drill(state);
}

static unsigned on_back(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct profit_screen *s = state;
    /* a filter shown takes Esc first (the table's keys ran before this) */
    return s->b.t.filter_editing || s->b.t.needle ? 0 : back(s);
}

static const struct tui_handler handlers[] = {{"enter", on_enter}, {"back", on_back}};

/* Sort by a field's column: dir 0 ascending, 1 descending, -1 the column's natural direction
 * (numbers largest first, incomplete rows first, names A-Z), or the reverse when it is the
 * column sorted already. */
static unsigned sort_by(struct profit_screen *s, enum profit_field f, int dir)
{
    struct tui_table *t = &s->b.t;
    enum od_profit_by by = s->f[s->depth - 1].q.by;
    int col = profit_column(by, f);
    if (col < 0) {
        tui_app_toast(s->b.c->app, TUI_TOAST_INFO, "sort: %s rows have no %s column",
                      od_profit_by_name(by), profit_field_words[f]);
        return TUI_HANDLED | TUI_REDRAW;
    }
    bool desc = dir >= 0             ? dir == 1
                : t->sort_col == col ? !t->sort_desc
                : f == PF_FLAG       ? true
                                     : t->cols[col].cmp != TUI_CMP_TEXT;
    tui_table_sort(t, col, desc);
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct {
    const char *action;
    enum profit_field f;
} sort_keys[] = {
    {"profit.sort_name", PF_NAME},       {"profit.sort_hours", PF_HOURS},
    {"profit.sort_revenue", PF_REVENUE}, {"profit.sort_cost", PF_COST},
    {"profit.sort_margin", PF_MARGIN},   {"profit.sort_margin_pct", PF_PCT},
    {"profit.sort_incomplete", PF_FLAG}, {"profit.sort_deals", PF_DEAL},
    {"profit.sort_burn", PF_BURN},
};

static unsigned act_sort(void *state, struct tui_app *app, const struct tui_key *k)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(sort_keys); i++)
        if (!strcmp(k->action, sort_keys[i].action)) return sort_by(state, sort_keys[i].f, -1);
    return 0;
}

static const struct tui_action actions[] = {
    {"profit.sort_name", "n", "sort by name (each sort key again: reverse)", "profit", 0, act_sort},
    {"profit.sort_hours", "t", "sort by hours (time), most first", "profit", 0, act_sort},
    {"profit.sort_revenue", "r", "sort by revenue, largest first", "profit", 0, act_sort},
    {"profit.sort_cost", "c", "sort by cost, largest first", "profit", 0, act_sort},
    {"profit.sort_margin", "m", "sort by margin, largest first", "profit", 0, act_sort},
    {"profit.sort_margin_pct", "%", "sort by margin %, largest first", "profit", 0, act_sort},
    {"profit.sort_incomplete", "!", "incomplete first (!C no cost rate, !R no billable rate)",
     "profit", 0, act_sort},
    {"profit.sort_deals", "d", "sort by won deals, largest first (clients)", "profit", 0, act_sort},
    {"profit.sort_burn", "b", "sort by budget burn, most used first (projects)", "profit", 0,
     act_sort},
};

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct profit_screen *s = (struct profit_screen *)b;
    profit_view_draw(s, g, a);
}

static unsigned cmd_range(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct profit_screen *s = ud;
    char from[11], to[11];
    if (argc != 2) {
        tui_app_toast(app, TUI_TOAST_INFO,
                      "range: %s..%s now; :range 2026-01..2026-06, 2026-03, a period "
                      "(this-month, last-quarter, ytd, last-30d ...) or all",
                      *s->from ? s->from : "start", *s->to ? s->to : "now");
        return TUI_REDRAW;
    }
    if (od_profit_range_parse(argv[1], time(NULL), from, to) < 0) {
        tui_app_toast(app, TUI_TOAST_ERROR, "range: %s; nothing changed", od_err());
        return TUI_REDRAW;
    }
    memcpy(s->from, from, sizeof s->from);
    memcpy(s->to, to, sizeof s->to);
    s->period[0] = '\0';
    for (int i = 0; od_profit_periods[i]; i++) /* named: the title says which */
        if (!strcmp(argv[1], od_profit_periods[i]) && strcmp(argv[1], "all"))
            snprintf(s->period, sizeof s->period, "%s", argv[1]);
    tui_app_show(app, "profit");
    tui_app_toast(app, TUI_TOAST_INFO, "range %s..%s%s%s%s, loading", *from ? from : "start",
                  *to ? to : "now", *s->period ? " (" : "", s->period, *s->period ? ")" : "");
    scr_base_request(&s->b, true);
    return TUI_REDRAW;
}

static unsigned cmd_sort(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct profit_screen *s = ud;
    int dir = -1;
    if (argc == 3) dir = !strcmp(argv[2], "asc") ? 0 : !strcmp(argv[2], "desc") ? 1 : -2;
    for (int f = 0; argc >= 2 && argc <= 3 && dir > -2 && f < PF_NFIELDS; f++)
        if (!strcmp(argv[1], profit_field_words[f])) {
            tui_app_show(app, "profit");
            return sort_by(s, (enum profit_field)f, dir);
        }
    tui_app_toast(app, TUI_TOAST_ERROR,
                  "sort: :sort COLUMN [asc|desc], COLUMN one of name hours revenue cost margin "
                  "margin%% incomplete deals burn (Tab completes)");
    return TUI_REDRAW;
}

static unsigned cmd_export(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct profit_screen *s = ud;
    return profit_export(s->b.c, s->snap, &s->b.t, &s->export, argc, argv);
}

static const char *const *export_words(int argi, void *ud)
{
    static const char *const fmts[] = {"csv", "json", NULL};
    return argi == 1 ? fmts : NULL;
}

static const char *const *range_words(int argi, void *ud)
{
    return argi == 1 ? od_profit_periods : NULL;
}

static const char *const *sort_words(int argi, void *ud)
{
    static const char *const dirs[] = {"asc", "desc", NULL};
    return argi == 1 ? profit_field_words : argi == 2 ? dirs : NULL;
}

static const struct tui_command cmds[] = {
    {"range", "FROM..TO|PERIOD|all", "2026-01..2026-06, 2026-03, ytd, last-30d, all", range_words,
     cmd_range},
    {"sort", "COLUMN [asc|desc]", "sort by a column: hours, margin, margin% ...", sort_words,
     cmd_sort},
    {"export", "csv|json [NAME]", "write the rows shown and their total", export_words, cmd_export},
};

static const struct scr_base_ops ops = {.prefix = "profit.",
                                        .feed_key = "profit.rows",
                                        .ncols = 0, /* set in profit_screen_new */
                                        .empty = "no time entries synced yet",
                                        .need = "profit.read",
                                        .denied = "Your role may not see profitability.",
                                        .refresh_ev = SCR_EV_DATA,
                                        .submit = submit,
                                        .take = take,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body};

const struct tui_screen_class profit_screen_class = {.name = "profit",
                                                     .title = "Profitability",
                                                     .actions = actions,
                                                     .nactions = OD_ARRAY_LEN(actions),
                                                     SCR_BASE_CALLBACKS};

struct profit_screen *profit_screen_new(struct scr_ctx *c)
{
    struct profit_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    s->depth = 1;
    s->f[0].q.by = OD_PROFIT_BY_CLIENT;
    scr_base_set_columns(&s->b, profit_columns(OD_PROFIT_BY_CLIENT, false),
                         profit_ncols(OD_PROFIT_BY_CLIENT));
    s->b.t.empty = ops.empty;
    tui_app_add_screen_commands(c->app, "profit", cmds, OD_ARRAY_LEN(cmds), s);
    return s;
}

void profit_screen_free(struct profit_screen *s)
{
    if (!s) return;
    scr_base_release(&s->b);
    profit_snap_free(s->snap);
    profit_export_free(s->export);
    free(s);
}
