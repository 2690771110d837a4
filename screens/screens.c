/* screens — the screen table; see screens.h. Adding a screen is one row here. */
#include "screens/screens.h"
#include <stdlib.h>
#include "core/base/util.h"
#include "screens/admin.h"
#include "screens/common.h"
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
#define ROW(name)                                                                                  \
    {                                                                                              \
        name##_make, name##_release, &name##_class                                                 \
    }

static const struct screen_row {
    void *(*make)(struct scr_ctx *c);
    void (*release)(void *state);
    const struct tui_screen_class *cls;
} rows[] = {ROW(sync_screen), ROW(exc_screen), ROW(profit_screen), ROW(health_screen),
            ROW(admin_screen)};

struct screens {
    void *state[OD_ARRAY_LEN(rows)];
};

struct screens *screens_new(struct scr_ctx *c)
{
    struct screens *s = od_xcalloc(1, sizeof *s);
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
