/* input — the app's input state; see input.h. */
#include "tui/input.h"
#include <string.h>

void tui_input_init(struct tui_input *in, bool osc52_off, bool mouse_off)
{
    memset(in, 0, sizeof *in);
    tui_paste_init(&in->paste);
    in->osc52_off = osc52_off;
    in->mouse_off = mouse_off;
}

void tui_input_release(struct tui_input *in)
{
    tui_paste_release(&in->paste);
    tui_hits_release(&in->hits);
    sb_release(&in->copied);
}
