/* screens — the screen table; see screens.h. Adding a screen is one row here. */
#include "screens/screens.h"
#include <stdlib.h>
#include "core/util.h"
#include "screens/common.h"
#include "screens/login.h"
#include "screens/sync.h"

struct screens {
    struct sync_screen *sync;
};

struct screens *screens_new(struct scr_ctx *c)
{
    struct screens *s = od_xcalloc(1, sizeof *s);
    login_attach(c);
    s->sync = sync_screen_new(c);
    tui_app_add_screen(c->app, &sync_screen_class, s->sync);
    return s;
}

void screens_free(struct screens *s)
{
    if (!s) return;
    sync_screen_free(s->sync);
    free(s);
}
