/* profit_view — drawing the Profitability screen; see profit_view.h.
 *
 *   Clients › Acme  ·  Projects  ·  2026-01-01..2026-03-31 (last-quarter)  ·  trend 2026-01..2026-03
 *   Project      Billing  Hours  Revenue ...                       (the table)
 *   Total (9 of 80)  hours 1,234.50 · revenue 12,345.67 · ... · 38.20 % · EUR
 *   !C cost incomplete: 12 entries without a cost rate
 *
 * The title's range is the snapshot's (the rows on screen), never the one still loading. */
#include "screens/profit_view.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/domain/profit_sum.h"
#include "screens/common.h"
#include "screens/profit_read.h"

static const char *const level_name[] = {"Clients", "Projects", "Months", "People"};

static void month_text(int32_t idx, char out[8])
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%04d-%02d", (int)(idx / 12), (int)(idx % 12) + 1);
    memcpy(out, tmp, 7);
    out[7] = '\0';
}

static void draw_title(struct profit_screen *s, struct tui_grid *g, struct tui_rect a)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, level_name[0]);
    for (int i = 1; i < s->depth; i++)
        sb_addf(&sb, " › %s", s->f[i].label);
    const struct profit_snap *snap = s->snap;
    const struct od_profit_query *q = &s->f[s->depth - 1].q;
    /* the range of the rows shown; before the first rows, the one asked for */
    const char *from = snap ? snap->rep.from : q->by == OD_PROFIT_BY_PERSON ? q->from : s->from;
    const char *to = snap ? snap->rep.to : q->by == OD_PROFIT_BY_PERSON ? q->to : s->to;
    const char *period = snap ? snap->period : q->by == OD_PROFIT_BY_PERSON ? "" : s->period;
    /* the level, unless the breadcrumb is only its own root ("Clients", not "Clients · Clients") */
    if (s->depth > 1 || q->by != OD_PROFIT_BY_CLIENT) sb_addf(&sb, "  ·  %s", level_name[q->by]);
    sb_add(&sb, "  ·  ");
    if (!*from && !*to)
        sb_add(&sb, "all time");
    else
        sb_addf(&sb, "%s..%s", *from ? from : "start", *to ? to : "now");
    if (*period && strcmp(period, "all")) sb_addf(&sb, " (%s)", period);
    if (snap && snap->trend_months > 0 && profit_column(q->by, PF_TREND) >= 0) {
        char m0[8], m1[8];
        month_text(snap->trend_first, m0);
        month_text(snap->trend_first + snap->trend_months - 1, m1);
        sb_addf(&sb, "  ·  trend %s..%s", m0, m1);
    }
    if (s->b.feed.inflight || !snap || scr_busy(s->b.c, s->b.feed.key))
        sb_add(&sb, "  ·  loading …"); /* (a dropped answer may have cleared inflight) */
    tui_grid_text(g, a.x, a.y, a.w, sb_str(&sb), TUI_ROLE_TITLE);
    sb_release(&sb);
}

/* The Total line of the rows shown (after the filter) and, when some are incomplete, the
 * legend under it. Returns the lines it needs (0 when there is nothing to total). */
static int foot_lines(const struct profit_screen *s, struct od_profit_row *tot)
{
    const struct tui_table *t = &s->b.t;
    if (!s->snap || od_profit_sum(s->snap->rep.rows, t->view, t->nview, tot) < 0) return 0;
    return 1 + (tot->missing_cost_rate || tot->missing_billable_rate);
}

static void draw_total(const struct profit_screen *s, const struct od_profit_row *tot,
                       struct tui_grid *g, int x, int y, int w)
{
    const struct tui_table *t = &s->b.t;
    char hours[48], rev[48], cost[48], margin[48], pct[48] = "", deal[48] = "";
    scr_thousands(hours, sizeof hours, tot->hours, "");
    scr_thousands(rev, sizeof rev, tot->revenue, "");
    scr_thousands(cost, sizeof cost, tot->cost, "");
    scr_thousands(margin, sizeof margin, tot->margin, "");
    if (tot->has_margin_pct) scr_thousands(pct, sizeof pct, tot->margin_pct, " %");
    if (tot->has_deal_amount) scr_thousands(deal, sizeof deal, tot->deal_amount, "");
    struct strbuf sb = STRBUF_INIT;
    if (t->needle)
        sb_addf(&sb, "Total (%zu of %zu)", t->nview, t->rows.n);
    else
        sb_addf(&sb, "Total (all %zu)", t->nview);
    if (*tot->currency) {
        char *cur = od_sanitize(tot->currency);
        sb_addf(&sb, " in %s", cur);
        free(cur);
    } else if (tot->mixed_currency) {
        sb_add(&sb, " of MIXED CURRENCIES");
    }
    sb_addf(&sb, "  %s h · revenue %s · cost %s · margin %s", hours, rev, cost, margin);
    if (*pct) sb_addf(&sb, " (%s)", pct);
    if (*deal) sb_addf(&sb, " · won %s", deal);
    tui_grid_text(g, x, y, w, sb_str(&sb), tot->mixed_currency ? TUI_ROLE_WARN : TUI_ROLE_HEADER);
    sb_release(&sb);
}

static void draw_legend(const struct od_profit_row *tot, struct tui_grid *g, int x, int y, int w)
{
    struct strbuf sb = STRBUF_INIT;
    if (tot->missing_cost_rate)
        sb_addf(&sb, "!C cost incomplete: %lld entr%s without a cost rate",
                (long long)tot->missing_cost_rate, tot->missing_cost_rate == 1 ? "y" : "ies");
    if (tot->missing_billable_rate)
        sb_addf(&sb, "%s!R revenue incomplete: %lld billable entr%s without a billable rate",
                sb.len ? " · " : "", (long long)tot->missing_billable_rate,
                tot->missing_billable_rate == 1 ? "y" : "ies");
    tui_grid_text(g, x, y, w, sb_str(&sb), TUI_ROLE_WARN);
    sb_release(&sb);
}

void profit_view_draw(struct profit_screen *s, struct tui_grid *g, struct tui_rect a)
{
    draw_title(s, g, a);
    struct od_profit_row tot;
    int foot = a.h >= 6 ? foot_lines(s, &tot) : 0;
    if (a.h < 8 && foot > 1) foot = 1; /* a small terminal keeps the table and the total */
    tui_table_draw(&s->b.t, g, (struct tui_rect){a.x, a.y + 1, a.w, a.h - 1 - foot}, true);
    if (foot >= 1) draw_total(s, &tot, g, a.x, a.y + a.h - foot, a.w);
    if (foot > 1) draw_legend(&tot, g, a.x, a.y + a.h - 1, a.w);
}
