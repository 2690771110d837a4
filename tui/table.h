/* table — a virtual table: a header, sortable columns, an incremental filter, a selection that
 * stays on its row key when the data is replaced, and horizontal scrolling. Only the rows on
 * screen are drawn, so 100,000 rows cost what 40 do; sorting happens when the data or the
 * sort column change (a copy when the producer presorted the rows: tui_table_prepare),
 * filtering when the filter text changes (narrowing searches only the rows that matched
 * before).
 *
 *   static const struct tui_column cols[] = {
 *       {"Client", TUI_ALIGN_LEFT, 8, 30, TUI_CMP_TEXT, NULL},
 *       {"Margin", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, role_of_money},
 *   };
 *   tui_table_init(&t, cols, 2);
 *   tui_table_set_rows(&t, &rowset);            // takes the rows (see rows.h)
 *   flags = tui_table_key(&t, &key);            // from the screen's key handler
 *   tui_table_draw(&t, grid, area, true);       // from the screen's draw
 *
 * Keys (by action, so rebinding works): up down page_up page_down top bottom, left/right
 * scroll columns, sort (next column), sort_reverse, filter (type to narrow; Enter keeps,
 * Esc clears), back clears an applied filter. Widths are display widths of sanitized text,
 * clamped to each column's min/max; a cell that does not fit ends with "…".
 *
 * Where the view goes: a new sort or filter (and tui_table_reset_view, which a screen calls
 * after a reload or a new range) shows the top with the first row selected, so the first row
 * on screen is the first row of the order. A new snapshot of the same data (live refresh)
 * keeps the selection on its row at the same screen line; rows that arrive above the first
 * visible row are counted and the header shows "↑ N new" until they have been on screen. */
#ifndef TUI_TABLE_H
#define TUI_TABLE_H
#include <stdbool.h>
#include "tui/edit.h"
#include "tui/grid.h"
#include "tui/keymap.h"
#include "tui/rows.h"

struct tui_column {
    const char *title;
    enum tui_align align;
    int min_w, max_w; /* display columns; 0: no minimum / no maximum */
    enum tui_cmp cmp;
    /* Optional: the role of a cell from its text (e.g. negative money); <0 keeps the row's. */
    int (*cell_role)(const char *text);
};

struct tui_table {
    const struct tui_column *cols; /* borrowed */
    int ncols;
    struct tui_rowset rows; /* owned */
    uint32_t *order;        /* owned: every row, sorted */
    uint32_t *view;         /* owned: the rows passing the filter, in order */
    size_t nview;
    int sort_col; /* -1: data order */
    bool sort_desc;
    struct tui_edit filter; /* the text being typed */
    bool filter_editing;
    char *needle;      /* owned: the folded filter applied to view, or NULL */
    size_t sel, top;   /* selection and first visible row, indexes into view */
    char *sel_key;     /* owned: key of the selected row */
    int hscroll;       /* first column shown */
    int page;          /* rows on screen at the last draw */
    const char *empty; /* borrowed: text when there are no rows at all ("no data yet") */
    uint8_t *fresh;    /* owned or NULL: per row, 1 while it arrived above the view, unseen */
    size_t nfresh;     /* rows with fresh set */
};

void tui_table_init(struct tui_table *t, const struct tui_column *cols, int ncols);
/* Producer side, for big snapshots: sort rs by each of the ncols columns now (rows.h,
 * tui_rowset_presort), so that handing it to a table with these columns sorts nothing on the UI
 * thread, whichever column and direction is shown or chosen next. Touches only rs, so a worker
 * thread may call it; call after the last tui_rowset_add(). For 100,000 rows it costs a few ms
 * per column; to presort only the column shown, call tui_rowset_presort() for it instead. */
void tui_table_prepare(const struct tui_column *cols, int ncols, struct tui_rowset *rs);
void tui_table_release(struct tui_table *t);
/* Replace the rows (moved out of rs, which becomes empty). Sort and filter are reapplied and
 * the selection stays on the row with the same key, at the same place on screen; new keys
 * that land above the first visible row are counted as new (tui_table_new_above). */
void tui_table_set_rows(struct tui_table *t, struct tui_rowset *rs);
/* Sort by column (-1: data order); the view goes to the top, the first row selected. */
void tui_table_sort(struct tui_table *t, int col, bool desc);
/* Apply a filter (case-insensitive substring over the row's visible text); NULL or "" clears.
 * The view goes to the top, the first row selected. */
void tui_table_set_filter(struct tui_table *t, const char *text);
/* The top of the view with the first row selected; nothing counts as new any more. */
void tui_table_reset_view(struct tui_table *t);
/* Rows shown above the first visible one that arrived with a snapshot and were not on screen
 * yet (the header says "↑ N new"). */
size_t tui_table_new_above(const struct tui_table *t);
/* TUI_HANDLED|TUI_REDRAW when the key was the table's, else 0. */
unsigned tui_table_key(struct tui_table *t, const struct tui_key *k);
/* Draw into area: header, rows, and a filter line at the bottom when a filter is set. */
void tui_table_draw(struct tui_table *t, struct tui_grid *g, struct tui_rect area, bool focused);

/* The selected row as an index into t->rows (for tui_rowset_cell), or -1 when empty. */
long tui_table_selected(const struct tui_table *t);
const char *tui_table_selected_key(const struct tui_table *t); /* borrowed or NULL */
/* Select the row with key (keys are unique per snapshot); false when it is not shown. */
bool tui_table_select_key(struct tui_table *t, const char *key);
/* "12 of 100000 rows" style counts. */
size_t tui_table_shown(const struct tui_table *t);
size_t tui_table_total(const struct tui_table *t);

#endif
