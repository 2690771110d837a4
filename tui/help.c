/* help — key-table help overlay; see help.h. */
#include "tui/help.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_W = 26 }; /* columns for a command's usage before its help */

static bool same_context(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

/* The keys of context's actions (NULL: the global ones); returns how many were listed. */
/* The keys of context's actions (NULL: the global ones); returns how many were listed. A
 * screen.N key is listed with the screen's title, and only for a screen the header offers. */
static int section(struct tui_overlay *o, const struct tui_keymap *km, const char *context,
                   const char *const *screens, int nscreens, bool (*allow)(const char *, void *),
                   void *ud)
{
    int shown = 0;
    for (int i = 0; i < km->n; i++) {
        const struct tui_action *a = km->b[i].act;
        if (!same_context(a->context, context)) continue;
        char help[96];
        snprintf(help, sizeof help, "%s", a->help);
        if (!context && !strncmp(a->name, "screen.", 7)) {
            int n = atoi(a->name + 7);
            if (km->b[i].nkeys == 0 || (nscreens > 0 && n > nscreens)) continue;
            if (screens && n >= 1 && n <= nscreens) {
                if (!screens[n - 1]) continue; /* not offered to this role */
                snprintf(help, sizeof help, "show %s", screens[n - 1]);
            }
        }
        char keys[96];
        tui_keymap_keys(km, a->name, keys, sizeof keys);
        bool ok = !allow || allow(a->name, ud);
        tui_overlay_add(o, ok ? TUI_ROLE_NORMAL : TUI_ROLE_DIM, "%-16s %s%s",
                        keys[0] ? keys : "(unbound)", help,
                        ok ? "" : "  (not permitted for your role)");
        shown++;
    }
    return shown;
}

/* The `:` commands of context (NULL: those of no screen); returns how many were listed. */
static int commands(struct tui_overlay *o, const struct tui_cmdline *c, const char *context)
{
    int shown = 0;
    for (int i = 0; c && i < c->ncmds; i++) {
        const struct tui_cmd_entry *e = &c->cmds[i];
        if (!same_context(e->context, context)) continue;
        char use[96];
        snprintf(use, sizeof use, ":%s%s%s", e->cmd->name, *e->cmd->args ? " " : "", e->cmd->args);
        if (strlen(use) > CMD_W) { /* the help on a line of its own */
            tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", use);
            *use = '\0';
        }
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%-*s %s", CMD_W, use, e->cmd->help);
        shown++;
    }
    return shown;
}

void tui_help_build(struct tui_overlay *o, const struct tui_keymap *km,
                    const struct tui_cmdline *cmds, const char *context, const char *const *screens,
                    int nscreens, bool (*allow)(const char *action, void *ud), void *ud)
{
    tui_overlay_open(o, "Help — keys (rebind them in [keys] of the config file)");
    if (context) {
        tui_overlay_add(o, TUI_ROLE_HEADER, "On this screen (%s)", context);
        if (section(o, km, context, screens, nscreens, allow, ud) == 0)
            tui_overlay_add(o, TUI_ROLE_DIM, "no keys of its own");
        if (commands(o, cmds, context) == 0 && cmds)
            tui_overlay_add(o, TUI_ROLE_DIM, "no commands of its own");
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    }
    tui_overlay_add(o, TUI_ROLE_HEADER, "Everywhere");
    section(o, km, NULL, screens, nscreens, allow, ud);
    if (cmds) {
        tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
        tui_overlay_add(o, TUI_ROLE_HEADER, "Commands (type : first; Tab completes)");
        commands(o, cmds, NULL);
    }
    tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    tui_overlay_add(o, TUI_ROLE_DIM, "Esc, q or ? closes this help.");
}
