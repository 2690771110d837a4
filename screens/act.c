/* act — writes from the console run on a query worker with the session re-validated, the
 * password reverified for admin actions and the role re-checked by the core; see
 * scr_act_submit and scr_act_reverify in common.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/security/auth.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "screens/common.h"

static void act_free(void *p)
{
    struct scr_act *a = p;
    if (a->s) od_session_free(a->s);
    od_secret_free(a->pw);
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
    if (a->pw) {
        int rc = od_auth_reverify(a->c->auth, a->s, a->pw);
        od_secret_free(a->pw);
        a->pw = NULL;
        if (rc < 0) {
            if (!strcmp(od_err(), "Wrong password.")) /* the core's words; ours add the outcome */
                od_seterr("Wrong password: not done.");
            return NULL;
        }
    }
    struct strbuf msg = STRBUF_INIT;
    if (a->fn(a, conn, &msg) < 0) {
        sb_release(&msg);
        return NULL;
    }
    if (!msg.len) sb_add(&msg, "done");
    return sb_detach(&msg);
}

/* A new act, or NULL after a toast when the role (or --readonly) refuses it. */
static struct scr_act *act_new(struct scr_ctx *c, const char *key, const char *need,
                               int (*fn)(struct scr_act *, PGconn *, struct strbuf *), int64_t id,
                               int version, const char *text, const char *text2)
{
    if (!scr_can(c, need, true)) {
        tui_app_toast(c->app, TUI_TOAST_WARN, "%s",
                      c->readonly ? "read-only: actions are disabled"
                                  : "not permitted for your role");
        return NULL;
    }
    struct scr_act *a = od_xcalloc(1, sizeof *a);
    a->c = c;
    a->key = key;
    a->need = need;
    a->fn = fn;
    a->id = id;
    a->version = version;
    a->text = text ? od_xstrdup(text) : NULL;
    a->text2 = text2 ? od_xstrdup(text2) : NULL;
    return a;
}

/* Hand the act to a query worker with a copy of the session (the UI's stays its own). */
static void act_go(struct scr_ctx *c, struct scr_act *a)
{
    if (!c->session) { /* logged out meanwhile */
        act_free(a);
        return;
    }
    a->s = (struct od_session *)od_secret_alloc(sizeof *a->s);
    memcpy(a->s, c->session, sizeof *a->s);
    scr_submit(c, a->key, run_act, a, act_free, free);
}

void scr_act_submit(struct scr_ctx *c, const char *key, const char *need,
                    int (*fn)(struct scr_act *, PGconn *, struct strbuf *), int64_t id, int version,
                    const char *text, const char *text2)
{
    struct scr_act *a = act_new(c, key, need, fn, id, version, text, text2);
    if (a) act_go(c, a);
}

static unsigned reverified(struct tui_app *app, const char *pw, void *ud)
{
    struct scr_act *a = ud;
    if (!pw || !*pw) { /* Esc (or nothing typed): not done */
        act_free(a);
        return TUI_REDRAW;
    }
    a->pw = od_secret_strdup(pw);
    act_go(a->c, a);
    return TUI_REDRAW;
}

void scr_act_reverify(struct scr_ctx *c, const char *question, const char *key, const char *need,
                      int (*fn)(struct scr_act *, PGconn *, struct strbuf *), const char *text,
                      const char *text2)
{
    struct scr_act *a = act_new(c, key, need, fn, 0, 0, text, text2);
    if (!a) return;
    char q[512];
    snprintf(q, sizeof q, "%s Your password:", question);
    tui_app_prompt(c->app, q, true, reverified, a);
}

bool scr_act_done(struct scr_ctx *c, const struct od_read_result *r)
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
