/* prompt — question and text field dialog; see prompt.h. */
#include "tui/prompt.h"
#include <stdlib.h>
#include "core/base/util.h"

void tui_prompt_open(struct tui_prompt *p, const char *question, bool masked)
{
    tui_prompt_close(p);
    p->open = true;
    p->question = od_xstrdup(question);
    tui_edit_init(&p->edit, masked);
    p->edit.max_len = 1024;
    /* room for the longest answer up front: the text is never reallocated, so no copy of a
     * password is left behind in freed memory (the buffer is wiped when the prompt closes) */
    sb_grow(&p->edit.text, p->edit.max_len + 8);
}

void tui_prompt_close(struct tui_prompt *p)
{
    if (p->open) tui_edit_release(&p->edit);
    free(p->question);
    p->question = NULL;
    p->open = false;
}

enum tui_prompt_answer tui_prompt_key(struct tui_prompt *p, int key)
{
    if (key == TUI_KEY_ESC) return TUI_PROMPT_CANCEL;
    if (key == TUI_KEY_ENTER) return TUI_PROMPT_ENTER;
    tui_edit_key(&p->edit, key);
    return TUI_PROMPT_PENDING;
}

const char *tui_prompt_text(const struct tui_prompt *p)
{
    return tui_edit_str(&p->edit);
}

void tui_prompt_draw(const struct tui_prompt *p, struct tui_grid *g, struct tui_rect area)
{
    int qw = tui_text_width(p->question) + 6;
    struct tui_rect r = tui_rect_center(area, qw < 40 ? 40 : qw, 7);
    if (r.w < 12 || r.h < 6) return;
    tui_grid_box(g, r, "Confirm", TUI_ROLE_WARN);
    tui_grid_text_aligned(g, r.x + 2, r.y + 2, r.w - 4, p->question, TUI_ALIGN_CENTER,
                          TUI_ROLE_DIALOG);
    tui_edit_draw(&p->edit, g, r.x + 2, r.y + 4, r.w - 4, TUI_ROLE_INPUT_FOCUS, true);
    tui_grid_text(g, r.x + 2, r.y + r.h - 1, r.w - 4, " Enter confirms · Esc cancels ",
                  TUI_ROLE_KEY_HINT);
}
