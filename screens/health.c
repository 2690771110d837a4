/* health — screen 4: every check of core/ops/health.h on one line each, worst first (fail, warn,
 * unknown, pass), coloured by status, with its value and sentence; the overall status on top.
 * Checks are not NOTIFY-driven, so the screen re-runs them every HEALTH_EVERY_MS while it is
 * visible (and not paused), and at once on C-r. The run is bounded by the core's deadline and
 * happens on a query worker; the old results stay until the new ones arrive. Enter on a check
 * shows its result and its runbook section (what to do; docs/runbook.md, compiled in). */
#include "screens/health.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops/health.h"
#include "core/base/util.h"
#include "screens/base.h"
#include "screens/common.h"
#include "tui/overlay.h"

#define HEALTH_EVERY_MS 5000

struct health_screen {
    struct scr_base b;            /* first */
    struct od_health_report *rep; /* owned */
};

enum { C_STATUS, C_CHECK, C_COMP, C_VALUE, C_OUT, NCOLS };
static const struct tui_column cols[NCOLS] = {
    {"Status", TUI_ALIGN_LEFT, 7, 7, TUI_CMP_TEXT, NULL},
    {"Check", TUI_ALIGN_LEFT, 10, 28, TUI_CMP_TEXT, NULL},
    {"Component", TUI_ALIGN_LEFT, 4, 24, TUI_CMP_TEXT, NULL},
    {"Value", TUI_ALIGN_RIGHT, 5, 16, TUI_CMP_TEXT, NULL}, /* human units: "1 h 12 min" */
    {"Detail", TUI_ALIGN_LEFT, 10, 0, TUI_CMP_TEXT, NULL},
};

static void rep_free(void *p)
{
    if (!p) return;
    od_health_report_release(p);
    free(p);
}

static void *read_health(PGconn *conn, void *arg)
{
    struct od_health_env *env = arg;
    struct od_health_report *r = od_xcalloc(1, sizeof *r);
    od_health_run(env, r); /* never fails: what it cannot tell is "unknown" */
    return r;
}

static int badness(enum od_health_status s)
{
    return s == OD_HEALTH_FAIL ? 0 : s == OD_HEALTH_WARN ? 1 : s == OD_HEALTH_UNKNOWN ? 2 : 3;
}

static uint8_t status_role(enum od_health_status s)
{
    return s == OD_HEALTH_FAIL   ? TUI_ROLE_FAIL
           : s == OD_HEALTH_WARN ? TUI_ROLE_WARN
           : s == OD_HEALTH_PASS ? TUI_ROLE_OK
                                 : TUI_ROLE_DIM;
}

static void fill(struct health_screen *s)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, NCOLS);
    for (int level = 0; level < 4; level++) /* worst first, check order within a level */
        for (size_t i = 0; i < s->rep->n; i++) {
            const struct od_health_result *h = &s->rep->results[i];
            if (badness(h->status) != level) continue;
            char value[64], key[128];
            od_health_format_value(h->observed_value, h->observed_unit, value, sizeof value);
            snprintf(key, sizeof key, "%s/%s", h->name, h->component_id);
            const char *cells[NCOLS] = {od_health_status_name(h->status), h->name, h->component_id,
                                        value, h->output};
            tui_rowset_add(&rs, key, cells, status_role(h->status));
        }
    scr_table_replace(&s->b.t, &rs);
    tui_rowset_release(&rs);
}

/* Enter: the selected result and what to do about it. Overlay text is sanitized when drawn. */
/* Enter: the selected check's details and its runbook. */
static unsigned on_enter(void *state, struct tui_app *app, const struct tui_key *key_in)
{
    struct health_screen *s = state;
    struct scr_base *b = &s->b;
    const char *key = tui_table_selected_key(&b->t);
    if (!key || !s->rep) return 0;
    for (size_t i = 0; i < s->rep->n; i++) {
        const struct od_health_result *h = &s->rep->results[i];
        char k[128], value[64];
        snprintf(k, sizeof k, "%s/%s", h->name, h->component_id);
        if (strcmp(k, key) != 0) continue;
        struct tui_overlay *o = tui_app_overlay(b->c->app, h->name);
        od_health_format_value(h->observed_value, h->observed_unit, value, sizeof value);
        tui_overlay_add(o, status_role(h->status), "%s%s%s  %s", od_health_status_name(h->status),
                        *h->component_id ? "  " : "", h->component_id, value);
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", h->output);
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
        const char *rb = od_health_runbook(h->name);
        for (const char *p = rb ? rb : "(no runbook section: see docs/runbook.md)"; *p;) {
            size_t n = strcspn(p, "\n");
            tui_overlay_add(o, p == rb ? TUI_ROLE_OK : TUI_ROLE_NORMAL, "%.*s", (int)n, p);
            p += n + (p[n] == '\n');
        }
        break;
    }
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_handler handlers[] = {{"enter", on_enter}};

static void submit(struct scr_base *b)
{
    struct od_health_env *env = od_xcalloc(1, sizeof *env);
    *env = (struct od_health_env){.cfg = b->c->cfg,
                                  .pool = b->c->pool,
                                  .events = b->c->events,
                                  .vault = b->c->vault,
                                  .in_process = b->c->in_process_workers};
    scr_submit(b->c, b->feed.key, read_health, env, free, rep_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct health_screen *s = (struct health_screen *)b;
    rep_free(s->rep);
    s->rep = r->snapshot;
    r->snapshot = NULL;
    fill(s);
}

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct health_screen *s = (struct health_screen *)b;
    if (s->rep)
        tui_grid_textf(
            g, a.x, a.y, a.w, status_role(s->rep->status), "Overall: %s  ·  %zu checks in %lld ms",
            od_health_status_name(s->rep->status), s->rep->n, (long long)s->rep->took_ms);
    else
        tui_grid_text(g, a.x, a.y, a.w, "Running the checks…", TUI_ROLE_DIM);
    tui_table_draw(&b->t, g, (struct tui_rect){a.x, a.y + 1, a.w, a.h - 1}, true);
}

static void status_extra(struct scr_base *b, char *out, size_t n)
{
    out[0] = '\0'; /* the overall line says it all */
}

static const struct scr_base_ops ops = {.prefix = "health.",
                                        .feed_key = "health.run",
                                        .cols = cols,
                                        .ncols = NCOLS,
                                        .empty = "running the checks…",
                                        .need = "health.read",
                                        .denied = "Your role may not see health checks.",
                                        .every_ms = HEALTH_EVERY_MS,
                                        .submit = submit,
                                        .take = take,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body,
                                        .status_extra = status_extra};

const struct tui_screen_class health_screen_class = {
    .name = "health", .title = "Health", SCR_BASE_CALLBACKS};

struct health_screen *health_screen_new(struct scr_ctx *c)
{
    struct health_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    return s;
}

void health_screen_free(struct health_screen *s)
{
    if (!s) return;
    scr_base_release(&s->b);
    rep_free(s->rep);
    free(s);
}
