/* keymap — bindings as data; see keymap.h. */
#include "tui/keymap.h"
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/base/sanitize.h"
#include "core/base/util.h"

static const struct tui_action builtin[] = {
    {"screen.1", "1", "show screen 1", NULL, 0, NULL},
    {"screen.2", "2", "show screen 2", NULL, 0, NULL},
    {"screen.3", "3", "show screen 3", NULL, 0, NULL},
    {"screen.4", "4", "show screen 4", NULL, 0, NULL},
    {"screen.5", "5", "show screen 5", NULL, 0, NULL},
    {"screen.6", "6", "show screen 6", NULL, 0, NULL},
    {"screen.7", "7", "show screen 7", NULL, 0, NULL},
    {"screen.8", "8", "show screen 8", NULL, 0, NULL},
    {"screen.9", "9", "show screen 9", NULL, 0, NULL},
    {"next_screen", "Tab", "next screen", NULL, 0, NULL},
    {"prev_screen", "S-Tab", "previous screen", NULL, 0, NULL},
    {"up", "Up k", "move up", NULL, 0, NULL},
    {"down", "Down j", "move down", NULL, 0, NULL},
    {"left", "Left h", "scroll left", NULL, 0, NULL},
    {"right", "Right l", "scroll right", NULL, 0, NULL},
    {"top", "g Home", "go to the first row", NULL, 0, NULL},
    {"bottom", "G End", "go to the last row", NULL, 0, NULL},
    {"page_up", "PgUp C-u", "page up", NULL, 0, NULL},
    {"page_down", "PgDn C-d", "page down", NULL, 0, NULL},
    {"enter", "Enter", "open / drill down", NULL, 0, NULL},
    {"back", "Esc Backspace", "back / cancel / clear filter", NULL, 0, NULL},
    {"filter", "/", "filter rows (Esc clears)", NULL, 0, NULL},
    {"sort", "s", "sort by the next column", NULL, 0, NULL},
    {"sort_reverse", "S", "reverse the sort order", NULL, 0, NULL},
    {"command", ":", "command line (Tab completes)", NULL, 0, NULL},
    {"help", "? F1", "this help", NULL, 0, NULL},
    {"pause", "p", "pause / resume live refresh", NULL, 0, NULL},
    {"refresh", "C-r F5", "refresh now", NULL, 0, NULL},
    {"redraw", "C-l", "repaint the terminal", NULL, 0, NULL},
    {"quit", "q C-c", "quit", NULL, 0, NULL},
};

static const struct {
    const char *name;
    int key;
} named[] = {
    {"Tab", TUI_KEY_TAB},
    {"S-Tab", TUI_KEY_BTAB},
    {"BTab", TUI_KEY_BTAB},
    {"Enter", TUI_KEY_ENTER},
    {"Return", TUI_KEY_ENTER},
    {"Esc", TUI_KEY_ESC},
    {"Escape", TUI_KEY_ESC},
    {"Space", ' '},
    {"Backspace", TUI_KEY_BACKSPACE},
    {"BS", TUI_KEY_BACKSPACE},
    {"Delete", TUI_KEY_DELETE},
    {"Del", TUI_KEY_DELETE},
    {"DC", TUI_KEY_DELETE},
    {"Insert", TUI_KEY_INSERT},
    {"IC", TUI_KEY_INSERT},
    {"Up", TUI_KEY_UP},
    {"Down", TUI_KEY_DOWN},
    {"Left", TUI_KEY_LEFT},
    {"Right", TUI_KEY_RIGHT},
    {"Home", TUI_KEY_HOME},
    {"End", TUI_KEY_END},
    {"PgUp", TUI_KEY_PGUP},
    {"PageUp", TUI_KEY_PGUP},
    {"PPage", TUI_KEY_PGUP},
    {"PgDn", TUI_KEY_PGDN},
    {"PageDown", TUI_KEY_PGDN},
    {"NPage", TUI_KEY_PGDN},
};

#define KEY_HINT                                                                                   \
    "write a character like q or /, C-x for Ctrl, F1..F12, Tab, S-Tab, Enter, Esc, Space, "        \
    "Backspace, Delete, Insert, Up, Down, Left, Right, Home, End, PgUp, PgDn, or none"

