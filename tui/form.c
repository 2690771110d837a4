/* form — labelled fields; see form.h. */
#include "tui/form.h"
#include <stdlib.h>
#include "core/base/util.h"

void tui_form_init(struct tui_form *f, const struct tui_field_spec *specs, int n)
{
    f->n = n;
    f->focus = 0;
    f->label = od_xcalloc((size_t)n + 1, sizeof *f->label);
    f->field = od_xcalloc((size_t)n + 1, sizeof *f->field);
    f->message = NULL;
    for (int i = 0; i < n; i++) {
        f->label[i] = specs[i].label;
        tui_edit_init(&f->field[i], specs[i].masked);
    }
}

void tui_form_release(struct tui_form *f)
{
    for (int i = 0; i < f->n; i++)
        tui_edit_release(&f->field[i]);
    free(f->field);
    free(f->label);
    free(f->message);
    f->field = NULL;
    f->label = NULL;
    f->message = NULL;
    f->n = 0;
}

unsigned tui_form_key(struct tui_form *f, const struct tui_key *k)
{
    if (f->n == 0) return 0;
    switch (k->key) {
    case TUI_KEY_ENTER:
        if (f->focus == f->n - 1) return TUI_HANDLED | TUI_REDRAW | TUI_SUBMIT;
        /* fall through */
    case TUI_KEY_TAB:
    case TUI_KEY_DOWN:
        f->focus = (f->focus + 1) % f->n;
        return TUI_HANDLED | TUI_REDRAW;
    case TUI_KEY_BTAB:
    case TUI_KEY_UP:
        f->focus = (f->focus + f->n - 1) % f->n;
        return TUI_HANDLED | TUI_REDRAW;
    default:
        return tui_edit_key(&f->field[f->focus], k->key) ? TUI_HANDLED | TUI_REDRAW : 0;
    }
}

unsigned tui_form_paste(struct tui_form *f, const char *text)
{
    if (f->n == 0) return 0;
    tui_edit_paste(&f->field[f->focus], text);
    return TUI_HANDLED | TUI_REDRAW;
}

void tui_form_draw(struct tui_form *f, struct tui_grid *g, struct tui_rect r)
{
    int lw = 0;
    for (int i = 0; i < f->n; i++) {
        int w = tui_text_width(f->label[i]);
        lw = w > lw ? w : lw;
    }
    int fw = r.w - lw - 2;
    if (fw > 40) fw = 40;
    for (int i = 0; i < f->n && 2 * i < r.h; i++) {
        int y = r.y + 2 * i;
        bool focus = i == f->focus;
        tui_grid_text_aligned(g, r.x, y, lw, f->label[i], TUI_ALIGN_RIGHT,
                              focus ? TUI_ROLE_HEADER : TUI_ROLE_NORMAL);
        tui_edit_draw(&f->field[i], g, r.x + lw + 2, y, fw,
                      focus ? TUI_ROLE_INPUT_FOCUS : TUI_ROLE_INPUT, focus);
    }
    if (f->message && 2 * f->n < r.h)
        tui_grid_text(g, r.x + lw + 2, r.y + 2 * f->n, r.w - lw - 2, f->message, f->message_role);
}

const char *tui_form_value(const struct tui_form *f, int i)
{
    return tui_edit_str(&f->field[i]);
}

void tui_form_set_value(struct tui_form *f, int i, const char *s)
{
    tui_edit_set(&f->field[i], s);
}

void tui_form_clear(struct tui_form *f)
{
    for (int i = 0; i < f->n; i++)
        tui_edit_clear(&f->field[i]);
    f->focus = 0;
}

void tui_form_set_message(struct tui_form *f, uint8_t role, const char *text)
{
    free(f->message);
    f->message = text ? od_xstrdup(text) : NULL;
    f->message_role = role;
}
