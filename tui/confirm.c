/* confirm — yes/no dialog; see confirm.h. */
#include "tui/confirm.h"
#include <stdlib.h>
#include "core/base/util.h"

void tui_confirm_open(struct tui_confirm *c, const char *question)
{
    tui_confirm_close(c);
    c->open = true;
    c->yes = false;
    c->question = od_xstrdup(question);
}

void tui_confirm_close(struct tui_confirm *c)
{
    free(c->question);
    c->question = NULL;
    c->open = false;
}

enum tui_confirm_answer tui_confirm_key(struct tui_confirm *c, int key)
{
    switch (key) {
    case 'y':
    case 'Y':
        return TUI_CONFIRM_YES;
    case 'n':
    case 'N':
    case TUI_KEY_ESC:
        return TUI_CONFIRM_NO;
    case TUI_KEY_ENTER:
    case ' ':
        return c->yes ? TUI_CONFIRM_YES : TUI_CONFIRM_NO;
    case TUI_KEY_LEFT:
    case TUI_KEY_RIGHT:
    case TUI_KEY_TAB:
    case TUI_KEY_BTAB:
    case 'h':
    case 'l':
        c->yes = !c->yes;
        return TUI_CONFIRM_PENDING;
    default:
        return TUI_CONFIRM_PENDING;
    }
}

void tui_confirm_draw(const struct tui_confirm *c, struct tui_grid *g, struct tui_rect area)
{
    int qw = tui_text_width(c->question) + 6;
    struct tui_rect r = tui_rect_center(area, qw < 34 ? 34 : qw, 6);
    if (r.w < 12 || r.h < 5) return;
    tui_grid_box(g, r, "Confirm", TUI_ROLE_WARN);
    tui_grid_text_aligned(g, r.x + 2, r.y + 2, r.w - 4, c->question, TUI_ALIGN_CENTER,
                          TUI_ROLE_DIALOG);
    int bx = r.x + r.w / 2 - 10;
    tui_grid_text(g, bx, r.y + 4, 9, "[ Yes ]", c->yes ? TUI_ROLE_SELECTED : TUI_ROLE_DIALOG);
    tui_grid_text(g, bx + 12, r.y + 4, 8, "[ No ]", c->yes ? TUI_ROLE_DIALOG : TUI_ROLE_SELECTED);
    tui_grid_text(g, r.x + 2, r.y + r.h - 1, r.w - 4, " y/n ", TUI_ROLE_KEY_HINT);
}
