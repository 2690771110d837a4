/* login — the login gate; see login.h. */
#include "screens/login.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/ops/health.h"
#include "core/security/auth.h"
#include "screens/common.h"
#include "tui/form.h"
#include "tui/wrap.h"

#define TYPEAHEAD 64
#define PROBE_MS 2000  /* while the database is unreachable: try it this often */
#define CHECKS_MS 5000 /* and run the checks that need no database this often */

enum db_state { DB_UNKNOWN, DB_UP, DB_DOWN };

struct scr_login {
    struct scr_ctx *c; /* borrowed */
    struct tui_form form;
    bool checking;
    int typed[TYPEAHEAD]; /* keys typed while the password is checked: replayed after login */
    size_t ntyped;
    enum db_state db;
    char reason[512]; /* libpq's reason while DB_DOWN */
    bool probing, running_checks;
    int64_t next_probe, next_checks; /* monotonic ms; 0: now */
    struct od_health_report *checks; /* owned: the last run of the offline checks, or NULL */
    char quit[32];                   /* the first control key bound to quit ("C-c"), or "" */
    struct tui_hint hints[3];        /* the status line while the form shows */
};

struct login_arg {
    struct od_auth *auth;
    char *email;    /* owned */
    char *password; /* owned, locked memory */
};

extern const struct scr_gate_class login_gate_class;

static const struct tui_field_spec fields[] = {{"Email", false}, {"Password", true}};

static void on_result(void *screen, struct od_read_result *r);

struct scr_login *login_new(struct scr_ctx *c)
{
    struct scr_login *l = od_xcalloc(1, sizeof *l);
    l->c = c;
    tui_form_init(&l->form, fields, 2);
    scr_route(c, "login", l, on_result, NULL);
    return l;
}

static void report_free(void *p)
{
    if (!p) return;
    od_health_report_release(p);
    free(p);
}

static void login_free(void *gate)
{
    struct scr_login *l = gate;
    if (!l) return;
    tui_form_release(&l->form);
    report_free(l->checks);
    free(l);
}

/* Only the keys that work on the form: Tab, Enter and the control key bound to quit (letters
 * such as q ? / s p : type into the fields); while the database is unreachable, q and C-r. */
static void login_hints(void *gate, struct scr_ctx *c)
{
    struct scr_login *l = gate;
    const struct tui_binding *b = tui_keymap_find(tui_app_keymap(c->app), "quit");
    l->quit[0] = '\0';
    for (int i = 0; b && i < b->nkeys && !l->quit[0]; i++)
        if (b->keys[i] < 32) tui_key_name(b->keys[i], l->quit, sizeof l->quit);
    size_t n = 0;
    if (l->db == DB_DOWN) {
        l->hints[n++] = (struct tui_hint){"q", "quit"};
        l->hints[n++] = (struct tui_hint){"C-r", "try the database now"};
    } else {
        l->hints[n++] = (struct tui_hint){"Tab", "next field"};
        l->hints[n++] = (struct tui_hint){"Enter", "log in"};
        if (l->quit[0]) l->hints[n++] = (struct tui_hint){l->quit, "quit"};
    }
    tui_app_set_hints(c->app, l->hints, n);
}

static void arg_free(void *p)
{
    struct login_arg *a = p;
    free(a->email);
    od_secret_free(a->password);
    free(a);
}

static void session_free(void *p)
{
    od_session_free(p);
}

/* Query worker: the slow part (Argon2id, database). */
static void *run_login(PGconn *conn, void *p)
{
    struct login_arg *a = p;
    struct od_session *s = NULL;
    if (od_auth_login(a->auth, a->email, a->password, od_config_login_source(), &s) != 0)
        return NULL;
    return s;
}

/* Query worker, no connection: can the database be reached? The snapshot is "" when it can,
 * else libpq's reason (passwords taken out). */
static void *run_probe(PGconn *conn, void *p)
{
    const struct od_config *cfg = p;
    char reason[512];
    if (od_db_ping(cfg, reason, sizeof reason) == 0) return od_xstrdup("");
    return od_xstrdup(reason[0] ? reason : "no answer");
}

/* Query worker, no connection: the health checks that need no database. */
static void *run_checks(PGconn *conn, void *p)
{
    struct od_health_report *rep = od_xcalloc(1, sizeof *rep);
    od_health_run_offline(p, rep);
    return rep;
}

static void probe(struct scr_login *l)
{
    if (l->probing || !l->c->qw) return;
    l->probing = true;
    od_reader_submit_local(l->c->qw, "login.db", run_probe, (void *)l->c->cfg, NULL, free);
}

static void run_offline_checks(struct scr_login *l)
{
    if (l->running_checks || !l->c->qw) return;
    struct od_health_env *env = od_xcalloc(1, sizeof *env);
    *env = (struct od_health_env){
        .cfg = l->c->cfg, .config_path = l->c->config_path, .vault = l->c->vault};
    l->running_checks = true;
    l->next_checks = od_now_ms() + CHECKS_MS;
    od_reader_submit_local(l->c->qw, "login.checks", run_checks, env, free, report_free);
}

