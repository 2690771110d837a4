/* Unit tests: themes and key bindings as a user writes them — built-in themes load, partial
 * files keep defaults, bad files name file/line/key (never a value), `:theme` takes names
 * only, colours degrade with the terminal, NO_COLOR gives attributes only, [keys] overrides
 * apply and bad ones are explained. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "tui/keymap.h"
#include "tui/theme.h"

static void test_builtin_themes_load(void **state)
{
    struct tui_theme t;
    for (const char *const *n = tui_theme_builtin_names(); *n; n++) {
        if (tui_theme_load(&t, *n) < 0) fail_msg("theme %s: %s", *n, od_err());
        assert_string_equal(t.name, *n);
    }
    /* default paints no background anywhere */
    tui_theme_load(&t, "default");
    for (int r = 0; r < TUI_ROLE_COUNT; r++)
        assert_int_equal(t.role[r].bg.kind, TUI_COLOUR_DEFAULT);
    /* mono has no colour at all */
    tui_theme_load(&t, "mono");
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        assert_int_equal(t.role[r].fg.kind, TUI_COLOUR_DEFAULT);
        assert_int_equal(t.role[r].bg.kind, TUI_COLOUR_DEFAULT);
    }
    assert_int_equal(tui_theme_load(&t, "nope"), -1);
    assert_non_null(strstr(od_err(), "unknown theme 'nope'"));
}

static void test_partial_and_palette(void **state)
{
    struct tui_theme t, def;
    tui_theme_defaults(&def);
    tui_theme_defaults(&t);
    assert_int_equal(tui_theme_parse(&t,
                                     "[palette]\nfrost = #88C0D0\n"
                                     "[styles]\nheader = fg=frost,bg=default,bold,underline\n"
                                     "error = fg=196\n",
                                     "x.theme"),
                     0);
    assert_int_equal(t.role[TUI_ROLE_HEADER].fg.kind, TUI_COLOUR_RGB);
    assert_int_equal(t.role[TUI_ROLE_HEADER].fg.v, 0x88c0d0);
    assert_int_equal(t.role[TUI_ROLE_HEADER].attrs, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE);
    assert_int_equal(t.role[TUI_ROLE_FAIL].fg.v, 196); /* alias error = fail */
    assert_memory_equal(&t.role[TUI_ROLE_SELECTED], &def.role[TUI_ROLE_SELECTED],
                        sizeof def.role[0]); /* untouched roles keep the defaults */
}

static void expect_error(const char *text, const char *want)
{
    struct tui_theme t;
    tui_theme_defaults(&t);
    assert_int_equal(tui_theme_parse(&t, text, "themes/bad.theme"), -1);
    if (!strstr(od_err(), want)) fail_msg("error \"%s\" lacks \"%s\"", od_err(), want);
}

static void test_theme_errors(void **state)
{
    expect_error("[styles]\nheader = bold\nselected = fg=purpel\n",
                 "themes/bad.theme:3: [styles] selected: unknown colour (use default");
    expect_error("\n\nheadr = bold\n", "themes/bad.theme:3: headr: unknown role");
    expect_error("[styles]\nok = fg=#12345\n", ":2: [styles] ok: colour: write #rrggbb");
    expect_error("[styles]\nok = fg=300\n", "an index must be 0-255");
    expect_error("[styles]\nok = blink\n", "unknown style word (use");
    expect_error("[colours]\nok = red\n", ":2: unknown section");
    expect_error("[styles]\nthis is not ini\n", "themes/bad.theme:2: not an INI line");
    struct tui_theme t;
    assert_int_equal(tui_theme_load(&t, "/nonexistent/x.theme"), -1);
    assert_non_null(strstr(od_err(), "theme file /nonexistent/x.theme: cannot be read"));
}

/* Issue #12: an error never shows a value from the file (a config with secrets given by
 * mistake), and a key name is shown sanitized. */
static void test_theme_errors_hide_values(void **state)
{
    static const char *const files[] = {
        "[database]\nurl = postgresql://u:SECRETPW@db/x\n",
        "[styles]\nselected = fg=SECRETPW\n",
        "[styles]\nselected = SECRETPW\n",
        "[palette]\nx = SECRETPW\n",
        "[styles]\nok = fg=#SECRET\n",
        "[theme]\nSECRETKEYNAME = SECRETPW\n",
        "SECRETPW\n",
        "token = SECRETPW\n",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct tui_theme t;
        tui_theme_defaults(&t);
        assert_int_equal(tui_theme_parse(&t, files[i], "x.ini"), -1);
        if (strstr(od_err(), "SECRETPW") || strstr(od_err(), "#SECRET"))
            fail_msg("error shows a value: %s", od_err());
        assert_non_null(strstr(od_err(), "x.ini:"));
    }
    struct tui_theme t;
    tui_theme_defaults(&t);
    assert_int_equal(tui_theme_parse(&t, "\x1b]0;pwned\x07key = bold\n", "x.theme"), -1);
    if (strchr(od_err(), '\x1b') || strchr(od_err(), '\x07')) fail_msg("raw key: %s", od_err());
    assert_non_null(strstr(od_err(), "pwned"));
}

