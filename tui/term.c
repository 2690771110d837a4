/* term — curses backend; see term.h. */
#include "tui/term.h"
#include <curses.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/config.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "tui/guard.h"
#include "tui/keymap.h"

static const struct {
    int curses, tui;
} keys[] = {
    {KEY_UP, TUI_KEY_UP},         {KEY_DOWN, TUI_KEY_DOWN},           {KEY_LEFT, TUI_KEY_LEFT},
    {KEY_RIGHT, TUI_KEY_RIGHT},   {KEY_HOME, TUI_KEY_HOME},           {KEY_END, TUI_KEY_END},
    {KEY_PPAGE, TUI_KEY_PGUP},    {KEY_NPAGE, TUI_KEY_PGDN},          {KEY_IC, TUI_KEY_INSERT},
    {KEY_DC, TUI_KEY_DELETE},     {KEY_BACKSPACE, TUI_KEY_BACKSPACE}, {KEY_BTAB, TUI_KEY_BTAB},
    {KEY_RESIZE, TUI_KEY_RESIZE}, {KEY_ENTER, TUI_KEY_ENTER},         {KEY_SELECT, TUI_KEY_END},
    {KEY_FIND, TUI_KEY_HOME},
};

/* key codes of our own for the bracketed-paste markers (above every curses key) */
enum { CURSES_PASTE_BEGIN = KEY_MAX + 1, CURSES_PASTE_END = KEY_MAX + 2 };

#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"

void tui_term_write(struct tui_term *t, const char *s, size_t n)
{
    if (!t->out || !n) return;
    fflush(t->out);
    fwrite(s, 1, n, t->out);
    fflush(t->out);
}

static int setup(struct tui_term *t, const char *force_depth)
{
    set_term((SCREEN *)t->scr);
    raw(); /* C-c arrives as a key (bound to quit), not SIGINT */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    define_key("\033[200~", CURSES_PASTE_BEGIN);
    define_key("\033[201~", CURSES_PASTE_END);
    tui_term_write(t, PASTE_ON, strlen(PASTE_ON));
    t->am = tigetflag("am") > 0;
    t->no_osc = !strncmp(termname(), "linux", 5);
    t->mouse.x = -1;
    t->cursor = -1;
    t->next_slot = 16;
    const char *cs = nl_langinfo(CODESET);
    t->ascii = !cs || strcmp(cs, "UTF-8") != 0;
    struct tui_caps caps = {getenv("NO_COLOR"),
                            getenv("COLORTERM"),
                            getenv("TERM"),
                            force_depth ? force_depth : od_config_env(OD_ENV_COLORS),
                            0,
                            false,
                            false};
    if (has_colors()) {
        start_color();
        use_default_colors();
        caps.colors = COLORS;
        caps.can_change = can_change_color();
        caps.direct = tigetflag("RGB") > 0 || COLORS >= 0x1000000;
    }
    if (caps.force && *caps.force) {
        enum tui_depth d;
        if (tui_depth_parse(caps.force, &d) < 0) return -1;
    }
    t->depth = tui_depth_detect(&caps);
    if (t->depth > TUI_DEPTH_MONO && !has_colors()) t->depth = TUI_DEPTH_MONO;
    int w, h;
    tui_term_size(t, &w, &h);
    tui_grid_init(&t->front, w, h);
    t->full = true;
    tui_guard_set_curses(true);
    return 0;
}

int tui_term_open_stream(struct tui_term *t, const char *termtype, FILE *out, FILE *in,
                         const char *force_depth)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    t->scr = (struct screen *)newterm(termtype, out, in);
    if (!t->scr)
        return od_seterr("cannot start the terminal UI: no terminfo entry for TERM=%s",
                         termtype ? termtype : "(unset)");
    if (setup(t, force_depth) < 0) {
        tui_term_close(t);
        return -1;
    }
    return 0;
}

int tui_term_open(struct tui_term *t, const char *force_depth)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return od_seterr("the console needs a terminal (stdin and stdout are not one); use the "
                         "subcommands for scripts");
    return tui_term_open_stream(t, NULL, stdout, stdin, force_depth);
}

void tui_term_close(struct tui_term *t)
{
    if (t->scr) {
        set_term((SCREEN *)t->scr);
        curs_set(1);
        mousemask(0, NULL);
        tui_term_write(t, PASTE_OFF, strlen(PASTE_OFF));
        endwin();
        tui_guard_set_curses(false);
        delscreen((SCREEN *)t->scr);
        t->scr = NULL;
    }
    tui_grid_release(&t->front);
}

void tui_term_size(const struct tui_term *t, int *w, int *h)
{
    (void)t;
    *w = COLS;
    *h = LINES;
}

