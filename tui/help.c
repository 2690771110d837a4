/* help — key-table help overlay; see help.h. */
#include "tui/help.h"
#include <stdlib.h>
#include <string.h>

static int section(struct tui_overlay *o, const struct tui_keymap *km, const char *context,
                   int nscreens, bool (*allow)(const char *, void *), void *ud)
{
    int shown = 0;
    for (int i = 0; i < km->n; i++) {
        const struct tui_action *a = km->b[i].act;
        if ((a->context == NULL) != (context == NULL) ||
            (context && strcmp(a->context, context) != 0))
            continue;
        if (!context && !strncmp(a->name, "screen.", 7) && km->b[i].nkeys == 0) continue;
        char keys[96];
        tui_keymap_keys(km, a->name, keys, sizeof keys);
        bool ok = !allow || allow(a->name, ud);
        tui_overlay_add(o, ok ? TUI_ROLE_NORMAL : TUI_ROLE_DIM, "%-16s %s%s",
                        keys[0] ? keys : "(unbound)", a->help,
                        ok ? "" : "  (not permitted for your role)");
    }
    return shown;
}

void tui_help_build(struct tui_overlay *o, const struct tui_keymap *km, const char *context,
                    int nscreens, bool (*allow)(const char *action, void *ud), void *ud)
{
    tui_overlay_open(o, "Help — keys (rebind them in [keys] of the config file)");
    if (context) {
        tui_overlay_add(o, TUI_ROLE_HEADER, "On this screen (%s)", context);
        if (section(o, km, context, nscreens, allow, ud) == 0)
            tui_overlay_add(o, TUI_ROLE_DIM, "no keys of its own");
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    }
    tui_overlay_add(o, TUI_ROLE_HEADER, "Everywhere");
    section(o, km, NULL, nscreens, allow, ud);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    tui_overlay_add(o, TUI_ROLE_DIM, "Esc, q or ? closes this help.");
}
