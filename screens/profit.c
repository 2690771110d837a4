/* profit — screen 3: profitability. Clients with hours, revenue, cost, margin, margin %, the
 * linked company's won deal amount and a margin trend (one sparkline cell per row, monthly).
 * Enter drills client -> projects -> months -> people; Esc/Backspace goes back up (the
 * selection comes back to the row you left). `:range 2026-01..2026-06` sets the date range
 * (`:range all` clears it); `:export csv|json [NAME]` writes the rows shown (after the
 * filter) into $XDG_STATE_HOME/opsdeck/exports/ (profit_export.c) and says where in a toast.
 * Refreshes on NOTIFY opsdeck_data (a sync wrote rows). */
#include "screens/profit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "core/base/config.h"
#include "core/domain/report.h"
#include "core/base/util.h"
#include "screens/base.h"
#include "screens/common.h"
#include "screens/profit_export.h"
#include "screens/profit_read.h"

#define DEPTH 4

struct frame {
    struct od_profit_query q;
    char label[80]; /* breadcrumb text of this level */
    char sel[64];   /* key selected when we drilled down from here */
};

struct profit_screen {
    struct scr_base b;        /* first */
    struct profit_snap *snap; /* owned: the rows shown */
    struct frame f[DEPTH];
    int depth; /* frames in use, >= 1 */
    char from[11], to[11];
    char restore[64];             /* select this key when the next snapshot arrives */
    struct profit_export *export; /* owned: waiting for "replace?" (profit_export.c) */
};

static const char *const level_name[] = {"Clients", "Projects", "Months", "People"};

static void fill(struct profit_screen *s)
{
    scr_table_replace(&s->b.t, &s->snap->rows); /* moves the rows; the snapshot keeps none */
    if (s->restore[0]) {
        tui_table_select_key(&s->b.t, s->restore);
        s->restore[0] = '\0';
    }
}

static void submit(struct scr_base *b)
{
    struct profit_screen *s = (struct profit_screen *)b;
    struct profit_read_arg *a = od_xcalloc(1, sizeof *a);
    a->q = s->f[s->depth - 1].q;
    if (a->q.by != OD_PROFIT_BY_PERSON) { /* people keep their month */
        snprintf(a->q.from, sizeof a->q.from, "%s", s->from);
        snprintf(a->q.to, sizeof a->q.to, "%s", s->to);
    }
    scr_submit(b->c, b->feed.key, profit_read, a, free, profit_snap_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct profit_screen *s = (struct profit_screen *)b;
    struct profit_snap *snap = r->snapshot;
    const struct od_profit_query *want = &s->f[s->depth - 1].q;
    if (snap->q.by != want->by || snap->q.client_id != want->client_id ||
        snap->q.project_id != want->project_id) {
        profit_snap_free(snap); /* an answer for a level we already left */
        r->snapshot = NULL;
        return;
    }
    profit_snap_free(s->snap);
    s->snap = snap;
    r->snapshot = NULL;
    fill(s);
}

/* Show level `depth` (table columns change with it). */
static void show_level(struct profit_screen *s, int depth)
{
    s->depth = depth;
    scr_base_set_columns(&s->b, profit_cols[s->f[depth - 1].q.by], PROFIT_NCOLS);
    profit_snap_free(s->snap);
    s->snap = NULL;
    scr_base_request(&s->b, true);
}

static unsigned drill(struct profit_screen *s)
{
    const struct tui_table *t = &s->b.t;
    long row = tui_table_selected(t);
    if (row < 0 || s->depth == DEPTH || !s->snap) return TUI_HANDLED;
    struct frame *cur = &s->f[s->depth - 1], *next = &s->f[s->depth];
    const char *key = tui_rowset_key(&t->rows, (size_t)row);
    if (cur->q.by == OD_PROFIT_BY_PERSON) return TUI_HANDLED;
    snprintf(cur->sel, sizeof cur->sel, "%s", key);
    *next = (struct frame){.q = cur->q};
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

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct profit_screen *s = (struct profit_screen *)b;
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, level_name[0]);
    for (int i = 1; i < s->depth; i++)
        sb_addf(&sb, " › %s", s->f[i].label);
    const struct od_profit_query *q = &s->f[s->depth - 1].q;
    const char *from = q->by == OD_PROFIT_BY_PERSON ? q->from : s->from;
    const char *to = q->by == OD_PROFIT_BY_PERSON ? q->to : s->to;
    sb_addf(&sb, "  ·  %s  ·  %s..%s", level_name[q->by], *from ? from : "start", *to ? to : "now");
    tui_grid_text(g, a.x, a.y, a.w, sb_str(&sb), TUI_ROLE_TITLE);
    sb_release(&sb);
    int foot = a.h >= 6 && s->snap ? 1 : 0;
    tui_table_draw(&b->t, g, (struct tui_rect){a.x, a.y + 1, a.w, a.h - 1 - foot}, true);
    if (!foot) return;
    const struct od_profit_row *t = &s->snap->rep.totals;
    tui_grid_textf(g, a.x, a.y + a.h - 1, a.w, TUI_ROLE_HEADER,
                   "Total  %s h · revenue %s · cost %s · margin %s%s%s", t->hours, t->revenue,
                   t->cost, t->margin, t->has_margin_pct ? " · " : "",
                   t->has_margin_pct ? t->margin_pct : "");
}

static unsigned cmd_range(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct profit_screen *s = ud;
    char from[11] = "", to[11] = "";
    const char *arg = argc > 1 ? argv[1] : "all";
    if (strcmp(arg, "all")) {
        const char *dots = strstr(arg, "..");
        char a[32] = "";
        if (dots) snprintf(a, sizeof a, "%.*s", (int)(dots - arg), arg);
        const char *b = dots ? dots + 2 : arg;
        if ((dots ? a : arg)[0] && od_profit_date_parse(dots ? a : arg, false, from) < 0) goto bad;
        if (*b && od_profit_date_parse(b, true, to) < 0) goto bad;
    }
    snprintf(s->from, sizeof s->from, "%s", from);
    snprintf(s->to, sizeof s->to, "%s", to);
    tui_app_show(app, "profit");
    tui_app_toast(app, TUI_TOAST_INFO, "range %s..%s", *from ? from : "start", *to ? to : "now");
    scr_base_request(&s->b, true);
    return TUI_REDRAW;
bad:
    tui_app_toast(app, TUI_TOAST_ERROR, "range: %s (e.g. :range 2026-01..2026-06, :range all)",
                  od_err());
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

static const struct tui_command cmds[] = {
    {"range", "FROM..TO|all", "profitability date range (YYYY-MM or YYYY-MM-DD)", NULL, cmd_range},
    {"export", "csv|json [NAME]", "write the rows shown to the export folder", export_words,
     cmd_export},
};

static const struct scr_base_ops ops = {.prefix = "profit.",
                                        .feed_key = "profit.rows",
                                        .cols = profit_cols[0],
                                        .ncols = PROFIT_NCOLS,
                                        .empty = "no time entries synced yet",
                                        .need = "profit.read",
                                        .denied = "Your role may not see profitability.",
                                        .refresh_ev = SCR_EV_DATA,
                                        .submit = submit,
                                        .take = take,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body};

const struct tui_screen_class profit_screen_class = {
    .name = "profit", .title = "Profitability", SCR_BASE_CALLBACKS};

struct profit_screen *profit_screen_new(struct scr_ctx *c)
{
    struct profit_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    s->depth = 1;
    s->f[0].q.by = OD_PROFIT_BY_CLIENT;
    tui_app_add_commands(c->app, cmds, OD_ARRAY_LEN(cmds), s);
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
