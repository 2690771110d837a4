/* login — the login gate; see login.h. */
#include "screens/login.h"
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/security/auth.h"
#include "core/base/log.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "screens/common.h"
#include "tui/form.h"

struct scr_login {
    struct tui_form form;
    bool checking;
};

struct login_arg {
    struct od_auth *auth;
    char *email;    /* owned */
    char *password; /* owned, locked memory */
};

static const struct tui_field_spec fields[] = {{"Email", false}, {"Password", true}};

struct scr_login *login_new(void)
{
    struct scr_login *l = od_xcalloc(1, sizeof *l);
    tui_form_init(&l->form, fields, 2);
    return l;
}

void login_free(struct scr_login *l)
{
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
    struct scr_ctx *c = screen;
    struct scr_login *l = c->login;
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

void login_attach(struct scr_ctx *c)
{
    scr_route(c, "login", c, on_result, NULL);
}

unsigned login_key(struct scr_ctx *c, const struct tui_key *k)
{
    struct scr_login *l = c->login;
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

void login_draw(struct scr_ctx *c, struct tui_grid *g, struct tui_rect area)
{
    struct scr_login *l = c->login;
    int w = area.w < 64 ? area.w : 64, h = area.h < 9 ? area.h : 9;
    struct tui_rect box = tui_rect_center(area, w, h);
    tui_grid_box(g, box, " opsdeck — log in ", TUI_ROLE_BORDER);
    struct tui_rect in = {box.x + 2, box.y + 2, box.w - 4, box.h - 3};
    tui_form_draw(&l->form, g, in);
    if (box.h >= 9)
        tui_grid_text(g, box.x + 2, box.y + box.h - 2, box.w - 4,
                      "Tab next field · Enter log in · C-c quit", TUI_ROLE_DIM);
}