int tui_key_parse(const char *spec, int *key)
{
    const char *s = spec;
    if (strncmp(s, "KEY_", 4) == 0) s += 4;
    for (size_t i = 0; i < OD_ARRAY_LEN(named); i++)
        if (strcasecmp(s, named[i].name) == 0) {
            *key = named[i].key;
            return 0;
        }
    long n;
    if ((s[0] == 'F' || s[0] == 'f') && s[1]) {
        char num[8] = "";
        if (s[1] == '(' && strlen(s) < sizeof num + 2 && s[strlen(s) - 1] == ')')
            snprintf(num, sizeof num, "%.*s", (int)strlen(s) - 3, s + 2);
        else if (s[1] != '(')
            snprintf(num, sizeof num, "%s", s + 1);
        if (num[0] && od_parse_long(num, 1, 24, &n) == 0) {
            *key = TUI_KEY_F((int)n);
            return 0;
        }
    }
    if ((strncasecmp(s, "C-", 2) == 0 || s[0] == '^') && s[s[0] == '^' ? 1 : 2]) {
        const char *c = s + (s[0] == '^' ? 1 : 2);
        if (!c[1] &&
            ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || strchr("@[\\]^_", *c))) {
            *key = TUI_KEY_CTRL(*c);
            return 0;
        }
    }
    uint32_t cp;
    size_t len = strlen(spec);
    if (len && od_utf8_decode((const unsigned char *)spec, len, &cp) == len && cp > ' ' &&
        cp != 0x7f && cp != 0xfffd && od_char_width(cp) > 0) {
        *key = (int)cp;
        return 0;
    }
    return od_seterr("unknown key '%s' (%s)", spec, KEY_HINT);
}

void tui_key_name(int key, char *buf, size_t n)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(named); i++)
        if (named[i].key == key && (i == 0 || named[i - 1].key != key)) {
            snprintf(buf, n, "%s", named[i].name);
            return;
        }
    if (key >= TUI_KEY_F0 && key <= TUI_KEY_F(24))
        snprintf(buf, n, "F%d", key - TUI_KEY_F0);
    else if (key > 0 && key < 32)
        snprintf(buf, n, "C-%c", key + 'a' - 1);
    else if (key > ' ' && key < TUI_KEY_BASE) {
        char u[5] = "";
        u[od_utf8_encode((uint32_t)key, u)] = '\0';
        snprintf(buf, n, "%s", u);
    } else
        snprintf(buf, n, "key-%d", key);
}

/* Parse a space-separated list; -1 with od_seterr. */
static int parse_list(const char *spec, int *keys, int *nkeys)
{
    char *copy = od_xstrdup(spec), *save = NULL;
    int rc = 0;
    *nkeys = 0;
    for (char *w = strtok_r(copy, " \t,", &save); w && rc == 0; w = strtok_r(NULL, " \t,", &save)) {
        if (strcasecmp(w, "none") == 0) continue;
        if (*nkeys == TUI_KEYS_PER_ACTION)
            rc = od_seterr("more than %d keys for one action", TUI_KEYS_PER_ACTION);
        else
            rc = tui_key_parse(w, &keys[(*nkeys)++]);
    }
    free(copy);
    return rc;
}

void tui_keymap_init(struct tui_keymap *km)
{
    memset(km, 0, sizeof *km);
    tui_keymap_add(km, builtin, OD_ARRAY_LEN(builtin));
}

void tui_keymap_release(struct tui_keymap *km)
{
    free(km->b);
    memset(km, 0, sizeof *km);
}

void tui_keymap_add(struct tui_keymap *km, const struct tui_action *acts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert(!tui_keymap_find(km, acts[i].name));
        if (km->n == km->cap) {
            km->cap = km->cap ? km->cap * 2 : 64;
            km->b = od_xrealloc(km->b, (size_t)km->cap * sizeof *km->b);
        }
        struct tui_binding *b = &km->b[km->n++];
        memset(b, 0, sizeof *b);
        b->act = &acts[i];
        if (parse_list(acts[i].keys, b->keys, &b->nkeys) < 0)
            od_die("BUG: default keys of action %s: %s", acts[i].name, od_err());
    }
}