/* `:theme` takes a NAME only: paths and file names are refused before anything is read. */
static void test_theme_load_name(void **state)
{
    struct tui_theme t;
    assert_int_equal(tui_theme_load_name(&t, "dark"), 0);
    assert_string_equal(t.name, "dark");
    static const char *const bad[] = {
        "/etc/passwd", "../opsdeck.ini", "x/y", "dark.theme", "..", ".hidden", "-x", "a b", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tui_theme_load_name(&t, bad[i]), -1);
        assert_non_null(strstr(od_err(), "give a theme NAME, not a file"));
    }
    assert_int_equal(tui_theme_load_name(&t, "nope"), -1);
    assert_non_null(strstr(od_err(), "unknown theme 'nope'"));
}

static void test_degradation(void **state)
{
    struct tui_colour rgb = {TUI_COLOUR_RGB, 0xff0000}, c;
    c = tui_colour_degrade(rgb, TUI_DEPTH_TRUE);
    assert_int_equal(c.kind, TUI_COLOUR_RGB);
    c = tui_colour_degrade(rgb, TUI_DEPTH_256);
    assert_int_equal(c.v, 196); /* cube red */
    c = tui_colour_degrade(rgb, TUI_DEPTH_16);
    assert_int_equal(c.v, 9); /* bright red */
    c = tui_colour_degrade(rgb, TUI_DEPTH_8);
    assert_int_equal(c.v, 1);
    c = tui_colour_degrade((struct tui_colour){TUI_COLOUR_RGB, 0x808080}, TUI_DEPTH_256);
    assert_int_equal(c.v, 244); /* grey ramp, not the cube */
    c = tui_colour_degrade(rgb, TUI_DEPTH_MONO);
    assert_int_equal(c.kind, TUI_COLOUR_DEFAULT);
    struct tui_caps caps = {NULL, "truecolor", "xterm-256color", NULL, 256, true, false};
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_TRUE);
    caps.can_change = false;
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_256);
    caps.term = "screen-256color";
    caps.can_change = true;
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_256); /* screen misparses 24-bit */
    caps.colors = 8;
    caps.colorterm = NULL;
    caps.term = "linux";
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_8);
    caps.force = "16";
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_16);
    caps.term = "dumb";
    caps.force = NULL;
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_MONO);
}

static void test_no_color(void **state)
{
    struct tui_caps caps = {"1", "truecolor", "xterm-direct", "256", 1 << 24, true, true};
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_MONO); /* beats everything */
    caps.no_color = "";                                        /* empty: not set */
    assert_int_equal(tui_depth_detect(&caps), TUI_DEPTH_256);
    struct tui_theme t;
    tui_theme_load(&t, "dark");
    struct tui_style st = tui_theme_style(&t, TUI_ROLE_FAIL, TUI_DEPTH_MONO);
    assert_int_equal(st.fg.kind, TUI_COLOUR_DEFAULT);
    assert_int_equal(st.bg.kind, TUI_COLOUR_DEFAULT);
    assert_true(st.attrs & TUI_ATTR_BOLD); /* failures still stand out */
    assert_true(tui_theme_style(&t, TUI_ROLE_SELECTED, TUI_DEPTH_MONO).attrs & TUI_ATTR_REVERSE);
}

static void test_theme_choose_and_dump(void **state)
{
    unsetenv("OPSDECK_THEME");
    assert_string_equal(tui_theme_choose(NULL, NULL), "default");
    assert_string_equal(tui_theme_choose(NULL, "light"), "light");
    setenv("OPSDECK_THEME", "dark", 1);
    assert_string_equal(tui_theme_choose(NULL, "light"), "dark");
    assert_string_equal(tui_theme_choose("mono", "light"), "mono");
    unsetenv("OPSDECK_THEME");
    struct tui_theme t, back;
    struct strbuf sb = STRBUF_INIT;
    tui_theme_load(&t, "light");
    tui_theme_dump(&t, &sb);
    tui_theme_defaults(&back); /* the dump is a theme file that reproduces the theme */
    assert_int_equal(tui_theme_parse(&back, sb_str(&sb), "dump"), 0);
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        assert_int_equal(back.role[r].fg.kind, t.role[r].fg.kind);
        assert_int_equal(back.role[r].fg.v, t.role[r].fg.v);
        assert_int_equal(back.role[r].bg.v, t.role[r].bg.v);
        assert_int_equal(back.role[r].attrs, t.role[r].attrs);
    }
    sb_release(&sb);
}

