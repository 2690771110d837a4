/* admin_oauth — the HubSpot OAuth paste flow inside the Admin screen: the authorize address is
 * shown on rows of its own, unboxed, as one line the terminal wraps itself and a hyperlink
 * (tui_grid_link), so the terminal's selection, a click or `y` (OSC 52) takes it whole; the
 * person
 * pastes the address the browser ends up on; the state is checked here (single use, 10
 * minutes), the person's password is asked again (issue #5), then the password check, the
 * code exchange (network) and the token store run on a query worker with the session
 * re-validated and connections.manage re-checked. Same storage as
 * `opsdeck connect hubspot` (od_cred_replace_oauth): the access and refresh tokens replace any
 * stored HubSpot ones in one transaction. */
#include "screens/admin_oauth.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/security/credentials.h"
#include "core/security/oauth.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include "screens/common.h"
#include "tui/edit.h"

struct admin_oauth {
    struct od_oauth_flow *flow; /* owned */
    char *url;                  /* owned, sanitized */
    struct tui_edit paste;
};

static struct od_oauth_client client_of(const struct od_config *cfg)
{
    return (struct od_oauth_client){cfg->hubspot.auth_url,     cfg->hubspot.base_url,
                                    cfg->hubspot.client_id,    cfg->hubspot.client_secret,
                                    cfg->hubspot.redirect_uri, cfg->hubspot.scopes,
                                    cfg->sync.http_timeout_s};
}

struct admin_oauth *admin_oauth_start(struct scr_ctx *c)
{
    struct od_oauth_client cl = client_of(c->cfg);
    if (!cl.client_id || !*cl.client_id || !cl.client_secret || !*cl.client_secret ||
        !cl.redirect_uri || !*cl.redirect_uri) {
        tui_app_toast(c->app, TUI_TOAST_ERROR,
                      "set hubspot.client_id, client_secret and redirect_uri first");
        return NULL;
    }
    struct admin_oauth *o = od_xcalloc(1, sizeof *o);
    o->flow = od_oauth_flow_new();
    char *url = od_oauth_authorize_url(&cl, o->flow);
    o->url = od_sanitize(url);
    free(url);
    tui_edit_init(&o->paste, false);
    o->paste.max_len = OD_OAUTH_MAX_PASTE;
    return o;
}

void admin_oauth_free(struct admin_oauth *o)
{
    if (!o) return;
    od_oauth_flow_free(o->flow);
    free(o->url);
    tui_edit_release(&o->paste);
    free(o);
}

/* Query worker: exchange the code and store the tokens. */
static int do_connect(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    struct od_oauth_client cl = client_of(a->c->cfg);
    struct od_oauth_flow *f = od_oauth_flow_new();
    snprintf(f->verifier, sizeof f->verifier, "%s", a->text2);
    struct od_oauth_tokens t = {0};
    int rc = od_oauth_exchange(&cl, a->text, f, &t);
    od_oauth_flow_free(f);
    if (rc == 0) rc = od_cred_replace_oauth(conn, a->c->vault, &t);
    if (rc == 0) {
        char when[32];
        od_time_format_ms(t.expires_at * 1000, when, sizeof when);
        sb_addf(msg, "Connected to HubSpot; access token valid until %s (refreshed automatically)",
                when);
    }
    od_oauth_tokens_clear(&t);
    return rc;
}

const char *admin_oauth_url(const struct admin_oauth *o)
{
    return o->url;
}

unsigned admin_oauth_paste(struct admin_oauth *o, const char *text)
{
    tui_edit_paste(&o->paste, text);
    return TUI_HANDLED | TUI_REDRAW;
}

unsigned admin_oauth_key(struct admin_oauth *o, struct scr_ctx *c, const struct tui_key *k,
                         bool *done)
{
    *done = false;
    /* y copies the address while nothing was pasted yet (a pasted address starts with h) */
    if (k->action && !strcmp(k->action, "copy") && !*tui_edit_str(&o->paste)) return 0;
    if (k->key == TUI_KEY_ESC) {
        *done = true;
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (k->key != TUI_KEY_ENTER) {
        tui_edit_key(&o->paste, k->key);
        return TUI_HANDLED | TUI_REDRAW;
    }
    char *code = NULL, *state = NULL;
    const struct od_oauth_client cl = client_of(c->cfg);
    if (od_oauth_parse_redirect(tui_edit_str(&o->paste), cl.redirect_uri, &code, &state) < 0 ||
        od_oauth_flow_check_state(o->flow, state) < 0) {
        tui_app_toast(c->app, TUI_TOAST_ERROR, "HubSpot: %s", od_err());
        tui_edit_clear(&o->paste);
    } else {
        scr_act_reverify(c, "Store the HubSpot tokens (replacing any stored ones)?",
                         "admin.act.connect", "connections.manage", do_connect, code,
                         o->flow->verifier);
        *done = true;
    }
    od_secret_free(code);
    od_secret_free(state);
    return TUI_HANDLED | TUI_REDRAW;
}

void admin_oauth_draw(struct admin_oauth *o, struct tui_grid *g, struct tui_rect a)
{
    /* No box: the address has rows of its own from the left edge, one line to the terminal
     * (it wraps it itself) and a hyperlink, so a mouse selection or a click takes it whole. */
    int x = a.x + 1, w = a.w - 2, y = a.y;
    tui_grid_fill(g, a, ' ', TUI_ROLE_NORMAL);
    tui_grid_text(g, x, y++, w, "Connect HubSpot", TUI_ROLE_TITLE);
    tui_grid_text(
        g, x, y++, w,
        "1. Open this address in a browser and approve access (y copies it):", TUI_ROLE_NORMAL);
    y += tui_grid_link(g, a.x, y, a.h - 6, o->url, o->url, TUI_ROLE_NORMAL);
    y++;
    tui_grid_text(g, x, y++, w,
                  "2. Paste the address the browser ends up on, then Enter:", TUI_ROLE_NORMAL);
    tui_edit_draw(&o->paste, g, x, y++, w, TUI_ROLE_INPUT_FOCUS, true);
    tui_grid_text(g, x, y + 1 < a.y + a.h ? y + 1 : y, w, "Esc cancels · y copies the address",
                  TUI_ROLE_DIM);
}
