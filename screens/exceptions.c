/* exceptions — screen 2: what is wrong now, worst and oldest first (the core's order: live,
 * then critical > warning > info, newest last_seen). `:kind KIND` (or `:kind all`) filters by
 * kind, / filters any text; Enter opens the detail (message, details, who acknowledged or
 * resolved it and their notes); a acknowledges and r resolves with a note typed on the bottom
 * line (Enter saves, Esc cancels). The version the person saw goes with the edit, so a stale
 * one is refused by the core and its message shown in a toast. Refreshes on NOTIFY
 * opsdeck_exceptions. */
#include "screens/exceptions.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/security/auth.h"
#include "core/domain/exceptions.h"
#include "core/base/util.h"
#include "screens/base.h"
#include "screens/common.h"
#include "tui/edit.h"
#include "tui/overlay.h"

struct exc_screen {
    struct scr_base b;              /* first */
    struct od_exception_list *list; /* owned: what the table shows */
    char kind[48];                  /* "" = every kind */
    /* the note being typed for an ack or resolve */
    bool noting;
    bool resolve;
    int64_t note_id;
    int note_version;
    struct tui_edit note;
};

enum { C_SEV, C_AGE, C_KIND, C_SUBJ, C_MSG, C_CNT, C_STATE, C_ID, NCOLS };
static const struct tui_column cols[NCOLS] = {
    {"Severity", TUI_ALIGN_LEFT, 8, 8, TUI_CMP_TEXT, NULL},
    {"Age", TUI_ALIGN_RIGHT, 3, 5, TUI_CMP_NUMBER, NULL},
    {"Kind", TUI_ALIGN_LEFT, 6, 20, TUI_CMP_TEXT, NULL},
    {"Subject", TUI_ALIGN_LEFT, 8, 24, TUI_CMP_TEXT, NULL},
    {"Message", TUI_ALIGN_LEFT, 10, 0, TUI_CMP_TEXT, NULL},
    {"Count", TUI_ALIGN_RIGHT, 5, 7, TUI_CMP_NUMBER, NULL},
    {"State", TUI_ALIGN_LEFT, 5, 12, TUI_CMP_TEXT, NULL},
    {"ID", TUI_ALIGN_RIGHT, 2, 8, TUI_CMP_NUMBER, NULL},
};

static void list_free(void *p)
{
    if (!p) return;
    od_exception_list_release(p);
    free(p);
}

struct read_arg {
    struct od_pool *pool;
    char kind[48];
};

static void *read_list(PGconn *conn, void *p)
{
    struct read_arg *a = p;
    struct od_exception_list *l = od_xcalloc(1, sizeof *l);
    struct od_exception_filter f = {.kind = a->kind[0] ? a->kind : NULL};
    if (od_exceptions_list(a->pool, &f, l) < 0) {
        list_free(l);
        return NULL;
    }
    return l;
}

static uint8_t sev_role(const char *sev)
{
    if (!strcmp(sev, "critical")) return TUI_ROLE_FAIL;
    if (!strcmp(sev, "warning")) return TUI_ROLE_WARN;
    return TUI_ROLE_INFO;
}

static void fill(struct exc_screen *s)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, NCOLS);
    for (size_t i = 0; i < s->list->n; i++) {
        const struct od_exception *e = &s->list->items[i];
        char age[16], cnt[24], id[24], key[32];
        scr_age(age, sizeof age, e->first_seen);
        snprintf(cnt, sizeof cnt, "%lld", (long long)e->count);
        snprintf(id, sizeof id, "%lld", (long long)e->id);
        snprintf(key, sizeof key, "exc:%lld", (long long)e->id);
        const char *cells[NCOLS] = {e->severity, age, e->kind,  e->subject,
                                    e->message,  cnt, e->state, id};
        tui_rowset_add(&rs, key, cells,
                       strcmp(e->state, "open") ? TUI_ROLE_DIM : sev_role(e->severity));
    }
    scr_table_replace(&s->b.t, &rs);
    tui_rowset_release(&rs);
}

