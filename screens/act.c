/* act — writes from the console run on a query worker with the session re-validated and the
 * role re-checked by the core; see scr_act_submit in common.h. */
#include <stdlib.h>
#include <string.h>
#include "core/auth.h"
#include "core/secmem.h"
#include "core/util.h"
#include "screens/common.h"

static void act_free(void *p)
{
    struct scr_act *a = p;
    od_session_free(a->s);
    if (a->text) od_wipe(a->text, strlen(a->text)); /* may hold an OAuth code or verifier */
    if (a->text2) od_wipe(a->text2, strlen(a->text2));
    free(a->text);
    free(a->text2);
    free(a);
}

static void *run_act(PGconn *conn, void *p)
{
    struct scr_act *a = p;
    if (od_auth_validate(a->c->auth, a->s) < 0) return NULL;
    if (od_auth_require(a->s, a->need) < 0) return NULL;
    struct strbuf msg = STRBUF_INIT;
    if (a->fn(a, conn, &msg) < 0) {
        sb_release(&msg);
        return NULL;
    }
    if (!msg.len) sb_add(&msg, "done");
    return sb_detach(&msg);
}

void scr_act_submit(struct scr_ctx *c, const char *key, const char *need,
                    int (*fn)(struct scr_act *, PGconn *, struct strbuf *), int64_t id, int version,
                    const char *text, const char *text2)
{
    if (!scr_can(c, need, true)) {
        tui_app_toast(c->app, TUI_TOAST_WARN, "%s",
                      c->readonly ? "read-only: actions are disabled"
                                  : "not permitted for your role");
        return;
    }
    struct scr_act *a = od_xcalloc(1, sizeof *a);
    a->c = c;
    a->s = (struct od_session *)od_secret_alloc(sizeof *a->s);
    memcpy(a->s, c->session, sizeof *a->s);
    a->need = need;
    a->fn = fn;
    a->id = id;
    a->version = version;
    a->text = text ? od_xstrdup(text) : NULL;
    a->text2 = text2 ? od_xstrdup(text2) : NULL;
    scr_submit(c, key, run_act, a, act_free, free);
}

bool scr_act_done(struct scr_ctx *c, const struct od_qresult *r)
{
    if (r->snapshot) {
        tui_app_toast(c->app, TUI_TOAST_INFO, "%s", (const char *)r->snapshot);
        return true;
    }
    const char *e = r->error ? r->error : "failed";
    tui_app_toast(c->app, TUI_TOAST_ERROR, "%s", e);
    if (!strcmp(e, OD_AUTH_MSG_EXPIRED) && c->session) {
        od_session_free(c->session);
        c->session = NULL;
        scr_update_title(c);
    }
    return false;
}
