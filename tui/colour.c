/* colour — colour/style parsing and colour-depth degradation; see colour.h. */
#include "tui/colour.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/base/util.h"

static const char *const names[8] = {"black", "red",     "green", "yellow",
                                     "blue",  "magenta", "cyan",  "white"};

static const uint32_t ansi16[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
                                    0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
                                    0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};

static const int cube[6] = {0, 95, 135, 175, 215, 255};

void tui_palette_release(struct tui_palette *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->name[i]);
    p->n = 0;
}

static int named(const char *s)
{
    int bright = 0;
    if (strncasecmp(s, "bright", 6) == 0) {
        bright = 8;
        s += 6;
        if (*s == '-' || *s == '_') s++;
    }
    for (int i = 0; i < 8; i++)
        if (strcasecmp(s, names[i]) == 0) return i + bright;
    if (!bright && (strcasecmp(s, "grey") == 0 || strcasecmp(s, "gray") == 0)) return 8;
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int tui_colour_parse(const char *s, const struct tui_palette *p, struct tui_colour *out)
{
    *out = (struct tui_colour){TUI_COLOUR_DEFAULT, 0};
    if (strcasecmp(s, "default") == 0 || strcasecmp(s, "terminal") == 0) return 0;
    if (s[0] == '#') {
        if (strlen(s) != 7) return od_seterr("colour: write #rrggbb with six hex digits");
        uint32_t v = 0;
        for (int i = 1; i < 7; i++) {
            int h = hexval(s[i]);
            if (h < 0) return od_seterr("colour: #rrggbb takes hex digits 0-9 and a-f");
            v = v << 4 | (uint32_t)h;
        }
        *out = (struct tui_colour){TUI_COLOUR_RGB, v};
        return 0;
    }
    const char *num = s;
    if (strncasecmp(s, "colour", 6) == 0)
        num = s + 6;
    else if (strncasecmp(s, "color", 5) == 0)
        num = s + 5;
    if (*num >= '0' && *num <= '9') {
        long v;
        if (od_parse_long(num, 0, 255, &v) < 0) return od_seterr("colour: an index must be 0-255");
        *out = (struct tui_colour){TUI_COLOUR_INDEX, (uint32_t)v};
        return 0;
    }
    int n = named(s);
    if (n >= 0) {
        *out = (struct tui_colour){TUI_COLOUR_INDEX, (uint32_t)n};
        return 0;
    }
    for (int i = 0; p && i < p->n; i++)
        if (strcmp(p->name[i], s) == 0) {
            *out = p->colour[i];
            return 0;
        }
    return od_seterr("unknown colour (use default, a name like red or brightblue, 0-255, "
                     "#rrggbb, or a name defined earlier in [palette])");
}

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {{"bold", TUI_ATTR_BOLD},           {"dim", TUI_ATTR_DIM},
                  {"underline", TUI_ATTR_UNDERLINE}, {"underscore", TUI_ATTR_UNDERLINE},
                  {"reverse", TUI_ATTR_REVERSE},     {"italic", TUI_ATTR_ITALIC},
                  {"italics", TUI_ATTR_ITALIC}};

static int style_word(const char *w, const struct tui_palette *p, struct tui_style *st)
{
    if (strncasecmp(w, "fg=", 3) == 0 || strncasecmp(w, "bg=", 3) == 0) {
        bool fg = (w[0] | 0x20) == 'f';
        if (tui_colour_parse(w + 3, p, fg ? &st->fg : &st->bg) < 0) return -1;
        st->set |= fg ? TUI_STYLE_SET_FG : TUI_STYLE_SET_BG;
        return 0;
    }
    if (strcasecmp(w, "none") == 0 || strcasecmp(w, "plain") == 0) return 0;
    for (size_t i = 0; i < OD_ARRAY_LEN(attr_names); i++)
        if (strcasecmp(w, attr_names[i].name) == 0) {
            st->attrs |= attr_names[i].bit;
            return 0;
        }
    return od_seterr("unknown style word (use fg=COLOUR, bg=COLOUR, bold, dim, underline, "
                     "reverse, italic)");
}

int tui_style_parse(const char *s, const struct tui_palette *p, struct tui_style *out)
{
    memset(out, 0, sizeof *out);
    char *copy = od_xstrdup(s), *save = NULL;
    int rc = 0;
    for (char *w = strtok_r(copy, ", \t", &save); w && rc == 0; w = strtok_r(NULL, ", \t", &save))
        rc = style_word(w, p, out);
    free(copy);
    return rc;
}

static void colour_format(const struct tui_colour *c, struct strbuf *sb)
{
    if (c->kind == TUI_COLOUR_RGB)
        sb_addf(sb, "#%06x", (unsigned)c->v);
    else if (c->kind == TUI_COLOUR_INDEX && c->v < 16)
        sb_addf(sb, "%s%s", c->v >= 8 ? "bright" : "", names[c->v & 7]);
    else if (c->kind == TUI_COLOUR_INDEX)
        sb_addf(sb, "%u", (unsigned)c->v);
    else
        sb_add(sb, "default");
}

void tui_style_format(const struct tui_style *st, struct strbuf *sb)
{
    size_t start = sb->len;
    if (st->fg.kind != TUI_COLOUR_DEFAULT) {
        sb_add(sb, "fg=");
        colour_format(&st->fg, sb);
    }
    if (st->bg.kind != TUI_COLOUR_DEFAULT) {
        sb_add(sb, sb->len > start ? ",bg=" : "bg=");
        colour_format(&st->bg, sb);
    }
    for (size_t i = 0; i < OD_ARRAY_LEN(attr_names); i++)
        if ((st->attrs & attr_names[i].bit) &&
            (i == 0 || attr_names[i - 1].bit != attr_names[i].bit)) {
            if (sb->len > start) sb_addch(sb, ',');
            sb_add(sb, attr_names[i].name);
        }
    if (sb->len == start) sb_add(sb, "none");
}

int tui_depth_parse(const char *s, enum tui_depth *out)
{
    static const struct {
        const char *name;
        enum tui_depth d;
    } t[] = {{"mono", TUI_DEPTH_MONO}, {"none", TUI_DEPTH_MONO}, {"8", TUI_DEPTH_8},
             {"16", TUI_DEPTH_16},     {"256", TUI_DEPTH_256},   {"truecolor", TUI_DEPTH_TRUE},
             {"24bit", TUI_DEPTH_TRUE}};
    for (size_t i = 0; i < OD_ARRAY_LEN(t); i++)
        if (strcasecmp(s, t[i].name) == 0) {
            *out = t[i].d;
            return 0;
        }
    return od_seterr("colour depth '%s': use mono, 8, 16, 256 or truecolor", s);
}

const char *tui_depth_name(enum tui_depth d)
{
    static const char *const n[] = {"mono", "8", "16", "256", "truecolor"};
    return n[d];
}

enum tui_depth tui_depth_detect(const struct tui_caps *c)
{
    enum tui_depth forced = TUI_DEPTH_MONO;
    if (c->no_color && *c->no_color) return TUI_DEPTH_MONO;
    if (c->force && *c->force && tui_depth_parse(c->force, &forced) == 0) return forced;
    if (!c->term || !*c->term || strcmp(c->term, "dumb") == 0 || c->colors < 8)
        return TUI_DEPTH_MONO;
    bool truecolor = c->colorterm && (strcasecmp(c->colorterm, "truecolor") == 0 ||
                                      strcasecmp(c->colorterm, "24bit") == 0);
    /* screen misparses 24-bit SGR; trust it only with a direct-colour terminfo entry */
    bool screen = strncmp(c->term, "screen", 6) == 0;
    if (c->direct || (truecolor && c->can_change && !screen)) return TUI_DEPTH_TRUE;
    if (c->colors >= 256) return TUI_DEPTH_256;
    return c->colors >= 16 ? TUI_DEPTH_16 : TUI_DEPTH_8;
}

uint32_t tui_colour_index_rgb(int idx)
{
    if (idx < 16) return ansi16[idx < 0 ? 0 : idx];
    if (idx >= 232) {
        uint32_t v = (uint32_t)(8 + (idx - 232) * 10);
        return v << 16 | v << 8 | v;
    }
    idx -= 16;
    return (uint32_t)cube[idx / 36] << 16 | (uint32_t)cube[idx / 6 % 6] << 8 |
           (uint32_t)cube[idx % 6];
}

static int dist(uint32_t a, uint32_t b)
{
    int dr = (int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff);
    int dg = (int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff);
    int db = (int)(a & 0xff) - (int)(b & 0xff);
    return dr * dr + dg * dg + db * db;
}

static int cube_level(int v)
{
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (abs(cube[i] - v) < abs(cube[best] - v)) best = i;
    return best;
}

static int rgb_to_256(uint32_t rgb)
{
    int r = (int)(rgb >> 16 & 0xff), g = (int)(rgb >> 8 & 0xff), b = (int)(rgb & 0xff);
    int ci = 16 + 36 * cube_level(r) + 6 * cube_level(g) + cube_level(b);
    int grey = (r + g + b) / 3;
    int gi = grey < 8 ? 0 : grey > 238 ? 23 : (grey - 8 + 5) / 10;
    if (gi > 23) gi = 23;
    int gidx = 232 + gi;
    return dist(rgb, tui_colour_index_rgb(gidx)) < dist(rgb, tui_colour_index_rgb(ci)) ? gidx : ci;
}

static int to_16(uint32_t rgb)
{
    int best = 0;
    for (int i = 1; i < 16; i++)
        if (dist(rgb, ansi16[i]) < dist(rgb, ansi16[best])) best = i;
    return best;
}

struct tui_colour tui_colour_degrade(struct tui_colour c, enum tui_depth d)
{
    if (c.kind == TUI_COLOUR_DEFAULT || d == TUI_DEPTH_TRUE)
        return d == TUI_DEPTH_MONO ? (struct tui_colour){0, 0} : c;
    if (d == TUI_DEPTH_MONO) return (struct tui_colour){TUI_COLOUR_DEFAULT, 0};
    int idx = c.kind == TUI_COLOUR_RGB ? rgb_to_256(c.v) : (int)c.v;
    if (d <= TUI_DEPTH_16 && idx >= 16)
        idx = to_16(c.kind == TUI_COLOUR_RGB ? c.v : tui_colour_index_rgb(idx));
    if (d == TUI_DEPTH_8 && idx == 8) /* grey: black would vanish on dark terminals */
        return (struct tui_colour){TUI_COLOUR_DEFAULT, 0};
    if (d == TUI_DEPTH_8 && idx > 8) idx -= 8;
    return (struct tui_colour){TUI_COLOUR_INDEX, (uint32_t)idx};
}
