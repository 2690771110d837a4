/* Unit tests: what `y` sends and what a bracketed paste becomes. The OSC 52 encoder (base64
 * against RFC 4648's vectors, the exact bytes direct, through tmux and through GNU screen,
 * the size bound cut on a character boundary) and the paste parser (markers as one key or as
 * the keys of the raw sequence, split over several feeds, line breaks and control characters,
 * keys that only looked like a marker given back in order, the size bound). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "tui/clip.h"
#include "tui/keymap.h"
#include "tui/paste.h"

static const char *b64(const char *s)
{
    static struct strbuf sb = STRBUF_INIT;
    sb_reset(&sb);
    tui_base64(&sb, s, strlen(s));
    return sb_str(&sb);
}

static void test_base64_vectors(void **state)
{
    assert_string_equal(b64(""), "");
    assert_string_equal(b64("f"), "Zg==");
    assert_string_equal(b64("fo"), "Zm8=");
    assert_string_equal(b64("foo"), "Zm9v");
    assert_string_equal(b64("foob"), "Zm9vYg==");
    assert_string_equal(b64("fooba"), "Zm9vYmE=");
    assert_string_equal(b64("foobar"), "Zm9vYmFy");
    unsigned char all[3] = {0xff, 0xfe, 0x00};
    struct strbuf sb = STRBUF_INIT;
    tui_base64(&sb, all, 3);
    assert_string_equal(sb_str(&sb), "//4A");
    sb_release(&sb);
}

static void test_osc52_direct_tmux_screen(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(tui_clip_osc52(&sb, "Acme\t1,200.50", TUI_CLIP_MAX, TUI_CLIP_DIRECT), 13);
    assert_string_equal(sb_str(&sb), "\033]52;c;QWNtZQkxLDIwMC41MA==\a");

    sb_reset(&sb); /* tmux: plain for tmux itself, then wrapped with every ESC doubled */
    tui_clip_osc52(&sb, "hi", TUI_CLIP_MAX, TUI_CLIP_TMUX);
    assert_string_equal(sb_str(&sb), "\033]52;c;aGk=\a"
                                     "\033Ptmux;\033\033]52;c;aGk=\a\033\\");

    sb_reset(&sb); /* screen: DCS strings of at most 76 bytes each, which add up to the seq */
    char text[301];
    memset(text, 'x', 300);
    text[300] = '\0';
    tui_clip_osc52(&sb, text, TUI_CLIP_MAX, TUI_CLIP_SCREEN);
    struct strbuf direct = STRBUF_INIT, joined = STRBUF_INIT;
    tui_clip_osc52(&direct, text, TUI_CLIP_MAX, TUI_CLIP_DIRECT);
    const char *p = sb_str(&sb);
    int pieces = 0;
    while (*p) {
        assert_memory_equal(p, "\033P", 2);
        const char *end = strstr(p + 2, "\033\\");
        assert_non_null(end);
        assert_true(end - (p + 2) <= 76);
        sb_addn(&joined, p + 2, (size_t)(end - (p + 2)));
        p = end + 2;
        pieces++;
    }
    assert_true(pieces > 1);
    assert_string_equal(sb_str(&joined), sb_str(&direct));
    sb_release(&direct);
    sb_release(&joined);
    sb_release(&sb);
}

static void test_osc52_bound_and_via(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    /* "é" is 2 bytes: a bound of 9 takes 4 of them (8 bytes), never half a character */
    assert_int_equal(tui_clip_osc52(&sb, "ééééé", 9, TUI_CLIP_DIRECT), 8);
    assert_string_equal(sb_str(&sb), "\033]52;c;w6nDqcOpw6k=\a");
    assert_int_equal(tui_clip_chars("ééééé", 8), 4);
    sb_reset(&sb);
    char *big = od_xmalloc(TUI_CLIP_MAX + 500);
    memset(big, 'a', TUI_CLIP_MAX + 499);
    big[TUI_CLIP_MAX + 499] = '\0';
    assert_int_equal(tui_clip_osc52(&sb, big, TUI_CLIP_MAX, TUI_CLIP_DIRECT), TUI_CLIP_MAX);
    assert_int_equal(sb.len, strlen("\033]52;c;\a") + (TUI_CLIP_MAX + 2) / 3 * 4);
    free(big);
    sb_release(&sb);
    assert_int_equal(tui_clip_via(NULL, NULL), TUI_CLIP_DIRECT);
    assert_int_equal(tui_clip_via("", ""), TUI_CLIP_DIRECT);
    assert_int_equal(tui_clip_via(NULL, "1234.pts-0.host"), TUI_CLIP_SCREEN);
    assert_int_equal(tui_clip_via("/tmp/tmux-0/default,1,0", "x"), TUI_CLIP_TMUX);
}

/* Feed keys; the ordinary keys that come out go to outs (as ints); returns whether a paste
 * ended on the last key. */
static bool feed(struct tui_paste *p, const int *keys, size_t n, int *outs, size_t *nouts)
{
    bool done = false;
    for (size_t i = 0; i < n; i++) {
        int out[TUI_PASTE_OUT];
        bool d;
        int k = tui_paste_feed(p, keys[i], out, &d);
        for (int j = 0; j < k; j++)
            outs[(*nouts)++] = out[j];
        done = done || d;
    }
    return done;
}

static bool feed_str(struct tui_paste *p, const char *s, int *outs, size_t *nouts)
{
    int keys[256];
    size_t n = 0;
    for (; *s; s++)
        keys[n++] = (unsigned char)*s == '\r' ? TUI_KEY_ENTER : (unsigned char)*s;
    return feed(p, keys, n, outs, nouts);
}

