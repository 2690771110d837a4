/* theme — semantic roles and the styles they are drawn with.
 *
 * Widgets never name colours: they draw with a role (TUI_ROLE_SELECTED, TUI_ROLE_FAIL ...).
 * The role list below is the one authoritative table: enum, names used in theme files, the
 * compiled-in default style (the `default` theme: no background colour anywhere, readable on
 * light and dark terminals) and the attributes-only style used when colours are unavailable
 * or NO_COLOR is set (ncdu's "off" column), so mono keeps the visual hierarchy.
 *
 * Theme files (themes/NAME.theme, INI): an optional [palette] of `name = colour`, then
 * `role = style` lines in [styles] (or before any section). Partial files are valid: unset
 * roles keep the compiled defaults. Aliases: error=fail, pass=ok, disabled=dim.
 * Lookup of a NAME: $XDG_CONFIG_HOME/opsdeck/themes/NAME.theme, then the copy embedded in the
 * binary (themes/NAME.theme). Where the operator chooses (--theme, $OPSDECK_THEME, ui.theme:
 * tui_theme_load) a value containing '/' or ending in ".theme" is a file path; where a console
 * user chooses (`:theme`: tui_theme_load_name) only a NAME is taken, never a path.
 * Errors name the file, the line and the key, never a value (a file given by mistake, a config
 * with secrets, must not be shown).
 * Choice: --theme > $OPSDECK_THEME > config ui.theme > "default" (tui_theme_choose). */
#ifndef TUI_THEME_H
#define TUI_THEME_H
#include "tui/colour.h"

/* X(ENUM, "name", "default style", "mono attributes") */
#define TUI_ROLES(X)                                                                               \
    X(NORMAL, "normal", "", "")                                                                    \
    X(HEADER, "header", "bold", "bold")                                                            \
    X(HEADER_SORTED, "header_sorted", "bold,underline", "bold,underline")                          \
    X(TITLE, "title", "bold", "bold")                                                              \
    X(TAB, "tab", "", "")                                                                          \
    X(TAB_ACTIVE, "tab_active", "bold,reverse", "bold,reverse")                                    \
    X(STATUS, "status", "", "")                                                                    \
    X(SELECTED, "selected", "reverse", "reverse")                                                  \
    X(SELECTED_INACTIVE, "selected_inactive", "underline", "underline")                            \
    X(DIM, "dim", "dim", "dim")                                                                    \
    X(OK, "ok", "fg=green", "")                                                                    \
    X(WARN, "warn", "fg=magenta,bold", "bold")                                                     \
    X(FAIL, "fail", "fg=red,bold", "bold,underline")                                               \
    X(INFO, "info", "fg=blue", "")                                                                 \
    X(ACCENT, "accent", "fg=cyan", "bold")                                                         \
    X(BORDER, "border", "", "")                                                                    \
    X(BAR_FILL, "bar_fill", "fg=green", "")                                                        \
    X(BAR_EMPTY, "bar_empty", "dim", "dim")                                                        \
    X(SPARK, "spark", "fg=cyan", "")                                                               \
    X(TOAST_INFO, "toast_info", "bold", "bold")                                                    \
    X(TOAST_WARN, "toast_warn", "fg=magenta,bold", "bold")                                         \
    X(TOAST_ERROR, "toast_error", "fg=red,bold,reverse", "bold,reverse")                           \
    X(INPUT, "input", "underline", "underline")                                                    \
    X(INPUT_FOCUS, "input_focus", "bold,underline", "bold,underline")                              \
    X(KEY_HINT, "key_hint", "bold", "bold")                                                        \
    X(FILTER_MATCH, "filter_match", "fg=cyan,bold,underline", "bold,underline")                    \
    X(DIALOG, "dialog", "", "")                                                                    \
    X(NEGATIVE, "negative", "fg=red", "")

enum tui_role {
#define TUI_ROLE_ENUM(e, name, def, mono) TUI_ROLE_##e,
    TUI_ROLES(TUI_ROLE_ENUM)
#undef TUI_ROLE_ENUM
        TUI_ROLE_COUNT
};

struct tui_theme {
    char name[64];
    struct tui_style role[TUI_ROLE_COUNT];
};

/* Compiled-in defaults (the `default` theme). */
void tui_theme_defaults(struct tui_theme *t);
/* Apply theme text on top of t. origin names the file in messages. On error returns -1 with
 * od_seterr("ORIGIN:LINE: [styles] KEY: why") naming the key (sanitized), never the value; t
 * is then unspecified. */
int tui_theme_parse(struct tui_theme *t, const char *text, const char *origin);
/* Defaults + the named theme or file (see above). -1 with od_seterr; t keeps the defaults. */
int tui_theme_load(struct tui_theme *t, const char *name_or_path);
/* Defaults + the theme NAME (letters, digits, '-', '_'); a path or a file name is refused. */
int tui_theme_load_name(struct tui_theme *t, const char *name);
/* --theme > $OPSDECK_THEME > config > "default" (empty strings count as unset). */
const char *tui_theme_choose(const char *cli, const char *cfg_theme);
/* Names of the themes shipped in the binary, NULL-terminated (for completion and help). */
const char *const *tui_theme_builtin_names(void);

/* The style a role is drawn with at a depth: colours degraded; at MONO the role's
 * attributes-only style is merged in. */
struct tui_style tui_theme_style(const struct tui_theme *t, int role, enum tui_depth d);
const char *tui_role_name(int role);
int tui_role_find(const char *name); /* -1 if unknown; accepts the aliases */
/* The whole effective theme as a theme file (a starting point for users). */
struct strbuf;
void tui_theme_dump(const struct tui_theme *t, struct strbuf *sb);

#endif
