/* screens — the screen table; see screens.h. Adding a screen is one row here (a view of a
 * screen, such as the Sync screen's dead letters, after the screens with tabs); where a role
 * lands after logging in is the homes table. */
#include "screens/screens.h"
#include <stdlib.h>
#include "core/base/util.h"
#include "core/security/auth.h"
#include "screens/admin.h"
#include "screens/base.h"
#include "screens/common.h"
#include "screens/deadletters.h"
#include "screens/exceptions.h"
#include "screens/health.h"
#include "screens/login.h"
#include "screens/profit.h"
#include "screens/sync.h"

/* Typed constructors behind one signature, so the table below stays data. */
#define WRAP(name)                                                                                 \
    static void *name##_make(struct scr_ctx *c)                                                    \
    {                                                                                              \
        return name##_new(c);                                                                      \
    }                                                                                              \
    static void name##_release(void *p)                                                            \
    {                                                                                              \
        name##_free(p);                                                                            \
    }
WRAP(sync_screen)
WRAP(exc_screen)
WRAP(profit_screen)
WRAP(health_screen)
WRAP(admin_screen)
WRAP(dl_screen)
#define ROW(name)                                                                                  \
    {                                                                                              \
        name##_make, name##_release, &name##_class                                                 \
    }

static const struct screen_row {
    void *(*make)(struct scr_ctx *c);
    void (*release)(void *state);
    const struct tui_screen_class *cls;
} rows[] = {ROW(sync_screen),   ROW(exc_screen),   ROW(profit_screen),
            ROW(health_screen), ROW(admin_screen), /* the views of screens after them: */
            ROW(dl_screen)};

/* Where each role lands after logging in (DESIGN §5). */
static const struct {
    enum od_role role;
    const char *screen;
} homes[] = {
    {OD_ROLE_OPS, "sync"},
    {OD_ROLE_ACCOUNT_MANAGER, "profit"},
    {OD_ROLE_ONCALL, "health"},
    {OD_ROLE_ADMIN, "sync"},
};

struct screens {
    void *state[OD_ARRAY_LEN(rows)];
};

/* After a login: offer the screens the role may open (each screen's own permission, the one
 * its body checks: every screen's state starts with a struct scr_base), then show its home. */
static void on_login(struct scr_ctx *c, void *ud)
{
    struct screens *s = ud;
    for (size_t i = 0; i < OD_ARRAY_LEN(rows); i++) {
        const struct scr_base *b = s->state[i];
        tui_app_set_screen_shown(c->app, rows[i].cls->name, scr_can(c, b->ops->need, false));
    }
    for (size_t i = 0; i < OD_ARRAY_LEN(homes); i++)
        if (homes[i].role == c->session->role) tui_app_show(c->app, homes[i].screen);
}

struct screens *screens_new(struct scr_ctx *c)
{
    struct screens *s = od_xcalloc(1, sizeof *s);
    c->on_login = on_login;
    c->on_login_ud = s;
    scr_gate_set(c, &login_gate_class, login_new(c));
    for (size_t i = 0; i < OD_ARRAY_LEN(rows); i++) {
        s->state[i] = rows[i].make(c);
        tui_app_add_screen(c->app, rows[i].cls, s->state[i]);
    }
    return s;
}

void screens_free(struct screens *s)
{
    if (!s) return;
    for (size_t i = 0; i < OD_ARRAY_LEN(rows); i++)
        rows[i].release(s->state[i]);
    free(s);
}
