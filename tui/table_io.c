/* table_io — what a table gives and takes besides keys (tui/table.h): its selected row as
 * text for `y`, pasted text for the filter being typed, and which header a click hit. Only
 * the table's public API is used here. */
#include <string.h>
#include "tui/mouse.h"
#include "tui/table.h"

int tui_table_header_at(const struct tui_table *t, const struct tui_mouse *m)
{
    const struct tui_hit *h = m ? m->hit : NULL;
    return h && h->owner == t && h->kind == TUI_HIT_TABLE_HEADER && m->what == TUI_MOUSE_CLICK
               ? (int)h->id
               : -1;
}

void tui_table_row_text(const struct tui_table *t, struct strbuf *out)
{
    long row = tui_table_selected(t);
    for (int c = 0; row >= 0 && c < t->ncols; c++) {
        if (c) sb_addch(out, '\t');
        for (const char *p = tui_rowset_cell(&t->rows, (size_t)row, c); *p; p++)
            sb_addch(out, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
    }
}

unsigned tui_table_paste(struct tui_table *t, const char *text)
{
    if (!t->filter_editing) return 0;
    if (tui_edit_paste(&t->filter, text) & TUI_EDIT_CHANGED)
        tui_table_set_filter(t, tui_edit_str(&t->filter));
    return TUI_HANDLED | TUI_REDRAW;
}
