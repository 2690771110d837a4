/* profit_view — the Profitability screen's state (shared by profit.c, which handles keys,
 * commands and reads, and profit_view.c, which draws it) and its drawing: the title line
 * (where you are and the range of the rows shown), the table, the Total line of the rows shown
 * and the legend of incomplete rows. Not for other screens: use profit.h. */
#ifndef SCR_PROFIT_VIEW_H
#define SCR_PROFIT_VIEW_H
#include "core/domain/profit.h"
#include "screens/base.h"
#include "tui/grid.h"

#define PROFIT_DEPTH 4

struct profit_frame {
    struct od_profit_query q;
    char label[80]; /* breadcrumb text of this level */
    char sel[64];   /* key selected when we drilled down from here */
};

struct profit_screen {
    struct scr_base b;        /* first */
    struct profit_snap *snap; /* owned: the rows shown (the table holds their cells) */
    struct profit_frame f[PROFIT_DEPTH];
    int depth;                    /* frames in use, >= 1 */
    char from[11], to[11];        /* the range asked for ("" open); the snapshot's may be older */
    char period[16];              /* the named period it came from, or "" */
    char restore[64];             /* select this key when the next snapshot arrives */
    struct profit_export *export; /* owned: waiting for "replace?" (profit_export.c) */
};

void profit_view_draw(struct profit_screen *s, struct tui_grid *g, struct tui_rect a);

#endif
