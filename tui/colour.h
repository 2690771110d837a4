/* colour — colour values, attributes and styles, as written in theme files (tmux grammar):
 *     fg=blue,bg=default,bold,underline,reverse,dim,italic
 * A colour is `default` (the terminal's own), a name (black red green yellow blue magenta cyan
 * white, bright variants `brightred`/`bright-red`, `grey`), an index 0-255 (`123`,
 * `colour123`), `#rrggbb`, or a palette name defined by the theme.
 *
 * Colour depth: tui_depth_detect() decides from the environment and terminfo facts (passed in,
 * so tests need no terminal) and tui_colour_degrade() maps any colour to what the depth can
 * show: truecolor -> nearest of the 256 palette (6x6x6 cube or grey ramp) -> nearest of the
 * 16 ANSI colours -> 8 (bright folds to base) -> none (attributes only). */
#ifndef TUI_COLOUR_H
#define TUI_COLOUR_H
#include <stdbool.h>
#include <stdint.h>

enum tui_colour_kind { TUI_COLOUR_DEFAULT, TUI_COLOUR_INDEX, TUI_COLOUR_RGB };

struct tui_colour {
    uint8_t kind; /* enum tui_colour_kind */
    uint32_t v;   /* palette index 0-255, or 0xRRGGBB */
};

#define TUI_ATTR_BOLD 0x01u
#define TUI_ATTR_DIM 0x02u
#define TUI_ATTR_UNDERLINE 0x04u
#define TUI_ATTR_REVERSE 0x08u
#define TUI_ATTR_ITALIC 0x10u

struct tui_style {
    struct tui_colour fg, bg;
    unsigned attrs; /* TUI_ATTR_* */
    unsigned set;   /* which parts a theme file set: TUI_STYLE_SET_* */
};
#define TUI_STYLE_SET_FG 1u
#define TUI_STYLE_SET_BG 2u

/* Named colours a theme defines in [palette]. */
struct tui_palette {
    int n;
    char *name[32];
    struct tui_colour colour[32];
};
void tui_palette_release(struct tui_palette *p);

/* Parse one colour; -1 with od_seterr on an unknown name or bad number. p may be NULL. */
int tui_colour_parse(const char *s, const struct tui_palette *p, struct tui_colour *out);
/* Parse a style string into out (zeroed first); -1 with od_seterr naming the bad word. */
int tui_style_parse(const char *s, const struct tui_palette *p, struct tui_style *out);
/* Append the style in the same grammar (for --dump-theme and docs). */
struct strbuf;
void tui_style_format(const struct tui_style *st, struct strbuf *sb);

enum tui_depth { TUI_DEPTH_MONO, TUI_DEPTH_8, TUI_DEPTH_16, TUI_DEPTH_256, TUI_DEPTH_TRUE };

/* Facts the detection needs; term.c fills them from getenv and terminfo. */
struct tui_caps {
    const char *no_color;  /* $NO_COLOR */
    const char *colorterm; /* $COLORTERM */
    const char *term;      /* $TERM */
    const char *force;     /* $OPSDECK_COLORS or a command-line choice: mono|8|16|256|truecolor */
    int colors;            /* terminfo `colors` (COLORS after start_color) */
    bool can_change;       /* can_change_color() */
    bool direct;           /* terminfo RGB flag / direct-colour terminal */
};
enum tui_depth tui_depth_detect(const struct tui_caps *c);
/* "mono" "8" "16" "256" "truecolor"/"24bit"; -1 with od_seterr otherwise. */
int tui_depth_parse(const char *s, enum tui_depth *out);
const char *tui_depth_name(enum tui_depth d);

/* The colour as the depth can show it (DEFAULT at MONO). */
struct tui_colour tui_colour_degrade(struct tui_colour c, enum tui_depth d);
/* 0xRRGGBB of a palette index (xterm defaults). */
uint32_t tui_colour_index_rgb(int idx);

#endif