static void test_paste_marker_keys(void **state)
{
    struct tui_paste p;
    tui_paste_init(&p);
    int outs[64];
    size_t no = 0;
    int keys[] = {'a',    TUI_KEY_PASTE_BEGIN, 'c', 'o',  TUI_KEY_ENTER, TUI_KEY_ENTER,
                  'q',    TUI_KEY_UP,          3,   0x7f, 0x9b,          '\t',
                  0x00e9, TUI_KEY_ENTER};
    assert_false(feed(&p, keys, OD_ARRAY_LEN(keys), outs, &no));
    assert_true(tui_paste_active(&p));
    assert_int_equal(no, 1); /* only the 'a' typed before the paste */
    assert_int_equal(outs[0], 'a');
    int end[] = {TUI_KEY_PASTE_END, 'z'};
    no = 0;
    bool done = false;
    int out[TUI_PASTE_OUT];
    assert_int_equal(tui_paste_feed(&p, end[0], out, &done), 0);
    assert_true(done);
    /* line breaks became one space, the control keys and the arrow went, a final break too */
    assert_string_equal(tui_paste_text(&p), "co q é");
    assert_false(tui_paste_active(&p));
    tui_paste_clear(&p);
    assert_string_equal(tui_paste_text(&p), "");
    assert_int_equal(tui_paste_feed(&p, 'z', out, &done), 1);
    assert_int_equal(out[0], 'z');
    assert_false(done);
    tui_paste_release(&p);
}

static void test_paste_raw_split(void **state)
{
    struct tui_paste p;
    tui_paste_init(&p);
    int outs[64];
    size_t no = 0;
    /* the begin marker over two reads, the text over three, the end marker over two */
    assert_false(feed_str(&p, "x\033[2", outs, &no));
    assert_int_equal(no, 1);
    assert_false(feed_str(&p, "00~https://a", outs, &no));
    assert_true(tui_paste_active(&p));
    assert_false(feed_str(&p, ".example/?q=1\r\n", outs, &no));
    assert_false(feed_str(&p, "&s=2\033[20", outs, &no));
    assert_true(feed_str(&p, "1~y", outs, &no));
    assert_string_equal(tui_paste_text(&p), "https://a.example/?q=1 &s=2");
    assert_int_equal(no, 2); /* x before, y after: nothing of the paste */
    assert_int_equal(outs[0], 'x');
    assert_int_equal(outs[1], 'y');
    tui_paste_release(&p);
}

static void test_paste_not_a_marker(void **state)
{
    struct tui_paste p;
    tui_paste_init(&p);
    int outs[64], out[TUI_PASTE_OUT];
    size_t no = 0;
    /* ESC [ A and Alt-x: held while they might be a marker, then given back in order */
    assert_false(feed_str(&p, "\033[A\033x\033\033[2", outs, &no));
    int want[] = {27, '[', 'A', 27, 'x', 27};
    assert_int_equal(no, OD_ARRAY_LEN(want));
    for (size_t i = 0; i < no; i++)
        assert_int_equal(outs[i], want[i]);
    /* no more input waiting: what is held (ESC [ 2) is ordinary keys after all */
    assert_int_equal(tui_paste_flush(&p, out), 3);
    assert_int_equal(out[0], 27);
    assert_int_equal(out[1], '[');
    assert_int_equal(out[2], '2');
    assert_int_equal(tui_paste_flush(&p, out), 0);
    /* a stray end marker is dropped; an ESC sequence inside a paste is not a key */
    bool done;
    assert_int_equal(tui_paste_feed(&p, TUI_KEY_PASTE_END, out, &done), 0);
    no = 0;
    assert_true(feed_str(&p, "\033[200~a\033[Bb\033[201~", outs, &no));
    assert_int_equal(no, 0);
    assert_string_equal(tui_paste_text(&p), "a[Bb");
    tui_paste_release(&p);
}

static void test_paste_bound_and_finish(void **state)
{
    struct tui_paste p;
    tui_paste_init(&p);
    int out[TUI_PASTE_OUT];
    bool done;
    tui_paste_feed(&p, TUI_KEY_PASTE_BEGIN, out, &done);
    for (int i = 0; i < TUI_PASTE_MAX + 100; i++)
        assert_int_equal(tui_paste_feed(&p, 'a' + i % 26, out, &done), 0);
    assert_int_equal(strlen(tui_paste_text(&p)), TUI_PASTE_MAX);
    assert_int_equal(tui_paste_dropped(&p), 100);
    /* the end never comes: the caller's timeout finishes it; held keys count as text */
    tui_paste_feed(&p, 27, out, &done);
    tui_paste_feed(&p, '[', out, &done);
    assert_int_equal(tui_paste_flush(&p, out), 0); /* inside a paste nothing is flushed */
    assert_true(tui_paste_finish(&p));
    assert_false(tui_paste_active(&p));
    assert_false(tui_paste_finish(&p));
    tui_paste_clear(&p);
    assert_int_equal(tui_paste_dropped(&p), 0);
    tui_paste_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_osc52_direct_tmux_screen),
        cmocka_unit_test(test_osc52_bound_and_via),
        cmocka_unit_test(test_paste_marker_keys),
        cmocka_unit_test(test_paste_raw_split),
        cmocka_unit_test(test_paste_not_a_marker),
        cmocka_unit_test(test_paste_bound_and_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
