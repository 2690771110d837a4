/* profit_export — `:export csv|json [NAME]` on the Profitability screen (see profit_export.c). */
#ifndef SCR_PROFIT_EXPORT_H
#define SCR_PROFIT_EXPORT_H

struct scr_ctx;
struct profit_snap;
struct tui_table;
struct profit_export; /* an export waiting for "replace?" */

/* Write the rows t shows of snap (filter applied, in the shown order) with the totals into
 * the export directory; snap may be NULL (nothing loaded yet). An export that needs the
 * confirm dialog waits in *pending (the screen owns it and frees it with profit_export_free).
 * Says what happened in a toast; returns TUI_REDRAW. All pointers borrowed. */
unsigned profit_export(struct scr_ctx *c, const struct profit_snap *snap, const struct tui_table *t,
                       struct profit_export **pending, int argc, char **argv);
void profit_export_free(struct profit_export *e);

#endif
