/* profit_export — `:export csv|json [FILE]` on the Profitability screen (see profit_export.c). */
#ifndef SCR_PROFIT_EXPORT_H
#define SCR_PROFIT_EXPORT_H

struct scr_ctx;
struct profit_snap;
struct tui_table;

/* Write the rows t shows of snap (filter applied, in the shown order) with the totals; snap
 * may be NULL (nothing loaded yet). Says what happened in a toast; returns TUI_REDRAW. All
 * pointers borrowed. */
unsigned profit_export(struct scr_ctx *c, const struct profit_snap *snap, const struct tui_table *t,
                       int argc, char **argv);

#endif
