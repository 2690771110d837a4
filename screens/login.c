/* login — the login gate; see login.h. */
#include "screens/login.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/security/auth.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "screens/common.h"
#include "tui/form.h"

struct scr_login {
    struct scr_ctx *c; /* borrowed */
    struct tui_form form;
    bool checking;
    char quit[32];            /* the first control key bound to quit ("C-c"), or "" */
    struct tui_hint hints[3]; /* the status line while the form shows */
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

static void login_free(void *gate)
{
    struct scr_login *l = gate;
    if (!l) return;
    tui_form_release(&l->form);
    free(l);
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

static void on_result(void *screen, struct od_read_result *r)
{
    struct scr_login *l = screen;
    struct scr_ctx *c = l->c;
    l->checking = false;
    if (!r->snapshot) {
        tui_form_set_message(&l->form, TUI_ROLE_FAIL, r->error ? r->error : OD_AUTH_MSG_INVALID);
        tui_form_set_value(&l->form, 1, "");
        l->form.focus = 1;
        return;
    }
    c->session = r->snapshot;
    r->snapshot = NULL; /* ours now */
    od_log_info("console login: %s (%s)", c->session->email, od_role_name(c->session->role));
    tui_form_clear(&l->form);
    tui_form_set_message(&l->form, 0, NULL);
    scr_update_title(c);
    tui_app_post(c->app, SCR_EV_LOGIN, NULL, NULL);
}

static unsigned login_key(void *gate, struct scr_ctx *c, const struct tui_key *k)
{
    struct scr_login *l = gate;
    /* C-c and other control keys bound to quit leave; q is a letter of an email */
    if (k->action && !strcmp(k->action, "quit") && k->key < 32) return 0;
    if (l->checking) return TUI_HANDLED;
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
    tui_form_set_message(&l->form, TUI_ROLE_DIM, "Checking…");
    scr_submit(c, "login", run_login, a, arg_free, session_free);
    return TUI_HANDLED | TUI_REDRAW;
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

/* Only the keys that work on the form: Tab, Enter and the control key bound to quit (letters
 * such as q ? / s p : type into the fields). */
static void login_hints(void *gate, struct scr_ctx *c)
{
    struct scr_login *l = gate;
    const struct tui_binding *b = tui_keymap_find(tui_app_keymap(c->app), "quit");
    l->quit[0] = '\0';
    for (int i = 0; b && i < b->nkeys && !l->quit[0]; i++)
        if (b->keys[i] < 32) tui_key_name(b->keys[i], l->quit, sizeof l->quit);
    size_t n = 0;
    l->hints[n++] = (struct tui_hint){"Tab", "next field"};
    l->hints[n++] = (struct tui_hint){"Enter", "log in"};
    if (l->quit[0]) l->hints[n++] = (struct tui_hint){l->quit, "quit"};
    tui_app_set_hints(c->app, l->hints, n);
}

static void login_draw(void *gate, struct scr_ctx *c, struct tui_grid *g, struct tui_rect area)
{
    struct scr_login *l = gate;
    int w = area.w < 64 ? area.w : 64, h = area.h < 9 ? area.h : 9;
    struct tui_rect box = tui_rect_center(area, w, h);
    tui_grid_box(g, box, " opsdeck — log in ", TUI_ROLE_BORDER);
    struct tui_rect in = {box.x + 2, box.y + 2, box.w - 4, box.h - 3};
    tui_form_draw(&l->form, g, in);
    if (box.h >= 9) {
        char help[96];
        snprintf(help, sizeof help, "Tab next field · Enter log in%s%s%s", l->quit[0] ? " · " : "",
                 l->quit, l->quit[0] ? " quit" : "");
        tui_grid_text(g, box.x + 2, box.y + box.h - 2, box.w - 4, help, TUI_ROLE_DIM);
    }
}

const struct scr_gate_class login_gate_class = {
    .key = login_key, .draw = login_draw, .hints = login_hints, .free = login_free};
