/* screens — the console's screen table: creates every screen in order (1 Sync, 2 Exceptions,
 * 3 Profitability, 4 Health, 5 Admin, then the Sync screen's dead letters view, which has no
 * tab), registers them, their result routes and `:` commands on c->app, and frees them. After each login only the screens the role may open are offered (the
 * tab line lists only those) and the role lands on its own: ops and admin on Sync, account
 * managers on Profitability, on-call on Health. The ctx must already hold its services and app. */
#ifndef SCR_SCREENS_H
#define SCR_SCREENS_H

struct scr_ctx;
struct screens;

struct screens *screens_new(struct scr_ctx *c);
void screens_free(struct screens *s);

#endif
