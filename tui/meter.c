/* meter — bars, sparklines, bar charts; see meter.h. */
#include "tui/meter.h"
#include <stdio.h>

static const uint32_t eighths[8] = {' ', 0x258f, 0x258e, 0x258d, 0x258c, 0x258b, 0x258a, 0x2589};
static const uint32_t levels[8] = {0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588};
static const char ascii_levels[] = "_.-~=+*#";

void tui_meter_bar(struct tui_grid *g, int x, int y, int w, int64_t value, int64_t total)
{
    if (w <= 0) return;
    if (value < 0 || total <= 0) value = 0;
    if (total > 0 && value > total) value = total;
    int unit = g->ascii ? 1 : 8;
    /* filled units, rounded to nearest; __int128 avoids overflow of value * w * 8 */
    int64_t units =
        total > 0 ? (int64_t)(((__int128)value * w * unit * 2 + total) / (2 * total)) : 0;
    int full = (int)(units / unit), part = (int)(units % unit);
    for (int i = 0; i < w; i++) {
        if (i < full)
            tui_grid_put(g, x + i, y, g->ascii ? '#' : 0x2588, TUI_ROLE_BAR_FILL);
        else if (i == full && part)
            tui_grid_put(g, x + i, y, eighths[part], TUI_ROLE_BAR_FILL);
        else
            tui_grid_put(g, x + i, y, g->ascii ? '.' : 0x2591, TUI_ROLE_BAR_EMPTY);
    }
}

void tui_meter_progress(struct tui_grid *g, int x, int y, int w, int64_t value, int64_t total)
{
    char pct[8];
    int64_t p = total > 0 ? (value <= 0 ? 0 : value >= total ? 100 : value * 100 / total) : 0;
    snprintf(pct, sizeof pct, " %3d%%", (int)p);
    if (w < 8) {
        tui_grid_text_aligned(g, x, y, w, pct + 1, TUI_ALIGN_RIGHT, TUI_ROLE_NORMAL);
        return;
    }
    tui_meter_bar(g, x, y, w - 5, value, total);
    tui_grid_text(g, x + w - 5, y, 5, pct, TUI_ROLE_NORMAL);
}

void tui_meter_spark(struct tui_grid *g, int x, int y, int w, const int64_t *v, size_t n)
{
    if (w <= 0 || n == 0) return;
    size_t first = n > (size_t)w ? n - (size_t)w : 0;
    int64_t lo = v[first], hi = v[first];
    for (size_t i = first; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    for (size_t i = first; i < n; i++) {
        int lvl = hi == lo ? (hi == 0 ? 0 : 3) : (int)((__int128)(v[i] - lo) * 7 / (hi - lo));
        uint32_t cp = g->ascii ? (uint32_t)ascii_levels[lvl] : levels[lvl];
        tui_grid_put(g, x + (int)(i - first), y, cp, TUI_ROLE_SPARK);
    }
}

void tui_meter_chart(struct tui_grid *g, struct tui_rect r, const char *const *labels,
                     const int64_t *values, const char *const *texts, size_t n)
{
    int lw = 0, tw = 0;
    int64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        int a = tui_text_width(labels[i]), b = texts && texts[i] ? tui_text_width(texts[i]) : 0;
        lw = a > lw ? a : lw;
        tw = b > tw ? b : tw;
        max = values[i] > max ? values[i] : max;
    }
    if (lw > r.w / 3) lw = r.w / 3;
    int bw = r.w - lw - tw - 2;
    for (size_t i = 0; i < n && (int)i < r.h; i++) {
        int y = r.y + (int)i;
        tui_grid_text_aligned(g, r.x, y, lw, labels[i], TUI_ALIGN_LEFT, TUI_ROLE_NORMAL);
        if (bw > 0) {
            /* bar without the empty track: charts compare lengths */
            tui_meter_bar(g, r.x + lw + 1, y, bw, values[i], max);
            for (int c = 0; c < bw; c++) {
                struct tui_cell *cell = tui_grid_at(g, r.x + lw + 1 + c, y);
                if (cell && cell->role == TUI_ROLE_BAR_EMPTY)
                    tui_grid_put(g, r.x + lw + 1 + c, y, ' ', TUI_ROLE_NORMAL);
            }
        }
        if (texts && texts[i])
            tui_grid_text_aligned(g, r.x + r.w - tw, y, tw, texts[i], TUI_ALIGN_RIGHT,
                                  TUI_ROLE_NORMAL);
    }
}
