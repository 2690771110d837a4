/* input — the app's state for what comes in besides keys: a bracketed paste being read
 * (tui/paste.h), the last frame's clickable regions and the mouse event being handled
 * (tui/mouse.h), and copying (ui.osc52, the last text copied). Held by the app
 * (tui/app_impl.h); tui/app_input.c is what uses it. */
#ifndef TUI_INPUT_H
#define TUI_INPUT_H
#include <stdbool.h>
#include <stdint.h>
#include "core/base/util.h"
#include "tui/mouse.h"
#include "tui/paste.h"

struct tui_input {
    struct tui_paste paste;
    int64_t paste_ms;       /* when the last key of an open paste came */
    struct tui_hits hits;   /* the last frame's clickable regions */
    struct tui_mouse mouse; /* the event being fed as TUI_KEY_MOUSE */
    bool in_mouse;          /* mouse is valid */
    bool osc52_off;         /* ui.osc52 = off */
    bool mouse_off;         /* ui.mouse = off */
    struct strbuf copied;   /* the last text copied */
};

void tui_input_init(struct tui_input *in, bool osc52_off, bool mouse_off);
void tui_input_release(struct tui_input *in);

#endif