static void submit(struct scr_base *b)
{
    struct exc_screen *s = (struct exc_screen *)b;
    struct read_arg *a = od_xcalloc(1, sizeof *a);
    a->pool = b->c->pool;
    snprintf(a->kind, sizeof a->kind, "%s", s->kind);
    scr_submit(b->c, b->feed.key, read_list, a, free, list_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct exc_screen *s = (struct exc_screen *)b;
    list_free(s->list);
    s->list = r->snapshot;
    r->snapshot = NULL;
    fill(s);
}

static const struct od_exception *selected(struct exc_screen *s)
{
    const char *key = tui_table_selected_key(&s->b.t);
    if (!key || !s->list) return NULL;
    int64_t id = strtoll(key + 4, NULL, 10);
    for (size_t i = 0; i < s->list->n; i++)
        if (s->list->items[i].id == id) return &s->list->items[i];
    return NULL;
}

static int do_note(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    bool resolve = a->text2 != NULL;
    int rc = resolve
                 ? od_exceptions_resolve(a->c->pool, a->id, a->version, a->s->email, a->text, NULL)
                 : od_exceptions_ack(a->c->pool, a->id, a->version, a->s->email, a->text, NULL);
    if (rc < 0) return -1;
    sb_addf(msg, "exception %lld %s", (long long)a->id, resolve ? "resolved" : "acknowledged");
    return 0;
}

static void detail(struct exc_screen *s, const struct od_exception *e)
{
    char title[64];
    snprintf(title, sizeof title, "Exception %lld", (long long)e->id);
    struct tui_overlay *o = tui_app_overlay(s->b.c->app, title);
    /* overlay text is sanitized when drawn (tui/grid.h) */
    tui_overlay_add(o, sev_role(e->severity), "%s · %s · %s", e->severity, e->kind, e->state);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Subject:    %s", e->subject);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Message:    %s", e->message);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Seen:       %lld times, first %s, last %s",
                    (long long)e->count, e->first_seen, e->last_seen);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Details:    %s", e->details_json ? e->details_json : "");
    if (e->ack_by)
        tui_overlay_add(o, TUI_ROLE_NORMAL, "Acked:      %s at %s: %s", e->ack_by, e->ack_at,
                        e->ack_note ? e->ack_note : "");
    if (e->resolved_by)
        tui_overlay_add(o, TUI_ROLE_NORMAL, "Resolved:   %s at %s: %s", e->resolved_by,
                        e->resolved_at, e->resolved_note ? e->resolved_note : "");
    if (e->closed_at[0]) tui_overlay_add(o, TUI_ROLE_DIM, "Closed:     %s", e->closed_at);
    tui_overlay_add(o, TUI_ROLE_DIM, "Version %d · a acknowledge · r resolve (after Esc)",
                    e->version);
}

