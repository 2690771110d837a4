/* paste — bracketed paste parser; see paste.h. */
#include "tui/paste.h"
#include <string.h>
#include "core/base/sanitize.h"
#include "tui/keymap.h"

static const char begin_marker[] = "\033[200~", end_marker[] = "\033[201~";
#define MARKER_LEN 6

void tui_paste_init(struct tui_paste *p)
{
    memset(p, 0, sizeof *p);
}

void tui_paste_clear(struct tui_paste *p)
{
    if (p->text.buf) od_wipe(p->text.buf, p->text.cap);
    sb_reset(&p->text);
    p->dropped = 0;
    p->brk = false;
}

void tui_paste_release(struct tui_paste *p)
{
    tui_paste_clear(p);
    sb_release(&p->text);
    memset(p, 0, sizeof *p);
}

bool tui_paste_active(const struct tui_paste *p)
{
    return p->in;
}

const char *tui_paste_text(const struct tui_paste *p)
{
    return sb_str(&p->text);
}

size_t tui_paste_dropped(const struct tui_paste *p)
{
    return p->dropped;
}

/* One key of pasted text. */
static void add_text(struct tui_paste *p, int key)
{
    bool brk = key == TUI_KEY_ENTER || key == '\r' || key == TUI_KEY_TAB;
    if (brk) {
        if (p->brk || p->text.len == 0) return; /* a run of breaks is one space; none first */
        key = ' ';
    } else if (key < ' ' || key == 0x7f || (key >= 0x80 && key < 0xa0) || key >= TUI_KEY_BASE ||
               (key >= 0xd800 && key < 0xe000) || od_char_dropped((uint32_t)key)) {
        return; /* controls and keys that are not characters never reach the field */
    }
    char u[4];
    size_t n = od_utf8_encode((uint32_t)key, u);
    if (p->text.len + n > TUI_PASTE_MAX) {
        p->dropped++;
        return;
    }
    sb_addn(&p->text, u, n);
    p->brk = brk;
}

/* The paste ended: a space left by a final line break goes. */
static void end_paste(struct tui_paste *p)
{
    p->in = false;
    p->nheld = 0;
    if (p->brk && p->text.len) p->text.buf[--p->text.len] = '\0';
    p->brk = false;
}

bool tui_paste_finish(struct tui_paste *p)
{
    if (!p->in) return false;
    for (int i = 0; i < p->nheld; i++)
        add_text(p, p->held[i]);
    end_paste(p);
    return true;
}

int tui_paste_flush(struct tui_paste *p, int *out)
{
    if (p->in) return 0; /* a paste goes on until its end marker (or tui_paste_finish) */
    int n = p->nheld;
    memcpy(out, p->held, (size_t)n * sizeof *out);
    p->nheld = 0;
    return n;
}

int tui_paste_feed(struct tui_paste *p, int key, int *out, bool *done)
{
    const char *marker = p->in ? end_marker : begin_marker;
    int n = 0;
    *done = false;
    if (key == TUI_KEY_PASTE_BEGIN || key == TUI_KEY_PASTE_END) {
        if (p->in) { /* whatever was held is text; a second begin means nothing */
            for (int i = 0; i < p->nheld; i++)
                add_text(p, p->held[i]);
            p->nheld = 0;
            if (key == TUI_KEY_PASTE_END) {
                end_paste(p);
                *done = true;
            }
            return 0;
        }
        n = tui_paste_flush(p, out);
        if (key == TUI_KEY_PASTE_BEGIN) {
            tui_paste_clear(p);
            p->in = true;
        }
        return n; /* a stray end marker is dropped */
    }
    if (key == (unsigned char)marker[p->nheld]) { /* the marker goes on */
        p->held[p->nheld++] = key;
        if (p->nheld < MARKER_LEN) return 0;
        p->nheld = 0;
        if (p->in) {
            end_paste(p);
            *done = true;
        } else {
            tui_paste_clear(p);
            p->in = true;
        }
        return 0;
    }
    /* not a marker after all: what was held is what it looked like, then this key */
    if (p->in) {
        for (int i = 0; i < p->nheld; i++)
            add_text(p, p->held[i]);
    } else {
        memcpy(out, p->held, (size_t)p->nheld * sizeof *out);
        n = p->nheld;
    }
    p->nheld = 0;
    if (key == TUI_KEY_ESC) { /* perhaps the start of the next marker */
        p->held[p->nheld++] = key;
        return n;
    }
    if (p->in)
        add_text(p, key);
    else
        out[n++] = key;
    return n;
}