/* The refresh clock while nobody is logged in: the database state is known once, and while it
 * is unreachable it is tried every PROBE_MS and the offline checks re-run every CHECKS_MS. */
static unsigned login_tick(void *gate, struct scr_ctx *c)
{
    struct scr_login *l = gate;
    int64_t now = od_now_ms();
    if (l->db == DB_UNKNOWN || (l->db == DB_DOWN && now >= l->next_probe)) probe(l);
    if (l->db == DB_DOWN && now >= l->next_checks) run_offline_checks(l);
    return 0;
}

static void probed(struct scr_login *l, struct od_read_result *r)
{
    l->probing = false;
    const char *reason = r->snapshot ? r->snapshot : r->error ? r->error : "no answer";
    if (!*reason) {
        if (l->db == DB_DOWN) {
            tui_form_set_message(&l->form, TUI_ROLE_OK, "The database answers again: log in.");
            od_log_info("console: the database answers again");
        }
        bool was_down = l->db == DB_DOWN;
        l->db = DB_UP;
        report_free(l->checks);
        l->checks = NULL;
        if (was_down && !l->c->session) login_hints(l, l->c);
        return;
    }
    if (l->db != DB_DOWN) {
        od_log_warn("console: database unreachable: %s", reason);
        tui_form_set_message(&l->form, TUI_ROLE_WARN, "Waiting for the database (see below).");
        l->db = DB_DOWN;
        if (!l->c->session) login_hints(l, l->c);
    }
    snprintf(l->reason, sizeof l->reason, "%s", reason);
    l->next_probe = od_now_ms() + PROBE_MS;
    if (!l->checks) run_offline_checks(l); /* at once the first time */
}

static void logged_in(struct scr_login *l, struct od_read_result *r)
{
    struct scr_ctx *c = l->c;
    c->session = r->snapshot;
    r->snapshot = NULL; /* ours now */
    od_log_info("console login: %s (%s)", c->session->email, od_role_name(c->session->role));
    tui_form_clear(&l->form);
    tui_form_set_message(&l->form, 0, NULL);
    l->db = DB_UP;
    scr_update_title(c);
    if (c->on_login) c->on_login(c, c->on_login_ud);  /* the role's screens, its own first */
    tui_app_replay_keys(c->app, l->typed, l->ntyped); /* typed after Enter: on that screen */
    l->ntyped = 0;
    tui_app_post(c->app, SCR_EV_LOGIN, NULL, NULL);
}

static void on_result(void *screen, struct od_read_result *r)
{
    struct scr_login *l = screen;
    if (!strcmp(r->key, "login.db")) {
        probed(l, r);
        return;
    }
    if (!strcmp(r->key, "login.checks")) {
        l->running_checks = false;
        report_free(l->checks);
        l->checks = l->db == DB_DOWN ? r->snapshot : NULL;
        if (l->checks) r->snapshot = NULL;
        return;
    }
    l->checking = false;
    if (r->snapshot) {
        logged_in(l, r);
        return;
    }
    l->ntyped = 0; /* meant for the console, not for the form */
    const char *e = r->error ? r->error : OD_AUTH_MSG_INVALID;
    if (!strncmp(e, "cannot connect to the database", 30)) { /* the panel below says why */
        l->db = DB_UNKNOWN;
        probe(l);
        tui_form_set_message(&l->form, TUI_ROLE_FAIL, "Not checked: the database is unreachable.");
    } else {
        tui_form_set_message(&l->form, TUI_ROLE_FAIL, e);
    }
    tui_form_set_value(&l->form, 1, "");
    l->form.focus = 1;
}

static unsigned login_key(void *gate, struct scr_ctx *c, const struct tui_key *k)
{
    struct scr_login *l = gate;
    /* C-c and other control keys bound to quit leave; q is a letter of an email */
    if (k->action && !strcmp(k->action, "quit") && k->key < 32) return 0;
    if (l->db == DB_DOWN && !l->checking) { /* nothing to log in to: q quits, C-r tries now */
        if (k->action && !strcmp(k->action, "quit")) return 0;
        if (k->action && !strcmp(k->action, "refresh")) {
            l->next_probe = l->next_checks = 0;
            login_tick(l, c);
            return TUI_HANDLED | TUI_REDRAW;
        }
        return TUI_HANDLED;
    }
    if (l->checking) { /* type-ahead: kept for the first screen, never dropped */
        if (l->ntyped < TYPEAHEAD) l->typed[l->ntyped++] = k->key;
        return TUI_HANDLED;
    }
    unsigned f = tui_form_key(&l->form, k);
    if (!(f & TUI_SUBMIT)) return f | TUI_HANDLED;
    const char *email = tui_form_value(&l->form, 0);
    if (!*email) {
        l->form.focus = 0;
        tui_form_set_message(&l->form, TUI_ROLE_WARN, "Type your email first.");
        return TUI_HANDLED | TUI_REDRAW;
    }
    struct login_arg *a = od_xcalloc(1, sizeof *a);
    a->auth = c->auth;
    a->email = od_xstrdup(email);
    a->password = od_secret_strdup(tui_form_value(&l->form, 1));
    l->checking = true;
    l->ntyped = 0;
    tui_form_set_message(&l->form, TUI_ROLE_DIM, "Checking…");
    scr_submit(c, "login", run_login, a, arg_free, session_free);
    return TUI_HANDLED | TUI_REDRAW;
}

