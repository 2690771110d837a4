/* admin — screen 5, users, sessions and connections (admins only; see admin.c). */
#ifndef SCR_ADMIN_H
#define SCR_ADMIN_H
#include "tui/app.h"

struct scr_ctx;
struct admin_screen;
extern const struct tui_screen_class admin_screen_class;
/* Registers its result route on c->app. */
struct admin_screen *admin_screen_new(struct scr_ctx *c);
void admin_screen_free(struct admin_screen *s);

#endif
