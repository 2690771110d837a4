/* fuzz_theme — theme files (tui_theme_parse: [palette], [styles], [theme], the tmux style
 * grammar) applied on top of the compiled-in defaults, as `--theme FILE` does. Invariants:
 * a rejected file gives a message starting "ORIGIN:LINE:"; an accepted theme gives a style
 * for every role at every colour depth (colours degraded to what the depth can show), and
 * its dump (--dump-theme) parses back to the same styles and the same dump.
 * FUZZ_SOURCES: tui/theme.c tui/colour.c core/base/embedded.c gen/embedded.c core/base/util.c
 * FUZZ_SOURCES: core/base/sanitize.c core/base/config.c core/base/config_env.c core/base/log_redact.c core/base/url.c
 * FUZZ_PKGS: inih */
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"
#include "tui/theme.h"

static int same_colour(struct tui_colour a, struct tui_colour b)
{
    return a.kind == b.kind && (a.kind == TUI_COLOUR_DEFAULT || a.v == b.v);
}

static void check_depths(const struct tui_theme *t)
{
    for (int r = 0; r < TUI_ROLE_COUNT; r++)
        for (int d = TUI_DEPTH_MONO; d <= TUI_DEPTH_TRUE; d++) {
            struct tui_style st = tui_theme_style(t, r, (enum tui_depth)d);
            struct tui_colour c[2] = {st.fg, st.bg};
            for (int k = 0; k < 2; k++) {
                if (d == TUI_DEPTH_MONO) FUZZ_CHECK(c[k].kind == TUI_COLOUR_DEFAULT);
                if (d == TUI_DEPTH_8)
                    FUZZ_CHECK(c[k].kind == TUI_COLOUR_DEFAULT ||
                               (c[k].kind == TUI_COLOUR_INDEX && c[k].v < 8));
                if (d == TUI_DEPTH_16)
                    FUZZ_CHECK(c[k].kind == TUI_COLOUR_DEFAULT ||
                               (c[k].kind == TUI_COLOUR_INDEX && c[k].v < 16));
                if (d == TUI_DEPTH_256)
                    FUZZ_CHECK(c[k].kind == TUI_COLOUR_DEFAULT ||
                               (c[k].kind == TUI_COLOUR_INDEX && c[k].v < 256));
            }
        }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct tui_theme t;
    tui_theme_defaults(&t);
    if (tui_theme_parse(&t, text, "fuzz.theme") < 0) {
        FUZZ_CHECK(strncmp(od_err(), "fuzz.theme:", 11) == 0);
        free(text);
        return 0;
    }
    free(text);
    FUZZ_CHECK(memchr(t.name, '\0', sizeof t.name) != NULL);
    check_depths(&t);

    struct strbuf d1 = STRBUF_INIT, d2 = STRBUF_INIT;
    tui_theme_dump(&t, &d1);
    struct tui_theme again;
    tui_theme_defaults(&again);
    if (tui_theme_parse(&again, sb_str(&d1), "dump") < 0) {
        fprintf(stderr, "dump does not parse: %s\n--\n%s--\n", od_err(), sb_str(&d1));
        abort();
    }
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        FUZZ_CHECK(same_colour(t.role[r].fg, again.role[r].fg));
        FUZZ_CHECK(same_colour(t.role[r].bg, again.role[r].bg));
        FUZZ_CHECK(t.role[r].attrs == again.role[r].attrs);
    }
    snprintf(again.name, sizeof again.name, "%s", t.name);
    tui_theme_dump(&again, &d2);
    FUZZ_CHECK(strcmp(sb_str(&d1), sb_str(&d2)) == 0);
    sb_release(&d1);
    sb_release(&d2);
    return 0;
}
