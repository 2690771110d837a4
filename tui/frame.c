/* frame — tab line, status hints and the too-small notice; see frame.h. */
#include "tui/frame.h"
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"

/* The first of an action's keys ("q" of "q, C-c"), "" when unbound. */
static void first_key(const struct tui_keymap *km, const char *action, char *buf, size_t n)
{
    tui_keymap_keys(km, action, buf, n);
    char *comma = strchr(buf, ',');
    if (comma) *comma = '\0';
}

void tui_frame_tabs(struct tui_grid *g, const char *const *titles, int n, int cur,
                    const struct tui_keymap *km, bool paused, const char *title)
{
    int x = 0;
    tui_grid_fill(g, (struct tui_rect){0, 0, g->w, 1}, ' ', TUI_ROLE_TAB);
    for (int i = 0; i < n; i++) {
        char label[80], key[32];
        char action[32];
        snprintf(action, sizeof action, "screen.%d", i + 1);
        first_key(km, action, key, sizeof key);
        snprintf(label, sizeof label, " %s%s%s ", key, key[0] ? " " : "", titles[i]);
        x += tui_grid_text(g, x, 0, g->w - x, label, i == cur ? TUI_ROLE_TAB_ACTIVE : TUI_ROLE_TAB);
        x += tui_grid_text(g, x, 0, g->w - x, " ", TUI_ROLE_TAB);
    }
    const char *p = paused ? " PAUSED " : "";
    int pw = tui_text_width(p), tw = tui_text_width(title);
    int room = g->w - x - pw - 1;
    if (tw > room) tw = room;
    if (tw > 0) tui_grid_text(g, g->w - pw - tw - 1, 0, tw, title, TUI_ROLE_TITLE);
    if (pw) tui_grid_text(g, g->w - pw, 0, pw, p, TUI_ROLE_WARN);
}

void tui_frame_status(struct tui_grid *g, int y, const struct tui_keymap *km,
                      const struct tui_hint *own, size_t nown, const char *right)
{
    static const char *const hints[][2] = {{"help", "help"},   {"filter", "filter"},
                                           {"sort", "sort"},   {"command", "command"},
                                           {"pause", "pause"}, {"quit", "quit"}};
    int rw = right ? tui_text_width(right) : 0;
    if (rw > g->w / 2) rw = g->w / 2;
    int x = 0, limit = g->w - rw - 1;
    size_t n = own ? nown : OD_ARRAY_LEN(hints);
    for (size_t i = 0; i < n && x < limit; i++) {
        char keys[64];
        const char *label = own ? own[i].label : hints[i][1];
        if (own)
            snprintf(keys, sizeof keys, "%s", own[i].keys);
        else
            first_key(km, hints[i][0], keys, sizeof keys);
        if (!keys[0]) continue;
        int kw = tui_text_width(keys), lw = tui_text_width(label);
        if (x + kw + 1 + lw > limit) break;
        x += tui_grid_text(g, x, y, kw, keys, TUI_ROLE_KEY_HINT);
        x += tui_grid_text(g, x + 1, y, lw, label, TUI_ROLE_STATUS) + 3;
    }
    if (rw > 0) tui_grid_text(g, g->w - rw, y, rw, right, TUI_ROLE_STATUS);
}

void tui_frame_too_small(struct tui_grid *g, int min_w, int min_h)
{
    char size[80];
    snprintf(size, sizeof size, "%dx%d, needs %dx%d", g->w, g->h, min_w, min_h);
    const char *lines[] = {"Terminal too small", size, "enlarge it, or press q to quit"};
    int y0 = g->h > 3 ? (g->h - 3) / 2 : 0;
    for (int i = 0; i < 3 && y0 + i < g->h; i++)
        tui_grid_text_aligned(g, 0, y0 + i, g->w, lines[i], TUI_ALIGN_CENTER,
                              i == 0 ? TUI_ROLE_WARN : TUI_ROLE_NORMAL);
}
