/* admin_oauth — the HubSpot OAuth paste flow shown inside the Admin screen (see .c). */
#ifndef SCR_ADMIN_OAUTH_H
#define SCR_ADMIN_OAUTH_H
#include <stdbool.h>
#include "tui/app.h"

struct scr_ctx;
struct admin_oauth;

/* A new flow, or NULL (with a toast) when the HubSpot client is not configured. */
struct admin_oauth *admin_oauth_start(struct scr_ctx *c);
void admin_oauth_free(struct admin_oauth *o);
/* Takes every key but `y` (copy) while the field is empty; *done when the flow is over (cancelled or handed to a query worker whose
 * result comes back under "admin.act.connect"). */
unsigned admin_oauth_key(struct admin_oauth *o, struct scr_ctx *c, const struct tui_key *k,
                         bool *done);
/* The authorize address (sanitized; borrowed), for `y`. */
const char *admin_oauth_url(const struct admin_oauth *o);
/* Pasted text into the redirect field. */
unsigned admin_oauth_paste(struct admin_oauth *o, const char *text);
void admin_oauth_draw(struct admin_oauth *o, struct tui_grid *g, struct tui_rect a);

#endif
