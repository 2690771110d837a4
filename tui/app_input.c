/* app_input — what the app adds to keys: bracketed paste, the mouse and copy (`y`). On top
 * of app.c like app_keys.c (app.c never calls into it; its state is app->in, tui/input.h).
 *
 * The loop feeds every key through tui_app_input_key: keys inside a bracketed paste
 * (tui/paste.h) are collected and handed, once the paste ends, to the text field with focus
 * (tui_app_paste: the prompt, the command line, else the screen's paste callback: a form, a
 * filter); a mouse event is looked up in the last frame's hit map (tui/mouse.h) and either
 * shows a tab or goes to the screen as TUI_KEY_MOUSE with the event (tui_app_mouse); other
 * keys go to tui_app_feed_key. `y` (the copy action) copies with OSC 52 (tui/clip.h) what the
 * overlay shown or the screen offers (the screen's copy callback). */
#include <stdio.h>
#include <string.h>
#include "core/base/config.h"
#include "core/base/sanitize.h"
#include "tui/app.h"
#include "tui/app_impl.h"
#include "tui/clip.h"

#define PASTE_IDLE_MS 1000

const struct tui_mouse *tui_app_mouse(const struct tui_app *app)
{
    return app->in.in_mouse ? &app->in.mouse : NULL;
}

const char *tui_app_copied(const struct tui_app *app)
{
    return sb_str(&app->in.copied);
}

void tui_app_input_start(struct tui_app *app)
{
    if (app->term) tui_term_mouse_on(app->term, !app->in.mouse_off);
}

/* --- copy --- */

/* What is copied is text a person saw: tabs between cells and line breaks stay, other
 * controls, bidi and zero-width characters go (core/base/sanitize.h's list). */
static void clean(const char *s, struct strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);
    while (left) {
        uint32_t cp;
        size_t k = od_utf8_decode(p, left, &cp);
        if (cp == '\t' || cp == '\n' || !od_char_dropped(cp)) sb_addn(out, (const char *)p, k);
        p += k;
        left -= k;
    }
}

