/* profit — screen 3, profitability with drill-down, range and export (see profit.c). */
#ifndef SCR_PROFIT_H
#define SCR_PROFIT_H
#include "tui/app.h"

struct scr_ctx;
struct profit_screen;
struct profit_snap;
struct tui_table;
extern const struct tui_screen_class profit_screen_class;
/* Registers its result route and the `:range` and `:export` commands on c->app. */
struct profit_screen *profit_screen_new(struct scr_ctx *c);
void profit_screen_free(struct profit_screen *s);

/* For profit_export.c (borrowed pointers). */
const struct profit_snap *profit_screen_snap(const struct profit_screen *s);
const struct tui_table *profit_screen_table(const struct profit_screen *s);
struct scr_ctx *profit_screen_ctx(struct profit_screen *s);
/* `:export csv|json [NAME]`: the rows shown (filter applied) with the totals, into the export
 * directory (see profit_export.c). */
unsigned profit_export(struct profit_screen *s, int argc, char **argv);
/* An export waiting for "replace?" (the screen owns it: freed with the screen). */
struct profit_export;
struct profit_export **profit_screen_export_slot(struct profit_screen *s);
void profit_export_free(struct profit_export *e);

#endif
