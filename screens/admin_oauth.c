/* admin_oauth — the HubSpot OAuth paste flow inside the Admin screen: the authorize address is
 * shown (select it with the terminal's own selection, open it in any browser), the person
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

unsigned admin_oauth_key(struct admin_oauth *o, struct scr_ctx *c, const struct tui_key *k,
                         bool *done)
{
    *done = false;
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
    tui_grid_box(g, a, " Connect HubSpot ", TUI_ROLE_BORDER);
    int x = a.x + 2, w = a.w - 4, y = a.y + 1;
    tui_grid_text(g, x, y++, w,
                  "1. Open this address in a browser and approve access:", TUI_ROLE_NORMAL);
    /* the address wrapped over as many lines as it takes (no ellipsis: it must be copied) */
    size_t len = strlen(o->url), per = w > 8 ? (size_t)w : 8;
    for (size_t off = 0; off < len && y < a.y + a.h - 4; off += per) {
        char line[1024];
        size_t n = len - off < per ? len - off : per;
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, o->url + off, n);
        line[n] = '\0';
        tui_grid_text(g, x, y++, w, line, TUI_ROLE_ACCENT);
    }
    y++;
    tui_grid_text(g, x, y++, w,
                  "2. Paste the address the browser ends up on, then Enter:", TUI_ROLE_NORMAL);
    tui_edit_draw(&o->paste, g, x, y, w, TUI_ROLE_INPUT_FOCUS, true);
    tui_grid_text(g, x, a.y + a.h - 2, w, "Esc cancels", TUI_ROLE_DIM);
}