unsigned tui_app_copy(struct tui_app *app, const char *text)
{
    if (app->in.osc52_off) {
        tui_app_toast(app, TUI_TOAST_WARN,
                      "copying is off (ui.osc52 = off): set ui.osc52 = on in the configuration "
                      "or OPSDECK_UI_OSC52=on to copy with y");
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (app->term && !tui_term_osc_ok(app->term)) {
        tui_app_toast(app, TUI_TOAST_WARN,
                      "this terminal (the Linux console) cannot take a copy (OSC 52); use a "
                      "terminal emulator, or ssh from one");
        return TUI_HANDLED | TUI_REDRAW;
    }
    struct strbuf t = STRBUF_INIT, seq = STRBUF_INIT;
    clean(text ? text : "", &t);
    size_t used =
        tui_clip_osc52(&seq, sb_str(&t), TUI_CLIP_MAX,
                       tui_clip_via(od_config_env(OD_ENV_TMUX), od_config_env(OD_ENV_STY)));
    if (app->term) tui_term_write(app->term, seq.buf, seq.len);
    sb_reset(&app->in.copied);
    sb_addn(&app->in.copied, sb_str(&t), used);
    size_t chars = tui_clip_chars(sb_str(&t), used);
    if (used < t.len)
        tui_app_toast(app, TUI_TOAST_WARN, "copied the first %zu characters (at most %d kB)", chars,
                      TUI_CLIP_MAX / 1000);
    else
        tui_app_toast(app, TUI_TOAST_INFO, "copied %zu character%s", chars, chars == 1 ? "" : "s");
    sb_release(&t);
    sb_release(&seq);
    return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_app_act_copy(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct strbuf sb = STRBUF_INIT;
    const struct tui_screen_class *cls = app->nscreens ? app->screens[app->cur].cls : NULL;
    bool have = cls && cls->copy && cls->copy(app->screens[app->cur].state, app, &sb) && sb.len;
    unsigned f = TUI_HANDLED | TUI_REDRAW;
    if (have)
        f = tui_app_copy(app, sb_str(&sb));
    else
        tui_app_toast(app, TUI_TOAST_INFO, "nothing to copy here");
    sb_release(&sb);
    return f;
}

unsigned tui_app_overlay_key(struct tui_app *app, const struct tui_key *k)
{
    if (!k->action || strcmp(k->action, "copy")) return tui_overlay_key(&app->overlay, k);
    struct strbuf sb = STRBUF_INIT;
    tui_overlay_copy_text(&app->overlay, &sb);
    unsigned f = tui_app_copy(app, sb_str(&sb));
    sb_release(&sb);
    return f;
}

/* --- paste --- */

unsigned tui_app_paste(struct tui_app *app, const char *text)
{
    if (!text || !*text || app->confirm.open || app->overlay.open) return TUI_HANDLED;
    if (app->prompt.open) {
        tui_edit_paste(&app->prompt.edit, text);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (app->cmdline.open) return tui_cmdline_paste(&app->cmdline, text);
    if (tui_app_too_small(app)) return TUI_HANDLED;
    if (app->nscreens) {
        if (!app->entered) tui_app_switch_to(app, app->cur);
        const struct tui_screen_class *cls = app->screens[app->cur].cls;
        unsigned f = cls->paste ? cls->paste(app->screens[app->cur].state, app, text) : 0;
        if (f) return f;
    }
    tui_app_toast(app, TUI_TOAST_INFO,
                  "pasted text ignored: no text field is open (/ filters, : is the command line)");
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned paste_done(struct tui_app *app)
{
    size_t dropped = tui_paste_dropped(&app->in.paste);
    unsigned f = tui_app_paste(app, tui_paste_text(&app->in.paste));
    if (dropped)
        tui_app_toast(app, TUI_TOAST_WARN, "paste cut: only the first %d kB were taken",
                      TUI_PASTE_MAX / 1024);
    tui_paste_clear(&app->in.paste);
    return f | TUI_REDRAW;
}

/* --- mouse --- */

unsigned tui_app_feed_mouse(struct tui_app *app, int x, int y, enum tui_mouse_what what)
{
    struct tui_mouse m = {x, y, what, tui_hits_find(&app->in.hits, x, y)};
    if (app->in.mouse_off || tui_app_too_small(app) || app->confirm.open || app->prompt.open ||
        app->cmdline.open)
        return TUI_HANDLED; /* a dialog or the command line waits for keys */
    if (app->overlay.open) {
        if (what == TUI_MOUSE_CLICK) return TUI_HANDLED;
        struct tui_key k = {TUI_KEY_MOUSE, what == TUI_MOUSE_WHEEL_UP ? "up" : "down"};
        for (int i = 0; i < 2; i++)
            tui_overlay_key(&app->overlay, &k);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (m.hit && m.hit->kind == TUI_HIT_TAB && what == TUI_MOUSE_CLICK) {
        /* only the tabs of screens the person may open are drawn, so only those are hit */
        if (!app->tabs_hidden && m.hit->id >= 0 && m.hit->id < app->nscreens)
            tui_app_switch_to(app, (int)m.hit->id);
        return TUI_HANDLED | TUI_REDRAW;
    }
    app->in.mouse = m;
    app->in.in_mouse = true;
    unsigned f = tui_app_feed_key(app, TUI_KEY_MOUSE);
    app->in.in_mouse = false;
    return f | TUI_HANDLED;
}

/* --- the loop's entry --- */

unsigned tui_app_input_key(struct tui_app *app, int key)
{
    if (key == TUI_KEY_MOUSE) {
        struct tui_mouse m;
        if (!app->term || tui_paste_active(&app->in.paste) || tui_term_mouse(app->term, &m) < 0)
            return 0;
        return tui_app_feed_mouse(app, m.x, m.y, m.what);
    }
    int out[TUI_PASTE_OUT];
    bool done;
    int n = tui_paste_feed(&app->in.paste, key, out, &done);
    unsigned f = 0;
    if (tui_paste_active(&app->in.paste) || done) app->in.paste_ms = od_now_ms();
    for (int i = 0; i < n && !(f & TUI_QUIT); i++)
        f |= tui_app_feed_key(app, out[i]);
    if (done) f |= paste_done(app);
    return f;
}

unsigned tui_app_input_idle(struct tui_app *app, int64_t now_ms)
{
    int out[TUI_PASTE_OUT];
    int n = tui_paste_flush(&app->in.paste, out);
    unsigned f = 0;
    for (int i = 0; i < n && !(f & TUI_QUIT); i++)
        f |= tui_app_feed_key(app, out[i]);
    if (tui_paste_active(&app->in.paste) && now_ms - app->in.paste_ms >= PASTE_IDLE_MS &&
        tui_paste_finish(&app->in.paste))
        f |= paste_done(app);
    return f;
}

int tui_app_input_timeout(const struct tui_app *app, int64_t now_ms, int timeout)
{
    if (!tui_paste_active(&app->in.paste)) return timeout;
    int64_t left = app->in.paste_ms + PASTE_IDLE_MS - now_ms;
    int t = left < 0 ? 0 : (int)left;
    return timeout < 0 || t < timeout ? t : timeout;
}