static void test_keymap_defaults_and_names(void **state)
{
    struct tui_keymap km;
    tui_keymap_init(&km);
    assert_string_equal(tui_keymap_lookup(&km, 'q', NULL), "quit");
    assert_string_equal(tui_keymap_lookup(&km, TUI_KEY_CTRL('c'), NULL), "quit");
    assert_string_equal(tui_keymap_lookup(&km, TUI_KEY_F(1), NULL), "help");
    assert_string_equal(tui_keymap_lookup(&km, TUI_KEY_BTAB, NULL), "prev_screen");
    assert_string_equal(tui_keymap_lookup(&km, 'S', NULL), "sort_reverse");
    assert_null(tui_keymap_lookup(&km, 'z', NULL));
    int k;
    const char *specs[] = {"KEY_F(12)", "F12", "C-x", "^X", "S-Tab", "PgDn", "KEY_NPAGE", "é"};
    const int want[] = {TUI_KEY_F(12), TUI_KEY_F(12), 24,           24,
                        TUI_KEY_BTAB,  TUI_KEY_PGDN,  TUI_KEY_PGDN, 0xe9};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(tui_key_parse(specs[i], &k), 0);
        assert_int_equal(k, want[i]);
    }
    char name[32];
    tui_key_name(TUI_KEY_PGDN, name, sizeof name);
    assert_string_equal(name, "PgDn");
    tui_key_name(3, name, sizeof name);
    assert_string_equal(name, "C-c");
    tui_keymap_keys(&km, "quit", name, sizeof name);
    assert_string_equal(name, "q, C-c");
    tui_keymap_release(&km);
}

static const struct tui_action screen_acts[] = {
    {"exceptions.ack", "a", "acknowledge", "exceptions", TUI_ACT_WRITES, NULL},
    {"sync.run", "r", "run now", "sync", TUI_ACT_WRITES, NULL},
};

static void test_keymap_overrides(void **state)
{
    struct tui_keymap km;
    tui_keymap_init(&km);
    tui_keymap_add(&km, screen_acts, 2);
    assert_string_equal(tui_keymap_lookup(&km, 'a', "exceptions"), "exceptions.ack");
    assert_null(tui_keymap_lookup(&km, 'a', "sync")); /* contexts stay apart */
    char *act[] = {"quit", "help", "sync.run"}, *spec[] = {"F10 C-q", "h", "x"};
    assert_int_equal(tui_keymap_override(&km, 3, act, spec), 0);
    assert_string_equal(tui_keymap_lookup(&km, TUI_KEY_F(10), NULL), "quit");
    assert_null(tui_keymap_lookup(&km, 'q', NULL)); /* replaced, not added */
    assert_string_equal(tui_keymap_lookup(&km, 'h', NULL), "help");
    const struct tui_binding *left = tui_keymap_find(&km, "left"); /* h was left's */
    assert_int_equal(left->nkeys, 1);
    assert_string_equal(tui_keymap_lookup(&km, 'x', "sync"), "sync.run");
    char *a2[] = {"pause"}, *s2[] = {"none"};
    assert_int_equal(tui_keymap_override(&km, 1, a2, s2), 0);
    assert_null(tui_keymap_lookup(&km, 'p', NULL));
    tui_keymap_release(&km);
}

static void test_keymap_errors(void **state)
{
    struct tui_keymap km;
    tui_keymap_init(&km);
    char *a1[] = {"quitt"}, *s1[] = {"q"};
    assert_int_equal(tui_keymap_override(&km, 1, a1, s1), -1);
    assert_non_null(strstr(od_err(), "[keys] quitt = q: unknown action 'quitt'"));
    char *a2[] = {"quit"}, *s2[] = {"Ctrl+Q"};
    assert_int_equal(tui_keymap_override(&km, 1, a2, s2), -1);
    assert_non_null(strstr(od_err(), "[keys] quit = Ctrl+Q: unknown key 'Ctrl+Q' (write"));
    char *a3[] = {"quit", "pause"}, *s3[] = {"x", "x"};
    assert_int_equal(tui_keymap_override(&km, 2, a3, s3), -1);
    assert_non_null(strstr(od_err(), "key 'x' is bound to both 'quit' and 'pause'"));
    assert_string_equal(tui_keymap_lookup(&km, 'q', NULL), "quit"); /* all or nothing */
    char *a4[] = {"quit"}, *s4[] = {"a b c d e"};
    assert_int_equal(tui_keymap_override(&km, 1, a4, s4), -1);
    assert_non_null(strstr(od_err(), "more than 4 keys"));
    tui_keymap_release(&km);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/nonexistent", 1); /* no user theme directory */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_themes_load),
        cmocka_unit_test(test_partial_and_palette),
        cmocka_unit_test(test_theme_errors),
        cmocka_unit_test(test_theme_errors_hide_values),
        cmocka_unit_test(test_theme_load_name),
        cmocka_unit_test(test_degradation),
        cmocka_unit_test(test_no_color),
        cmocka_unit_test(test_theme_choose_and_dump),
        cmocka_unit_test(test_keymap_defaults_and_names),
        cmocka_unit_test(test_keymap_overrides),
        cmocka_unit_test(test_keymap_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
