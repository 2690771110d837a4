/* login — the login form every screen shows until someone logs in (see scr_gate_* in
 * common.h). Fields Email and Password; Tab/Enter move, Enter on Password submits. The check
 * (Argon2id, throttling, lockout) runs on a query worker through od_auth_login, so the UI
 * keeps drawing; the form shows exactly what the identity service says on failure
 * (OD_AUTH_MSG_INVALID / OD_AUTH_MSG_LOCKED). On success the session moves into the ctx, the
 * title shows the user and role, and SCR_EV_LOGIN tells every screen to start reading.
 * C-c (quit) still quits from the form; the status line shows only the keys that work here. */
#ifndef SCR_LOGIN_H
#define SCR_LOGIN_H

struct scr_ctx;
struct scr_gate_class;
struct scr_login;

/* The form, with its result route registered on c (after the ctx has its services). Hand it
 * to the ctx as its gate, which frees it: scr_gate_set(c, &login_gate_class, login_new(c)). */
struct scr_login *login_new(struct scr_ctx *c);
extern const struct scr_gate_class login_gate_class;
/* Start with email (sanitized) in the Email field and the Password field focused
 * (`opsdeck ui --email`, the demo). After the gate is set; nothing when it is not the login. */
void login_prefill(struct scr_ctx *c, const char *email);

#endif
