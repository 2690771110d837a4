/* profit — screen 3, profitability with drill-down, range and export (see profit.c). */
#ifndef SCR_PROFIT_H
#define SCR_PROFIT_H
#include "tui/app.h"

struct scr_ctx;
struct profit_screen;
extern const struct tui_screen_class profit_screen_class;
/* Registers its result route and the `:range`, `:sort` and `:export` commands on c->app. */
struct profit_screen *profit_screen_new(struct scr_ctx *c);
void profit_screen_free(struct profit_screen *s);

#endif