static int colour_num(struct tui_term *t, struct tui_colour c)
{
    if (c.kind == TUI_COLOUR_DEFAULT) return -1;
    if (c.kind == TUI_COLOUR_INDEX) return (int)c.v < COLORS ? (int)c.v : -1;
    if (COLORS >= 0x1000000) /* direct colour: the number is the RGB value */
        return (int)c.v;
    if (t->next_slot >= COLORS || t->next_slot > 255) return -1;
    int slot = t->next_slot++;
    init_extended_color(slot, (int)(c.v >> 16 & 0xff) * 1000 / 255,
                        (int)(c.v >> 8 & 0xff) * 1000 / 255, (int)(c.v & 0xff) * 1000 / 255);
    return slot;
}

void tui_term_apply_theme(struct tui_term *t, const struct tui_theme *th)
{
    t->next_slot = 16;
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        struct tui_style st = tui_theme_style(th, r, t->depth);
        attr_t a = A_NORMAL;
        a |= (st.attrs & TUI_ATTR_BOLD) ? A_BOLD : 0;
        a |= (st.attrs & TUI_ATTR_DIM) ? A_DIM : 0;
        a |= (st.attrs & TUI_ATTR_UNDERLINE) ? A_UNDERLINE : 0;
        a |= (st.attrs & TUI_ATTR_REVERSE) ? A_REVERSE : 0;
        a |= (st.attrs & TUI_ATTR_ITALIC) ? A_ITALIC : 0;
        t->attr[r] = a;
        t->pair[r] = 0;
        if (t->depth > TUI_DEPTH_MONO && r + 1 < COLOR_PAIRS) {
            int fg = colour_num(t, st.fg), bg = colour_num(t, st.bg);
            if (fg != -1 || bg != -1) {
                init_extended_pair(r + 1, fg, bg);
                t->pair[r] = r + 1;
            }
        }
    }
    t->full = true;
}

void tui_term_invalidate(struct tui_term *t)
{
    t->full = true;
}

static bool same(const struct tui_cell *a, const struct tui_cell *b)
{
    return a->width == b->width && a->role == b->role && !memcmp(a->ch, b->ch, sizeof a->ch);
}

/* Whether cell x,y is on one of g's links (whole rows count: a row a link is on may be
 * rewritten by curses, losing the terminal's note that the line wraps). */
static bool on_link(const struct tui_grid *g, int x, int y)
{
    (void)x;
    for (int i = 0; i < g->nlinks; i++) {
        const struct tui_link *l = &g->links[i];
        if (y >= l->y && y <= l->y + (l->x + l->w - 1) / g->w) return true;
    }
    return false;
}

static bool links_changed(const struct tui_grid *front, const struct tui_grid *g)
{
    if (front->nlinks != g->nlinks) return true;
    for (int i = 0; i < g->nlinks; i++) {
        const struct tui_link *a = &front->links[i], *b = &g->links[i];
        if (a->x != b->x || a->y != b->y || a->w != b->w || !a->url != !b->url ||
            (a->url && strcmp(a->url, b->url)))
            return true;
    }
    return false;
}

/* Remember g's links as sent (front owns copies). */
static void keep_links(struct tui_grid *front, const struct tui_grid *g)
{
    for (int i = 0; i < front->nlinks; i++)
        free(front->links[i].url);
    front->nlinks = 0;
    if (g->nlinks > front->caplinks) {
        front->caplinks = g->nlinks;
        front->links = od_xrealloc(front->links, (size_t)front->caplinks * sizeof *front->links);
    }
    for (int i = 0; i < g->nlinks; i++) {
        front->links[i] = g->links[i];
        front->links[i].url = g->links[i].url ? od_xstrdup(g->links[i].url) : NULL;
    }
    front->nlinks = g->nlinks;
}

/* After curses drew the frame: each link's cells again, as one run the terminal wraps itself
 * (so it knows the rows are one line) inside OSC 8 when it has a url, between DECSC and DECRC
 * so the cursor and rendition curses left are back after it. */
