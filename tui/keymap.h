/* keymap — key bindings as data: action names bound to keys.
 *
 * Keys are ints: a Unicode code point for characters (control keys are their C0 codes: C-c
 * is 3, Tab 9, Enter 10, Esc 27), or TUI_KEY_* for keys that are not characters. term.c turns
 * curses input into these, so nothing here includes curses.
 *
 * Actions are rows of `struct tui_action` tables: the built-ins (tui_keymap_init: screen.1..9,
 * next_screen, prev_screen, up, down, left, right, top, bottom, page_up, page_down, enter,
 * back, filter, sort, sort_reverse, command, help, pause, quit, refresh, redraw) and tables a
 * screen adds (tui_keymap_add; name them "SCREEN.verb" with context "SCREEN"). Default keys
 * are written in the same spec language as the config file, so help is generated from them.
 * The keymap resolves a key to an action (names stay the currency of config and help); what
 * the key does is the action's run (a screen's actions carry theirs), or, for a built-in, the
 * handler its interpreter (the app, a screen) keeps under the action's name (tui_handler).
 *
 * Config `[keys]` lines override: `quit = q F10` replaces all keys of `quit`; a key taken from
 * another action is removed there; `none` unbinds. Errors name the line, the spec and what is
 * allowed. Key spec words: a single character (`q`, `/`, `?`), `C-x` (Ctrl), `F1`..`F12` or
 * `KEY_F(1)`, `Tab`, `S-Tab`, `Enter`, `Esc`, `Space`, `Backspace`, `Delete`, `Insert`, `Up`,
 * `Down`, `Left`, `Right`, `Home`, `End`, `PgUp`, `PgDn` (case-insensitive; curses names like
 * `KEY_NPAGE` also work). */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H
#include <stddef.h>

enum {
    TUI_KEY_TAB = 9,
    TUI_KEY_ENTER = 10,
    TUI_KEY_ESC = 27,
    TUI_KEY_BASE = 0x110000, /* above every code point */
    TUI_KEY_UP = TUI_KEY_BASE,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_INSERT,
    TUI_KEY_DELETE,
    TUI_KEY_BACKSPACE,
    TUI_KEY_BTAB,
    TUI_KEY_RESIZE,
    TUI_KEY_F0 = TUI_KEY_BASE + 0x100
};
#define TUI_KEY_F(n) (TUI_KEY_F0 + (n))
#define TUI_KEY_CTRL(c) ((c)&0x1f)

/* Results of key handlers (screens, widgets, overlays): a bitmask. Handlers never draw. */
#define TUI_HANDLED 1u /* consumed; do not look the key up elsewhere */
#define TUI_REDRAW 2u  /* something visible changed */
#define TUI_QUIT 4u    /* leave the application */
#define TUI_SUBMIT 8u  /* a widget's "done": form submitted, command entered */

struct tui_app;
struct tui_key;

/* What an action does when its key is pressed: returns TUI_* flags. state is the screen's
 * state (the pointer given to tui_app_add_screen) for a screen's action. */
typedef unsigned tui_action_fn(void *state, struct tui_app *app, const struct tui_key *k);

/* A key as handlers see it: the raw key and the action it is bound to here (or NULL). */
struct tui_key {
    int key;
    const char *action;
};

/* flags of an action */
#define TUI_ACT_WRITES 1u /* changes data: needs a confirmation and may be refused by role */

struct tui_action {
    const char *name;    /* "quit", "exceptions.ack" */
    const char *keys;    /* default key specs, space-separated ("q C-c"); "" for none */
    const char *help;    /* one line for the help overlay */
    const char *context; /* NULL: everywhere; else only on the screen of that name */
    unsigned flags;      /* TUI_ACT_* */
    /* What the key does, for a screen's action: the app runs it with the screen's state when
     * the screen's key() let the key through (returned 0). NULL for the built-ins (handlers). */
    tui_action_fn *run;
};

/* The meaning a table gives to an action declared elsewhere (a built-in: "quit", "enter",
 * "back"), found by the action's name. */
struct tui_handler {
    const char *action;
    tui_action_fn *run;
};
/* The handler of k's action in h[0..n), or NULL (none, or k is bound to nothing). */
tui_action_fn *tui_handler_find(const struct tui_handler *h, size_t n, const struct tui_key *k);

#define TUI_KEYS_PER_ACTION 4

struct tui_binding {
    const struct tui_action *act; /* borrowed: tables are static */
    int keys[TUI_KEYS_PER_ACTION];
    int nkeys;
};

struct tui_keymap {
    struct tui_binding *b; /* owned array */
    int n, cap;
};

/* The built-in actions with their default keys. */
void tui_keymap_init(struct tui_keymap *km);
void tui_keymap_release(struct tui_keymap *km);
/* Add a screen's actions (table borrowed; must outlive km). A bad default spec is a bug. */
void tui_keymap_add(struct tui_keymap *km, const struct tui_action *acts, size_t n);
/* Apply `[keys]` overrides, all or nothing; -1 with od_seterr naming the bad line. */
int tui_keymap_override(struct tui_keymap *km, int n, char *const *actions, char *const *specs);
/* The action bound to key in context (a screen name or NULL), context bindings first; NULL
 * when unbound. Borrowed from the action table. */
const struct tui_action *tui_keymap_action(const struct tui_keymap *km, int key,
                                           const char *context);
/* Its name (tui_keymap_action(...)->name), or NULL. */
const char *tui_keymap_lookup(const struct tui_keymap *km, int key, const char *context);
/* The binding of an action, or NULL. */
const struct tui_binding *tui_keymap_find(const struct tui_keymap *km, const char *action);
/* Keys of an action for display ("q, C-c"); "" when unbound. */
void tui_keymap_keys(const struct tui_keymap *km, const char *action, char *buf, size_t n);

/* One key spec word -> key; -1 with od_seterr. */
int tui_key_parse(const char *spec, int *key);
/* A key as a spec word (round-trips through tui_key_parse). */
void tui_key_name(int key, char *buf, size_t n);

#endif
