/* test_cli — option tables to roff and plain text (core/base/cli.c): what groff would misread
 * is escaped (a leading dot or quote, backslashes, non-ASCII), options use \- so they can be
 * copied from the page, `commands` are bold, and synopses bracket what is optional. */
#include "core/base/cli.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* What fn wrote, as a string the caller frees. */
#define CAPTURE(buf, call)                                                                         \
    do {                                                                                           \
        size_t len_ = 0;                                                                           \
        FILE *out = open_memstream(&(buf), &len_);                                                 \
        call;                                                                                      \
        fclose(out);                                                                               \
    } while (0)

static void expect_text(const char *in, const char *want)
{
    char *got = NULL;
    CAPTURE(got, od_roff_text(out, in));
    assert_string_equal(got, want);
    free(got);
}

static void test_text_escapes(void **state)
{
    expect_text("plain words", "plain words");
    expect_text(".TH not a request", "\\&.TH not a request");
    expect_text("'quote at the start", "\\&'quote at the start");
    expect_text("a\\b", "a\\eb");
    expect_text("read-only stays a hyphen", "read-only stays a hyphen");
    expect_text("line\n.next", "line\n\\&.next");
    expect_text("caf\xc3\xa9 \xe2\x80\x94 ok", "caf\\[u00E9] \\[u2014] ok");
    expect_text("bad \xff byte", "bad \\[uFFFD] byte");
    expect_text("cut \xe2\x80", "cut \\[uFFFD]\\[uFFFD]");
}

static void test_backticks_bold(void **state)
{
    expect_text("see `opsdeck help`", "see \\fBopsdeck help\\fR");
    expect_text("run `opsdeck config --keys` now", "run \\fBopsdeck config \\-\\-keys\\fR now");
    expect_text("a lone ` stays", "a lone ` stays");
}

static const struct od_cli_opt opts[] = {
    {.arg = "FILE", .kind = OD_CLI_FILE, .required = true, .help = "the dump"},
    {.name = "--by", .arg = "G", .kind = OD_CLI_ENUM, .values = "client|month", .help = "group"},
    {.name = "--yes", .required = true, .help = "really"},
    {.name = "--dir", .arg = "DIR", .kind = OD_CLI_DIR, .help = "where"},
    {0}};

static void test_synopsis(void **state)
{
    char *got = NULL;
    CAPTURE(got, od_roff_synopsis(out, opts));
    assert_string_equal(got, " \\fIFILE\\fR [\\fB\\-\\-by\\fR \\fBclient\\fR|\\:\\fBmonth\\fR]"
                             " \\fB\\-\\-yes\\fR [\\fB\\-\\-dir\\fR \\fIDIR\\fR]");
    free(got);
}

static void test_options_list(void **state)
{
    char *got = NULL;
    CAPTURE(got, od_roff_options(out, opts + 2));
    assert_string_equal(
        got, ".TP\n\\fB\\-\\-yes\\fR\nreally\n.TP\n\\fB\\-\\-dir\\fR \\fIDIR\\fR\nwhere\n");
    free(got);
    CAPTURE(got, od_roff_options(out, NULL));
    assert_string_equal(got, "");
    free(got);
}

static void test_head_date_from_source_date_epoch(void **state)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    char *got = NULL;
    CAPTURE(got, od_roff_head(out, "opsdeck-sim", 1, "opsdeck 1.2", "a simulator"));
    assert_string_equal(got, ".TH OPSDECK-SIM 1 1970-01-02 \"opsdeck 1.2\" \"User Commands\"\n.nh\n"
                             ".SH NAME\nopsdeck\\-sim \\- a simulator\n");
    free(got);
    unsetenv("SOURCE_DATE_EPOCH");
}

static void test_plain_help(void **state)
{
    char *got = NULL;
    CAPTURE(got, od_cli_print_options(out, opts, 16));
    /* the tag padded to the column, then the help; a longer tag gets one space */
    assert_string_equal(got, "  FILE"
                             "           "
                             "the dump\n"
                             "  --by client|month group\n"
                             "  --yes"
                             "          "
                             "really\n"
                             "  --dir DIR"
                             "      "
                             "where\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes),
        cmocka_unit_test(test_backticks_bold),
        cmocka_unit_test(test_synopsis),
        cmocka_unit_test(test_options_list),
        cmocka_unit_test(test_head_date_from_source_date_epoch),
        cmocka_unit_test(test_plain_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
