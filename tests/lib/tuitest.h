/* tuitest — what the console's unit tests share: read a grid back as text, type into an app.
 *
 *   tui_app_render(app, &g);
 *   assert_string_equal(tuitest_line(&g, 0), " 1 Sync   2 Exceptions");
 *   assert_true(tuitest_has(&g, "Your password"));
 *   tuitest_feed(app, "2a\n");   // one key per character; '\n' is Enter
 * The strings returned are borrowed: valid until the next call of the same function. */
#ifndef OD_TUITEST_H
#define OD_TUITEST_H
#include <stdbool.h>
#include "tui/app.h"
#include "tui/grid.h"

/* Row y of g as UTF-8 text ("" for an empty row). */
const char *tuitest_line(const struct tui_grid *g, int y);
/* Every row of g, each ended by '\n'. */
const char *tuitest_text(const struct tui_grid *g);
/* Whether some row of g contains needle. */
bool tuitest_has(const struct tui_grid *g, const char *needle);
void tuitest_feed(struct tui_app *app, const char *keys);

#endif