const struct tui_binding *tui_keymap_find(const struct tui_keymap *km, const char *action)
{
    for (int i = 0; i < km->n; i++)
        if (strcmp(km->b[i].act->name, action) == 0) return &km->b[i];
    return NULL;
}

static bool has_key(const struct tui_binding *b, int key)
{
    for (int i = 0; i < b->nkeys; i++)
        if (b->keys[i] == key) return true;
    return false;
}

static bool overlap(const char *a, const char *b)
{
    return !a || !b || strcmp(a, b) == 0;
}

const struct tui_action *tui_keymap_action(const struct tui_keymap *km, int key,
                                           const char *context)
{
    const struct tui_action *global = NULL;
    for (int i = 0; i < km->n; i++) {
        const struct tui_binding *b = &km->b[i];
        if (!has_key(b, key)) continue;
        if (b->act->context && context && strcmp(b->act->context, context) == 0) return b->act;
        if (!b->act->context && !global) global = b->act;
    }
    return global;
}

const char *tui_keymap_lookup(const struct tui_keymap *km, int key, const char *context)
{
    const struct tui_action *a = tui_keymap_action(km, key, context);
    return a ? a->name : NULL;
}

tui_action_fn *tui_handler_find(const struct tui_handler *h, size_t n, const struct tui_key *k)
{
    for (size_t i = 0; k->action && i < n; i++)
        if (strcmp(h[i].action, k->action) == 0) return h[i].run;
    return NULL;
}

void tui_keymap_keys(const struct tui_keymap *km, const char *action, char *buf, size_t n)
{
    const struct tui_binding *b = tui_keymap_find(km, action);
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; b && i < b->nkeys && len + 1 < n; i++) {
        char name[32];
        tui_key_name(b->keys[i], name, sizeof name);
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", name);
    }
}

int tui_keymap_override(struct tui_keymap *km, int n, char *const *actions, char *const *specs)
{
    struct tui_binding *nb = od_xcalloc((size_t)n + 1, sizeof *nb);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const struct tui_binding *b = tui_keymap_find(km, actions[i]);
        if (!b) {
            rc = od_seterr("[keys] %s = %s: unknown action '%s' (docs/keys.md lists them; "
                           "press ? in the console)",
                           actions[i], specs[i], actions[i]);
            break;
        }
        nb[i].act = b->act;
        if (parse_list(specs[i], nb[i].keys, &nb[i].nkeys) < 0) {
            char why[400]; /* od_err's buffer is the one od_seterr writes */
            snprintf(why, sizeof why, "%s", od_err());
            rc = od_seterr("[keys] %s = %s: %s", actions[i], specs[i], why);
            break;
        }
        for (int j = 0; j < i && rc == 0; j++)
            for (int k = 0; k < nb[i].nkeys && rc == 0; k++)
                if (has_key(&nb[j], nb[i].keys[k]) && nb[j].act != nb[i].act &&
                    overlap(nb[j].act->context, nb[i].act->context)) {
                    char name[32];
                    tui_key_name(nb[i].keys[k], name, sizeof name);
                    rc = od_seterr("[keys] key '%s' is bound to both '%s' and '%s'", name,
                                   nb[j].act->name, nb[i].act->name);
                }
    }
    for (int i = 0; i < n && rc == 0; i++) {
        for (int j = 0; j < km->n; j++) {
            struct tui_binding *b = &km->b[j];
            if (b->act == nb[i].act) {
                memcpy(b->keys, nb[i].keys, sizeof b->keys);
                b->nkeys = nb[i].nkeys;
                continue;
            }
            if (!overlap(b->act->context, nb[i].act->context)) continue;
            for (int k = 0; k < b->nkeys;) /* the user's binding takes the key over */
                if (has_key(&nb[i], b->keys[k]))
                    b->keys[k] = b->keys[--b->nkeys];
                else
                    k++;
        }
    }
    free(nb);
    return rc;
}
