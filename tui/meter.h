/* meter — progress bars, sparklines and horizontal bar charts, drawn into a grid.
 * Integer arithmetic only (values are counts, cents, milliseconds). Bars use eighth blocks
 * (▏▎▍▌▋▊▉█) and sparklines ▁▂▃▄▅▆▇█; with grid->ascii they fall back to '#' bars
 * (rounded to whole cells) and "_.-~=+*#" levels.
 *
 *   tui_meter_bar(g, x, y, 20, done, total);              // just the bar
 *   tui_meter_progress(g, x, y, 30, done, total);         // bar + " 50%"
 *   tui_meter_spark(g, x, y, 30, samples, n);             // the last 30 samples
 *   tui_meter_chart(g, area, labels, values, texts, n);   // one bar per row */
#ifndef TUI_METER_H
#define TUI_METER_H
#include <stddef.h>
#include <stdint.h>
#include "tui/grid.h"

/* A bar w columns wide filled to value/total (clamped to 0..1); total <= 0 draws empty. */
void tui_meter_bar(struct tui_grid *g, int x, int y, int w, int64_t value, int64_t total);
/* The bar and a right-aligned percentage (" 50%") in w columns. */
void tui_meter_progress(struct tui_grid *g, int x, int y, int w, int64_t value, int64_t total);
/* The last min(n, w) values scaled between their minimum and maximum (a flat series sits on
 * the lowest level when it is zero, mid-height otherwise). */
void tui_meter_spark(struct tui_grid *g, int x, int y, int w, const int64_t *v, size_t n);
/* Horizontal bar chart: row i is label, a bar scaled to the largest value, and texts[i]
 * (the formatted value, may be NULL). Negative values draw as empty bars. */
void tui_meter_chart(struct tui_grid *g, struct tui_rect r, const char *const *labels,
                     const int64_t *values, const char *const *texts, size_t n);

#endif