static unsigned note_key(struct scr_base *b, const struct tui_key *k)
{
    struct exc_screen *s = (struct exc_screen *)b;
    if (!s->noting) return 0;
    if (k->key == TUI_KEY_ESC) {
        s->noting = false;
        tui_edit_clear(&s->note);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (k->key == TUI_KEY_ENTER) {
        s->noting = false;
        scr_act_submit(b->c, s->resolve ? "exc.act.resolve" : "exc.act.ack",
                       s->resolve ? "exceptions.resolve" : "exceptions.ack", do_note, s->note_id,
                       s->note_version, tui_edit_str(&s->note), s->resolve ? "resolve" : NULL);
        tui_edit_clear(&s->note);
        return TUI_HANDLED | TUI_REDRAW;
    }
    tui_edit_key(&s->note, k->key);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned start_note(struct exc_screen *s, bool resolve)
{
    const struct od_exception *e = selected(s);
    if (!e) return TUI_HANDLED;
    s->noting = true;
    s->resolve = resolve;
    s->note_id = e->id;
    s->note_version = e->version;
    tui_edit_clear(&s->note);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_ack(void *state, struct tui_app *app, const struct tui_key *k)
{
    return start_note(state, false);
}

static unsigned act_resolve(void *state, struct tui_app *app, const struct tui_key *k)
{
    return start_note(state, true);
}

static const struct tui_action actions[] = {
    {"exceptions.ack", "a", "acknowledge the selected exception (with a note)", "exceptions",
     TUI_ACT_WRITES, act_ack},
    {"exceptions.resolve", "r", "resolve the selected exception (with a note)", "exceptions",
     TUI_ACT_WRITES, act_resolve},
};

/* Enter: the selected exception's details. */
static unsigned on_enter(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct exc_screen *s = state;
    const struct od_exception *e = selected(s);
    if (e) detail(s, e);
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_handler handlers[] = {{"enter", on_enter}};

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct exc_screen *s = (struct exc_screen *)b;
    int foot = s->noting ? 1 : 0;
    tui_table_draw(&b->t, g, (struct tui_rect){a.x, a.y, a.w, a.h - foot}, !s->noting);
    if (!foot) return;
    int y = a.y + a.h - 1;
    char label[64];
    snprintf(label, sizeof label, "%s #%lld, note: ", s->resolve ? "Resolve" : "Acknowledge",
             (long long)s->note_id);
    int lw = tui_grid_text(g, a.x, y, a.w, label, TUI_ROLE_KEY_HINT);
    tui_edit_draw(&s->note, g, a.x + lw, y, a.w - lw, TUI_ROLE_INPUT_FOCUS, true);
}

static void status_extra(struct scr_base *b, char *out, size_t n)
{
    struct exc_screen *s = (struct exc_screen *)b;
    snprintf(out, n, "%s%s%s%zu of %zu", s->kind[0] ? "kind " : "", s->kind,
             s->kind[0] ? " · " : "", tui_table_shown(&b->t), tui_table_total(&b->t));
}

static const char *const *kind_words(int argi, void *ud)
{
    static const char *words[64];
    if (argi != 1) return NULL;
    size_t n = 0;
    words[n++] = "all";
    for (size_t i = 0; i < od_rules_count && n < OD_ARRAY_LEN(words) - 1; i++)
        words[n++] = od_rules[i].kind;
    words[n] = NULL;
    return words;
}

static unsigned cmd_kind(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct exc_screen *s = ud;
    const char *k = argc > 1 && strcmp(argv[1], "all") ? argv[1] : "";
    snprintf(s->kind, sizeof s->kind, "%s", k);
    tui_app_show(app, "exceptions");
    tui_app_toast(app, TUI_TOAST_INFO, "exceptions: %s", *k ? k : "every kind");
    scr_base_request(&s->b, true);
    return TUI_REDRAW;
}

static const struct tui_command cmds[] = {
    {"kind", "KIND|all", "show exceptions of one kind", kind_words, cmd_kind},
};

static const struct scr_base_ops ops = {.prefix = "exc.",
                                        .feed_key = "exc.list",
                                        .cols = cols,
                                        .ncols = NCOLS,
                                        .empty = "no exceptions — all is well",
                                        .need = "exceptions.read",
                                        .denied = "Your role may not see exceptions.",
                                        .refresh_ev = SCR_EV_EXCEPTIONS,
                                        .submit = submit,
                                        .take = take,
                                        .modal = note_key,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body,
                                        .status_extra = status_extra};

const struct tui_screen_class exc_screen_class = {.name = "exceptions",
                                                  .title = "Exceptions",
                                                  .actions = actions,
                                                  .nactions = OD_ARRAY_LEN(actions),
                                                  SCR_BASE_CALLBACKS};

struct exc_screen *exc_screen_new(struct scr_ctx *c)
{
    struct exc_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    tui_edit_init(&s->note, false);
    tui_app_add_commands(c->app, cmds, OD_ARRAY_LEN(cmds), s);
    return s;
}

void exc_screen_free(struct exc_screen *s)
{
    if (!s) return;
    scr_base_release(&s->b);
    tui_edit_release(&s->note);
    list_free(s->list);
    free(s);
}