static void send_links(struct tui_term *t, const struct tui_grid *g)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < g->nlinks; i++) {
        const struct tui_link *l = &g->links[i];
        int last = l->y * g->w + l->x + l->w - 1;
        if (last >= g->w * g->h - 1 || g->w != COLS || g->h > LINES)
            continue; /* the bottom-right cell would scroll the screen */
        if (!sb.len) sb_add(&sb, "\0337");
        sb_addf(&sb, "\033[%d;%dH\033[0;4m", l->y + 1, l->x + 1);
        if (l->url && !t->no_osc) sb_addf(&sb, "\033]8;;%s\033\\", l->url);
        for (int k = 0; k < l->w; k++) {
            int at = l->x + k, x = at % g->w, y = l->y + at / g->w;
            if (x == 0 && k > 0 && !t->am) sb_addf(&sb, "\033[%d;1H", y + 1);
            const struct tui_cell *c = tui_grid_at(g, x, y);
            char u[4];
            sb_addn(&sb, u, od_utf8_encode(c && c->width == 1 ? c->ch[0] : '?', u));
        }
        if (l->url && !t->no_osc) sb_add(&sb, "\033]8;;\033\\");
    }
    if (sb.len) {
        sb_add(&sb, "\0338");
        tui_term_write(t, sb.buf, sb.len);
    }
    sb_release(&sb);
    keep_links(&t->front, g);
}

void tui_term_flush(struct tui_term *t, const struct tui_grid *g)
{
    set_term((SCREEN *)t->scr);
    if (t->front.w != g->w || t->front.h != g->h) {
        tui_grid_resize(&t->front, g->w, g->h);
        t->full = true;
    }
    if (t->full) clearok(curscr, TRUE);
    bool touched = false; /* a cell of a link changed: send the links again */
    for (int y = 0; y < g->h && y < LINES; y++)
        for (int x = 0; x < g->w && x < COLS; x++) {
            const struct tui_cell *c = tui_grid_at(g, x, y);
            struct tui_cell *f = tui_grid_at(&t->front, x, y);
            if (!t->full && same(c, f)) continue;
            touched = touched || on_link(g, x, y);
            *f = *c;
            if (c->width == 0) continue;
            wchar_t wc[TUI_CELL_MARKS + 1] = {0};
            for (int i = 0; i < TUI_CELL_MARKS; i++)
                wc[i] = (wchar_t)c->ch[i];
            cchar_t cc;
            int pair = t->pair[c->role];
            setcchar(&cc, wc, (attr_t)t->attr[c->role], (short)pair, &pair);
            mvadd_wch(y, x, &cc);
        }
    bool relink = t->full || links_changed(&t->front, g) || touched;
    t->full = false;
    int want = g->cursor_on ? 1 : 0;
    if (want != t->cursor) curs_set(want);
    t->cursor = want;
    if (g->cursor_on) move(g->cursor_y, g->cursor_x);
    wnoutrefresh(stdscr);
    doupdate();
    if (relink) send_links(t, g);
}

bool tui_term_osc_ok(const struct tui_term *t)
{
    return !t->no_osc;
}

void tui_term_mouse_on(struct tui_term *t, bool on)
{
    set_term((SCREEN *)t->scr);
    mouseinterval(0); /* a press is the click: no wait to tell clicks from drags */
    mousemask(on ? BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0, NULL);
}

int tui_term_mouse(const struct tui_term *t, struct tui_mouse *m)
{
    if (t->mouse.x < 0) return -1;
    *m = t->mouse;
    return 0;
}

/* The event behind KEY_MOUSE, or -1 for one we do not use (a release). */
static int read_mouse(struct tui_term *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    enum tui_mouse_what what;
    if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
        what = TUI_MOUSE_CLICK;
    else if (ev.bstate & BUTTON4_PRESSED)
        what = TUI_MOUSE_WHEEL_UP;
    else if (ev.bstate & BUTTON5_PRESSED)
        what = TUI_MOUSE_WHEEL_DOWN;
    else
        return -1;
    t->mouse = (struct tui_mouse){ev.x, ev.y, what, NULL};
    return 0;
}

int tui_term_read_key(struct tui_term *t)
{
    set_term((SCREEN *)t->scr);
    wint_t wc;
    int r = get_wch(&wc);
    if (r == ERR) return -1;
    if (r == KEY_CODE_YES) {
        if ((int)wc == KEY_MOUSE) return read_mouse(t) == 0 ? TUI_KEY_MOUSE : tui_term_read_key(t);
        if ((int)wc == CURSES_PASTE_BEGIN) return TUI_KEY_PASTE_BEGIN;
        if ((int)wc == CURSES_PASTE_END) return TUI_KEY_PASTE_END;
        for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++)
            if (keys[i].curses == (int)wc) return keys[i].tui;
        if ((int)wc >= KEY_F(1) && (int)wc <= KEY_F(24)) return TUI_KEY_F((int)wc - KEY_F0);
        return tui_term_read_key(t); /* a key we do not know: skip it */
    }
    if (wc == 127 || wc == 8) return TUI_KEY_BACKSPACE;
    if (wc == '\r') return TUI_KEY_ENTER;
    return (int)wc;
}
