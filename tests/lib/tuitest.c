/* tuitest — see tuitest.h. */
#include "tests/lib/tuitest.h"
#include <string.h>
#include "core/base/util.h"

const char *tuitest_line(const struct tui_grid *g, int y)
{
    static struct strbuf sb = STRBUF_INIT;
    sb_reset(&sb);
    tui_grid_line(g, y, &sb);
    return sb.buf ? sb.buf : "";
}

const char *tuitest_text(const struct tui_grid *g)
{
    static struct strbuf sb = STRBUF_INIT;
    sb_reset(&sb);
    for (int y = 0; y < g->h; y++) {
        tui_grid_line(g, y, &sb);
        sb_addch(&sb, '\n');
    }
    return sb.buf ? sb.buf : "";
}

bool tuitest_has(const struct tui_grid *g, const char *needle)
{
    for (int y = 0; y < g->h; y++)
        if (strstr(tuitest_line(g, y), needle)) return true;
    return false;
}

void tuitest_feed(struct tui_app *app, const char *keys)
{
    for (const char *p = keys; *p; p++)
        tui_app_feed_key(app, *p == '\n' ? TUI_KEY_ENTER : *p);
}
