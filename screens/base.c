/* base — the shared life of a table screen; see base.h. */
#include "screens/base.h"
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"

static bool readable(const struct scr_base *b)
{
    return b->visible && scr_can(b->c, b->ops->need, false);
}

static void submit(struct scr_base *b)
{
    b->ops->submit(b);
    tui_app_set_loading(b->c->app, b, true);
}

static void pump(void *screen)
{
    struct scr_base *b = screen;
    if (!readable(b)) return;
    if (b->ops->every_ms &&
        (!b->feed.loaded_wall || od_wall_ms() - b->feed.loaded_wall >= b->ops->every_ms))
        b->feed.want = true;
    if (scr_feed_due(b->c, &b->feed, false)) submit(b);
}

void scr_base_request(struct scr_base *b, bool force)
{
    b->feed.want = true;
    if (!readable(b)) return;
    if (force) b->feed.inflight = false; /* the newest answer wins */
    if (scr_feed_due(b->c, &b->feed, force)) submit(b);
}

static void on_result(void *screen, struct od_read_result *r)
{
    struct scr_base *b = screen;
    if (strcmp(r->key, b->feed.key)) { /* one of the screen's actions finished */
        scr_act_done(b->c, r);
        scr_base_request(b, true);
        return;
    }
    bool ok = scr_feed_done(b->c, &b->feed, r);
    tui_app_set_loading(b->c->app, b, false);
    if (!ok) {
        b->reset_view = false; /* the old rows stay where they were */
        return;
    }
    if (b->ops->take) b->ops->take(b, r);
    if (b->reset_view) tui_table_reset_view(&b->t);
    b->reset_view = false;
    pump(b); /* NOTIFYs that came while it ran */
}

void scr_base_init(struct scr_base *b, struct scr_ctx *c, const struct scr_base_ops *ops)
{
    b->ops = ops;
    b->c = c;
    b->feed.key = ops->feed_key;
    tui_table_init(&b->t, ops->cols, ops->ncols);
    b->t.empty = ops->empty;
    scr_route(c, ops->prefix, b, on_result, pump);
}

void scr_base_release(struct scr_base *b)
{
    tui_table_release(&b->t);
}

void scr_base_set_columns(struct scr_base *b, const struct tui_column *cols, int ncols)
{
    tui_table_release(&b->t);
    tui_table_init(&b->t, cols, ncols);
    b->t.empty = "loading…";
}

void scr_base_enter(void *state, struct tui_app *app)
{
    struct scr_base *b = state;
    b->visible = true;
    if (!b->ops->every_ms) b->feed.want = true; /* timed checks: only when due */
    pump(b);
}

void scr_base_leave(void *state, struct tui_app *app)
{
    ((struct scr_base *)state)->visible = false;
}

void scr_base_reload(struct scr_base *b)
{
    b->reset_view = true;
    scr_base_request(b, true);
}

static unsigned refresh(void *state, struct tui_app *app, const struct tui_key *k)
{
    scr_base_reload(state);
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_handler base_handlers[] = {{"refresh", refresh}};

/* One of the screen's own actions (a row of its table, context set), which the app would run. */
static bool own_action(struct tui_app *app, const struct tui_key *k)
{
    const struct tui_binding *b = k->action ? tui_keymap_find(tui_app_keymap(app), k->action) : 0;
    return b && b->act->context;
}

unsigned scr_base_key(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct scr_base *b = state;
    unsigned f;
    if (scr_gate_key(b->c, k, &f)) return f;
    /* not permitted to see the screen: its own actions do nothing; global keys still work */
    if (!scr_can(b->c, b->ops->need, false)) return own_action(app, k) ? TUI_HANDLED : 0;
    if (b->ops->modal && (f = b->ops->modal(b, k))) return f;
    if ((f = tui_table_key(&b->t, k))) return f;
    tui_action_fn *run = tui_handler_find(base_handlers, OD_ARRAY_LEN(base_handlers), k);
    if (!run) run = tui_handler_find(b->ops->handlers, b->ops->nhandlers, k);
    return run ? run(b, app, k) : 0; /* 0: the app runs the screen's own action, if it is one */
}

void scr_base_draw(void *state, struct tui_app *app, struct tui_grid *g, struct tui_rect a)
{
    struct scr_base *b = state;
    if (scr_gate_draw(b->c, g, a)) return;
    if (!scr_can(b->c, b->ops->need, false)) {
        scr_notice(g, a, TUI_ROLE_WARN, b->ops->denied);
        return;
    }
    if (b->ops->draw_body)
        b->ops->draw_body(b, g, a);
    else
        tui_table_draw(&b->t, g, a, true);
}

unsigned scr_base_event(void *state, struct tui_app *app, struct tui_event *ev)
{
    struct scr_base *b = state;
    unsigned f = scr_event(b->c, ev);
    if ((b->ops->refresh_ev && ev->type == b->ops->refresh_ev) || ev->type == SCR_EV_CONNECTED ||
        ev->type == SCR_EV_LOGIN)
        scr_base_request(b, ev->type == SCR_EV_LOGIN);
    return f;
}

const char *scr_base_status(void *state, struct tui_app *app)
{
    struct scr_base *b = state;
    char extra[128];
    if (b->ops->status_extra)
        b->ops->status_extra(b, extra, sizeof extra);
    else
        snprintf(extra, sizeof extra, "%zu of %zu", tui_table_shown(&b->t), tui_table_total(&b->t));
    return scr_status(b->c, &b->feed, extra);
}