/* Pasted text (a password from a manager) into the focused field; never submits. */
static unsigned login_paste(void *gate, struct scr_ctx *c, const char *text)
{
    struct scr_login *l = gate;
    return l->checking ? TUI_HANDLED : tui_form_paste(&l->form, text);
}

static uint8_t check_role(enum od_health_status s)
{
    return s == OD_HEALTH_FAIL   ? TUI_ROLE_FAIL
           : s == OD_HEALTH_WARN ? TUI_ROLE_WARN
           : s == OD_HEALTH_PASS ? TUI_ROLE_OK
                                 : TUI_ROLE_DIM;
}

/* Below the form while the database is unreachable: why, and what can be checked without it. */
static void draw_down(struct scr_login *l, struct tui_grid *g, struct tui_rect a)
{
    int y = a.y, end = a.y + a.h;
    char *line = od_xasprintf("database unreachable: %s", l->reason);
    y += tui_grid_text_wrapped(g, (struct tui_rect){a.x, y, a.w, 4}, line, TUI_ROLE_FAIL, 2);
    free(line);
    if (y < end)
        tui_grid_text(g, a.x, y++, a.w,
                      "Trying again every 2 s (C-r: now); the form opens as soon as it answers, "
                      "no restart needed.",
                      TUI_ROLE_DIM);
    if (++y >= end) return;
    tui_grid_text(g, a.x, y++, a.w, "Health checks that need no database:", TUI_ROLE_HEADER);
    if (!l->checks) {
        if (y < end) tui_grid_text(g, a.x + 2, y, a.w - 2, "running…", TUI_ROLE_DIM);
        return;
    }
    for (size_t i = 0; i < l->checks->n && y < end; i++) {
        const struct od_health_result *h = &l->checks->results[i];
        uint8_t role = check_role(h->status);
        tui_grid_text(g, a.x + 2, y, 7, od_health_status_name(h->status), role);
        tui_grid_text(g, a.x + 9, y, 22, h->name, TUI_ROLE_NORMAL);
        y += tui_grid_text_wrapped(g, (struct tui_rect){a.x + 31, y, a.w - 31, end - y}, h->output,
                                   role, 2);
    }
}

/* The login state behind c's gate, or NULL when the gate is not the login form. */
static struct scr_login *login_of(struct scr_ctx *c)
{
    return c->gate == &login_gate_class ? c->gate_state : NULL;
}

void login_prefill(struct scr_ctx *c, const char *email)
{
    struct scr_login *l = login_of(c);
    if (!l) return;
    char *clean = od_sanitize(email);
    tui_form_set_value(&l->form, 0, clean);
    free(clean);
    l->form.focus = 1;
}

static void login_draw(void *gate, struct scr_ctx *c, struct tui_grid *g, struct tui_rect area)
{
    struct scr_login *l = gate;
    int w = area.w < 64 ? area.w : 64, h = area.h < 9 ? area.h : 9;
    bool down = l->db == DB_DOWN;
    struct tui_rect box = tui_rect_center(area, w, h);
    if (down) box.y = area.y + (area.h > 24 ? 1 : 0); /* room below for the database panel */
    tui_grid_box(g, box, " opsdeck — log in ", TUI_ROLE_BORDER);
    struct tui_rect in = {box.x + 2, box.y + 2, box.w - 4, box.h - 3};
    tui_form_draw(&l->form, g, in);
    if (box.h >= 9) {
        char help[96];
        if (down)
            snprintf(help, sizeof help, "q quit · C-r try the database now");
        else
            snprintf(help, sizeof help, "Tab next field · Enter log in%s%s%s",
                     l->quit[0] ? " · " : "", l->quit, l->quit[0] ? " quit" : "");
        tui_grid_text(g, box.x + 2, box.y + box.h - 2, box.w - 4, help, TUI_ROLE_DIM);
    }
    int below = box.y + box.h + 1, pw = area.w - 4 < 100 ? area.w - 4 : 100;
    struct tui_rect panel = {area.x + (area.w - pw) / 2, below, pw, area.y + area.h - below};
    if (down) draw_down(l, g, panel);
}

const struct scr_gate_class login_gate_class = {.key = login_key,
                                                .draw = login_draw,
                                                .hints = login_hints,
                                                .free = login_free,
                                                .paste = login_paste,
                                                .tick = login_tick};
