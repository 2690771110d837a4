/* login — the login form every screen shows until someone logs in (see scr_gate_* in
 * common.h). Fields Email and Password; Tab/Enter move, Enter on Password submits. The check
 * (Argon2id, throttling, lockout) runs on a query worker through od_auth_login, so the UI
 * keeps drawing; the form shows exactly what the identity service says on failure
 * (OD_AUTH_MSG_INVALID / OD_AUTH_MSG_LOCKED). On success the session moves into the ctx, the
 * title shows the user and role, and SCR_EV_LOGIN tells every screen to start reading.
 * C-c (quit) still quits from the form; the status line shows only the keys that work here. */
#ifndef SCR_LOGIN_H
#define SCR_LOGIN_H
#include "tui/app.h"

struct scr_ctx;
struct scr_login;

struct scr_login *login_new(void);
void login_free(struct scr_login *l);
/* Register the login result route (after the ctx has its services). */
void login_attach(struct scr_ctx *c);
unsigned login_key(struct scr_ctx *c, const struct tui_key *k);
void login_draw(struct scr_ctx *c, struct tui_grid *g, struct tui_rect area);
/* Show only the keys that work on the form in the status line: Tab, Enter and the control
 * key bound to quit (letters such as q ? / s p : type into the fields). Call after the key
 * table is final; scr_update_title does, and puts the global hints back after login. */
void login_hints(struct scr_ctx *c);
/* Start with email (sanitized) in the Email field and the Password field focused
 * (`opsdeck ui --email`, the demo). */
void login_prefill(struct scr_ctx *c, const char *email);

#endif
