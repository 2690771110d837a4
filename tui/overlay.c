/* overlay — modal scrollable text box; see overlay.h. */
#include "tui/overlay.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"

void tui_overlay_close(struct tui_overlay *o)
{
    for (int i = 0; i < o->n; i++)
        free(o->lines[i].text);
    free(o->lines);
    free(o->title);
    free(o->copy);
    memset(o, 0, sizeof *o);
}

void tui_overlay_open(struct tui_overlay *o, const char *title)
{
    tui_overlay_close(o);
    o->open = true;
    o->title = od_xstrdup(title);
}

void tui_overlay_add(struct tui_overlay *o, uint8_t role, const char *fmt, ...)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 32;
        o->lines = od_xrealloc(o->lines, (size_t)o->cap * sizeof *o->lines);
    }
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    o->lines[o->n++] = (struct tui_overlay_line){sb_detach(&sb), role};
}

void tui_overlay_set_copy(struct tui_overlay *o, const char *text)
{
    free(o->copy);
    o->copy = text ? od_xstrdup(text) : NULL;
}

void tui_overlay_copy_text(const struct tui_overlay *o, struct strbuf *out)
{
    if (o->copy) {
        sb_add(out, o->copy);
        return;
    }
    for (int i = 0; i < o->n; i++)
        sb_addf(out, "%s%s", i ? "\n" : "", o->lines[i].text);
}

static unsigned scroll_to(struct tui_overlay *o, int s)
{
    int max = o->n - o->page;
    o->scroll = s > max ? max : s;
    if (o->scroll < 0) o->scroll = 0;
    return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_overlay_key(struct tui_overlay *o, const struct tui_key *k)
{
    const char *a = k->action ? k->action : "";
    int page = o->page > 1 ? o->page - 1 : 1;
    if (!strcmp(a, "up")) return scroll_to(o, o->scroll - 1);
    if (!strcmp(a, "down")) return scroll_to(o, o->scroll + 1);
    if (!strcmp(a, "page_up")) return scroll_to(o, o->scroll - page);
    if (!strcmp(a, "page_down") || k->key == ' ') return scroll_to(o, o->scroll + page);
    if (!strcmp(a, "top")) return scroll_to(o, 0);
    if (!strcmp(a, "bottom")) return scroll_to(o, o->n);
    if (!strcmp(a, "back") || !strcmp(a, "quit") || !strcmp(a, "help") || !strcmp(a, "enter") ||
        k->key == TUI_KEY_ESC) {
        tui_overlay_close(o);
        return TUI_HANDLED | TUI_REDRAW;
    }
    return TUI_HANDLED; /* modal: nothing reaches the screen below */
}

void tui_overlay_draw(struct tui_overlay *o, struct tui_grid *g, struct tui_rect area)
{
    struct tui_rect r = tui_rect_center(area, area.w - 2 < 80 ? area.w - 2 : 80, area.h);
    if (r.w < 10 || r.h < 4) return;
    tui_grid_box(g, r, o->title, TUI_ROLE_BORDER);
    o->page = r.h - 2;
    scroll_to(o, o->scroll);
    for (int i = 0; i < o->page && o->scroll + i < o->n; i++) {
        const struct tui_overlay_line *l = &o->lines[o->scroll + i];
        tui_grid_text(g, r.x + 2, r.y + 1 + i, r.w - 4, l->text, l->role);
    }
    if (o->n > o->page) {
        char pos[32];
        snprintf(pos, sizeof pos, " %d/%d ",
                 o->scroll + o->page < o->n ? o->scroll + o->page : o->n, o->n);
        int pw = tui_text_width(pos);
        tui_grid_text(g, r.x + r.w - pw - 2, r.y + r.h - 1, pw, pos, TUI_ROLE_DIM);
    }
}
