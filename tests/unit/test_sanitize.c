/* test_sanitize — hostile strings never reach the terminal; widths and fitting by columns;
 * CSV fields per RFC 4180. */
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void expect_clean(const char *in, const char *want)
{
    char *got = od_sanitize(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_plain_text_unchanged(void **state)
{
    expect_clean("Acme Corp — Q3 retainer", "Acme Corp — Q3 retainer");
    expect_clean("", "");
    char *n = od_sanitize(NULL);
    assert_string_equal(n, "");
    free(n);
}

static void test_escape_sequences_removed(void **state)
{
    expect_clean("a\x1b[2Jb", "ab");                  /* clear screen */
    expect_clean("a\x1b[31;1mred\x1b[0m", "ared");    /* SGR */
    expect_clean("x\x1b]0;pwned title\x07y", "xy");   /* OSC title, BEL */
    expect_clean("x\x1b]52;c;ZWNobw==\x1b\\y", "xy"); /* OSC 52 clipboard, ST */
    expect_clean("x\x1bPq#0;2;0;0;0\x1b\\y", "xy");   /* DCS sixel */
    expect_clean("x\x1b_apc body\x1b\\y", "xy");      /* APC */
    expect_clean("x\x1b(0y", "xy");                   /* charset designation */
    expect_clean("x\x1b"
                 "7y",
                 "xy");                      /* DECSC */
    expect_clean("tail\x1b", "tail");        /* lone ESC at end */
    expect_clean("x\x1b]0;never ends", "x"); /* unterminated OSC */
    expect_clean("x\x1b]0;a\x1b[2Jb", "xb"); /* ESC aborts OSC, CSI dropped */
}

static void test_c1_controls_removed(void **state)
{
    expect_clean("a\xc2\x9b"
                 "31mb",
                 "ab"); /* C1 CSI as UTF-8 */
    expect_clean("a\xc2\x9d"
                 "0;t\xc2\x9c"
                 "b",
                 "ab"); /* C1 OSC ... C1 ST */
    expect_clean("a\xc2\x85"
                 "b",
                 "ab"); /* NEL */
    expect_clean("a\x9b"
                 "31mb",
                 "a\xef\xbf\xbd"
                 "31mb"); /* raw 8-bit CSI is invalid UTF-8 */
}

static void test_controls_and_whitespace(void **state)
{
    expect_clean("a\tb", "a b");
    expect_clean("line1\r\nline2", "line1 line2");
    expect_clean("a\n\n\t b", "a  b"); /* the run becomes one space; the real space stays */
    expect_clean("over\rwrite", "over write");
    expect_clean("bell\x07 del\x7f nul\x01", "bell del nul");
    expect_clean("back\bspace", "backspace");
    expect_clean("a\xe2\x80\xa8"
                 "b",
                 "a b"); /* U+2028 */
}

static void test_bidi_and_invisible_removed(void **state)
{
    expect_clean("user\xe2\x80\xae"
                 "exe.txt",
                 "userexe.txt"); /* RLO */
    expect_clean("a\xe2\x81\xa6"
                 "b\xe2\x81\xa9",
                 "ab"); /* LRI ... PDI */
    expect_clean("a\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"
                 "b",
                 "ab"); /* LRM RLM ALM */
    expect_clean("a\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"
                 "b",
                 "ab");
    expect_clean("zero\xe2\x80\x8bwidth\xef\xbb\xbf", "zerowidth");
    expect_clean("tag\xf3\xa0\x80\x81", "tag");
}

/* Zero-width joiners and other invisible format characters: removed by the sanitizer, 0
 * columns in every width function (so a row holding one stays aligned), never drawn by the
 * TUI (which asks od_char_dropped). Combining marks stay, with width 0. */
static void test_zero_width_format_chars(void **state)
{
    static const struct {
        const char *utf8;
        uint32_t cp;
    } zw[] = {
        {"\xe2\x80\x8b", 0x200B},      /* ZWSP */
        {"\xe2\x80\x8c", 0x200C},      /* ZWNJ */
        {"\xe2\x80\x8d", 0x200D},      /* ZWJ */
        {"\xe2\x80\x8e", 0x200E},      /* LRM */
        {"\xe2\x80\x8f", 0x200F},      /* RLM */
        {"\xe2\x81\xa0", 0x2060},      /* word joiner */
        {"\xe2\x81\xa1", 0x2061},      /* function application */
        {"\xe2\x81\xa4", 0x2064},      /* invisible plus */
        {"\xef\xbb\xbf", 0xFEFF},      /* BOM */
        {"\xef\xb8\x8f", 0xFE0F},      /* VS16 (emoji presentation) */
        {"\xef\xb8\x8e", 0xFE0E},      /* VS15 */
        {"\xf3\xa0\x84\x80", 0xE0100}, /* VS17 */
        {"\xcd\x8f", 0x034F},          /* combining grapheme joiner */
        {"\xe1\xa0\x8e", 0x180E},      /* Mongolian vowel separator */
    };
    const char *locales[] = {"C", "C.UTF-8"};
    for (size_t l = 0; l < 2; l++) {
        if (!setlocale(LC_CTYPE, locales[l])) continue;
        for (size_t i = 0; i < sizeof zw / sizeof zw[0]; i++) {
            char in[32], out[32];
            snprintf(in, sizeof in, "a%sb", zw[i].utf8);
            char *clean = od_sanitize(in);
            if (strcmp(clean, "ab") != 0) fail_msg("U+%04X survived: '%s'", zw[i].cp, clean);
            free(clean);
            assert_true(od_char_dropped(zw[i].cp));
            assert_int_equal(od_char_width(zw[i].cp), 0);
            assert_int_equal(od_display_width(in), 2);
            assert_int_equal(od_fit(in, 10, out, sizeof out), 2);
            assert_string_equal(out, "ab");
            struct strbuf sb = STRBUF_INIT;
            od_pad_right(&sb, in, 4);
            sb_add(&sb, "|");
            assert_string_equal(sb_str(&sb), "ab  |");
            sb_release(&sb);
        }
        /* an emoji ZWJ sequence becomes its parts, measured as the parts */
        char *fam = od_sanitize("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb");
        assert_string_equal(fam, "\xf0\x9f\x91\xa9\xf0\x9f\x92\xbb");
        assert_int_equal(od_display_width(fam), 4);
        free(fam);
        /* combining marks are kept and take no column */
        char *e = od_sanitize("e\xcc\x81");
        assert_string_equal(e, "e\xcc\x81");
        assert_int_equal(od_display_width(e), 1);
        assert_false(od_char_dropped(0x0301));
        assert_int_equal(od_char_width(0x0301), 0);
        free(e);
        assert_false(od_char_dropped(' '));
        assert_true(od_char_dropped('\t'));
    }
    setlocale(LC_CTYPE, "C");
}

/* CLI tables pad by columns, not bytes: wide, combining and accented text line up. */
static void test_pad_by_display_width(void **state)
{
    const char *cells[] = {"abc", "日本", "é", "e\xcc\x81", "a\xe2\x80\x8d", "\xf0\x9f\x98\x80x"};
    const char *locales[] = {"C", "C.UTF-8"};
    for (size_t l = 0; l < 2; l++) {
        if (!setlocale(LC_CTYPE, locales[l])) continue;
        for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
            struct strbuf sb = STRBUF_INIT;
            od_pad_cell(&sb, cells[i], 6, false);
            sb_add(&sb, "|");
            od_pad_cell(&sb, cells[i], 6, true);
            sb_add(&sb, "|");
            /* the '|' after each cell is at column 6 and 13 whatever the bytes */
            char *bar1 = strchr(sb_str(&sb), '|');
            *bar1 = '\0';
            if (od_display_width(sb_str(&sb)) != 6)
                fail_msg("'%s' padded to %d columns", cells[i], od_display_width(sb_str(&sb)));
            assert_int_equal(od_display_width(bar1 + 1), 7);
            sb_release(&sb);
        }
        /* hostile text is sanitized before it is measured */
        struct strbuf sb = STRBUF_INIT;
        od_pad_cell(&sb, "a\x1b[31mb\xe2\x80\xae", 4, false);
        assert_string_equal(sb_str(&sb), "ab  ");
        sb_reset(&sb);
        od_pad_cell(&sb, "日本語テキスト", 6, false);
        assert_string_equal(sb_str(&sb), "日本… ");
        sb_reset(&sb);
        od_pad_cell(&sb, NULL, 3, true);
        assert_string_equal(sb_str(&sb), "   ");
        sb_release(&sb);
    }
    setlocale(LC_CTYPE, "C");
}

static void test_invalid_utf8_replaced(void **state)
{
    const char *fffd = "\xef\xbf\xbd";
    char want[32];
    snprintf(want, sizeof want, "a%sb", fffd);
    expect_clean("a\xc0\xaf"
                 "b",
                 "a\xef\xbf\xbd\xef\xbf\xbd"
                 "b"); /* overlong '/' */
    expect_clean("a\xe0\x80\xaf"
                 "b",
                 "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "b");
    expect_clean("a\xed\xa0\x80"
                 "b",
                 "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "b"); /* surrogate */
    expect_clean("a\xf4\x90\x80\x80"
                 "b",
                 "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "b"); /* > U+10FFFF */
    expect_clean("a\xff"
                 "b",
                 want);
    expect_clean("a\x80"
                 "b",
                 want);                                     /* stray continuation */
    expect_clean("a\xe2\x82", "a\xef\xbf\xbd\xef\xbf\xbd"); /* truncated at end */
    expect_clean("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");   /* valid 4-byte kept */
}

static void test_nul_in_middle_dropped(void **state)
{
    char *s = od_sanitize_n("ab\0cd", 5);
    assert_string_equal(s, "abcd");
    free(s);
}

static void test_combining_marks_capped(void **state)
{
    struct strbuf in = STRBUF_INIT;
    sb_add(&in, "e");
    for (int i = 0; i < 1000; i++)
        sb_add(&in, "\xcc\x81"); /* U+0301 */
    char *s = od_sanitize(sb_str(&in));
    assert_int_equal(strlen(s), 1 + 4 * 2);
    free(s);
    sb_release(&in);
}

static void test_widths_fallback_c_locale(void **state)
{
    setlocale(LC_CTYPE, "C");
    assert_int_equal(od_display_width("abc"), 3);
    assert_int_equal(od_display_width("日本"), 4);
    assert_int_equal(od_display_width("\xf0\x9f\x98\x80"), 2); /* emoji */
    assert_int_equal(od_display_width("e\xcc\x81"), 1);        /* combining */
    assert_int_equal(od_display_width("é"), 1);
    assert_int_equal(od_display_width("a\x1b"), 1);
}

static void test_widths_utf8_locale(void **state)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8")) skip();
    assert_int_equal(od_display_width("日本語"), 6);
    assert_int_equal(od_display_width("e\xcc\x81"), 1);
    assert_int_equal(od_display_width("\xf0\x9f\x98\x80"), 2);
    setlocale(LC_CTYPE, "C");
}

static void test_fit_truncates_by_columns(void **state)
{
    char out[64];
    assert_int_equal(od_fit("hello world", 8, out, sizeof out), 8);
    assert_string_equal(out, "hello w…");
    assert_int_equal(od_fit("short", 8, out, sizeof out), 5);
    assert_string_equal(out, "short");
    assert_int_equal(od_fit("exactly8", 8, out, sizeof out), 8);
    assert_string_equal(out, "exactly8");
    /* a wide character never straddles the edge */
    assert_int_equal(od_fit("日本語テキスト", 6, out, sizeof out), 5);
    assert_string_equal(out, "日本…");
    assert_int_equal(od_fit("abc", 0, out, sizeof out), 0);
    assert_string_equal(out, "");
    /* byte limit: cut at a character boundary */
    char tiny[6];
    od_fit("日本語", 10, tiny, sizeof tiny);
    assert_string_equal(tiny, "…");
    /* controls are dropped even if the caller forgot to sanitize */
    od_fit("a\x1b"
           "b",
           5, out, sizeof out);
    assert_string_equal(out, "ab");
}

static void test_pad(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    od_pad_right(&sb, "ab", 5);
    sb_add(&sb, "|");
    od_pad_left(&sb, "42", 5);
    sb_add(&sb, "|");
    od_pad_right(&sb, "日本語", 5);
    sb_add(&sb, "|");
    od_pad_right(&sb, "日本語", 4); /* 日 + … = 3 columns, one space pads */
    sb_add(&sb, "|");
    assert_string_equal(sb_str(&sb), "ab   |   42|日本…|日… |");
    sb_release(&sb);
}

static void test_csv_field(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    od_csv_field(&sb, "plain", 0);
    sb_addch(&sb, ',');
    od_csv_field(&sb, "a,b", 0);
    sb_addch(&sb, ',');
    od_csv_field(&sb, "say \"hi\"", 0);
    sb_addch(&sb, ',');
    od_csv_field(&sb, "two\nlines", 0);
    sb_addch(&sb, ',');
    od_csv_field(&sb, NULL, 0);
    sb_addch(&sb, ',');
    od_csv_field(&sb, " padded", 0);
    assert_string_equal(sb_str(&sb),
                        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\" padded\"");
    sb_release(&sb);
}

static char *csv1(const char *s, unsigned opts)
{
    static char out[256];
    struct strbuf sb = STRBUF_INIT;
    od_csv_field(&sb, s, opts);
    snprintf(out, sizeof out, "%s", sb_str(&sb));
    sb_release(&sb);
    return out;
}

/* OWASP CSV injection: text cells beginning with = + - @ TAB CR get a leading '; numbers in
 * number columns never do; raw (no guard) keeps the bytes. */
static void test_csv_formula_guard(void **state)
{
    assert_string_equal(csv1("=HYPERLINK(\"http://x\")", OD_CSV_GUARD),
                        "\"'=HYPERLINK(\"\"http://x\"\")\"");
    assert_string_equal(csv1("+1", OD_CSV_GUARD), "'+1");
    assert_string_equal(csv1("-2+3", OD_CSV_GUARD), "'-2+3");
    assert_string_equal(csv1("@SUM(A1)", OD_CSV_GUARD), "'@SUM(A1)");
    assert_string_equal(csv1("\tx", OD_CSV_GUARD), "'\tx");
    assert_string_equal(csv1("\rx", OD_CSV_GUARD), "\"'\rx\"");
    assert_string_equal(csv1("-5", OD_CSV_GUARD), "'-5"); /* a text cell: always */
    assert_string_equal(csv1("Acme = fine", OD_CSV_GUARD), "Acme = fine");
    assert_string_equal(csv1("-12.50", OD_CSV_GUARD | OD_CSV_NUMERIC), "-12.50");
    assert_string_equal(csv1("+3", OD_CSV_GUARD | OD_CSV_NUMERIC), "+3");
    assert_string_equal(csv1("-1.", OD_CSV_GUARD | OD_CSV_NUMERIC), "'-1.");
    assert_string_equal(csv1("=1+2", OD_CSV_GUARD | OD_CSV_NUMERIC), "'=1+2");
    assert_string_equal(csv1("-cmd|' /C calc'!A0", OD_CSV_GUARD | OD_CSV_NUMERIC),
                        "'-cmd|' /C calc'!A0");
    assert_string_equal(csv1("=raw", 0), "=raw");
}

/* For a terminal: controls visible as escapes, everything else as is; files keep bytes. */
static void test_tty_escape(void **state)
{
    const char hostile[] = "\x1b[2J\x1b]0;pwned\x07"
                           "Evil \xc2\x9b"
                           "31m \xe2\x80\xae"
                           "txt \x7f\xff é 東京";
    assert_string_equal(csv1(hostile, OD_CSV_TTY),
                        "\\x1b[2J\\x1b]0;pwned\\x07Evil \\u009b31m \\u202etxt \\x7f\\xff é 東京");
    assert_string_equal(csv1(hostile, 0), hostile);
    assert_string_equal(csv1("a\tb\nc", OD_CSV_TTY), "a\\x09b\\x0ac");
    assert_string_equal(csv1("=\x1b", OD_CSV_TTY | OD_CSV_GUARD), "'=\\x1b");
    struct strbuf sb = STRBUF_INIT;
    od_tty_escape(&sb, "\"a\x1b\xc2\x85\"", 6, true);
    assert_string_equal(sb_str(&sb), "\"a\\u001b\\u0085\"");
    sb_reset(&sb);
    od_tty_escape(&sb, "x\0y", 3, false);
    assert_string_equal(sb_str(&sb), "x\\x00y");
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_escape_sequences_removed),
        cmocka_unit_test(test_c1_controls_removed),
        cmocka_unit_test(test_controls_and_whitespace),
        cmocka_unit_test(test_bidi_and_invisible_removed),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_nul_in_middle_dropped),
        cmocka_unit_test(test_combining_marks_capped),
        cmocka_unit_test(test_widths_fallback_c_locale),
        cmocka_unit_test(test_widths_utf8_locale),
        cmocka_unit_test(test_fit_truncates_by_columns),
        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_zero_width_format_chars),
        cmocka_unit_test(test_pad_by_display_width),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_csv_formula_guard),
        cmocka_unit_test(test_tty_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
