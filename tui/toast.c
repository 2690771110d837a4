/* toast — status-line messages; see toast.h. */
#include "tui/toast.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"

static const int64_t lifetime_ms[] = {4000, 8000, 0};
static const char *const prefix[] = {"", "warning: ", "error: "};

void tui_toasts_release(struct tui_toasts *q)
{
    for (int i = 0; i < q->n; i++)
        free(q->live[i].text);
    for (int i = 0; i < TUI_TOAST_LOG; i++)
        free(q->log[i].text);
    for (int i = 0; i < TUI_TOAST_KEYS; i++)
        free(q->dismissed[i].text);
    memset(q, 0, sizeof *q);
}

static void drop_live(struct tui_toasts *q, int i)
{
    free(q->live[i].text);
    memmove(q->live + i, q->live + i + 1, sizeof q->live[0] * (size_t)(q->n - i - 1));
    q->n--;
}

static void log_push(struct tui_toasts *q, enum tui_toast_level level, int64_t now,
                     const char *text)
{
    struct tui_toast *l = &q->log[q->log_head];
    free(l->text);
    *l = (struct tui_toast){level, od_xstrdup(text), now, ""};
    q->log_head = (q->log_head + 1) % TUI_TOAST_LOG;
    if (q->log_n < TUI_TOAST_LOG) q->log_n++;
}

static void live_push(struct tui_toasts *q, const char *key, enum tui_toast_level level,
                      int64_t now, const char *text)
{
    for (int i = q->n - 1; i >= 0; i--) /* the same message again: to the front, not twice */
        if (q->live[i].level == level && !strcmp(q->live[i].text, text) &&
            !strcmp(q->live[i].key, key))
            drop_live(q, i);
    if (q->n == TUI_TOAST_MAX) { /* drop the oldest */
        free(q->live[0].text);
        memmove(q->live, q->live + 1, sizeof q->live[0] * (TUI_TOAST_MAX - 1));
        q->n--;
    }
    int64_t life = lifetime_ms[level];
    struct tui_toast *t = &q->live[q->n++];
    *t = (struct tui_toast){level, od_xstrdup(text), life ? now + life : 0, ""};
    snprintf(t->key, sizeof t->key, "%s", key);
}

void tui_toast_push(struct tui_toasts *q, enum tui_toast_level level, int64_t now, const char *text)
{
    live_push(q, "", level, now, text);
    log_push(q, level, now, text);
}

static int dismissed_slot(const struct tui_toasts *q, const char *key)
{
    for (int i = 0; i < TUI_TOAST_KEYS; i++)
        if (q->dismissed[i].text && !strcmp(q->dismissed[i].key, key)) return i;
    return -1;
}

void tui_toast_push_key(struct tui_toasts *q, const char *key, enum tui_toast_level level,
                        int64_t now, const char *text)
{
    int d = key && *key ? dismissed_slot(q, key) : -1;
    if (d >= 0 && !strcmp(q->dismissed[d].text, text)) return; /* dismissed: stays so */
    bool showing = false;
    for (int i = 0; i < q->n; i++)
        showing = showing || (!strcmp(q->live[i].key, key ? key : "") &&
                              !strcmp(q->live[i].text, text) && q->live[i].level == level);
    if (showing) return; /* already on the line: a repeat is not news */
    live_push(q, key ? key : "", level, now, text);
    log_push(q, level, now, text);
}

bool tui_toast_clear_key(struct tui_toasts *q, const char *key)
{
    int d = dismissed_slot(q, key);
    if (d >= 0) {
        free(q->dismissed[d].text);
        q->dismissed[d].text = NULL;
        q->dismissed[d].key[0] = '\0';
    }
    bool gone = false;
    for (int i = q->n - 1; i >= 0; i--)
        if (!strcmp(q->live[i].key, key)) {
            drop_live(q, i);
            gone = true;
        }
    return gone;
}

bool tui_toast_expire(struct tui_toasts *q, int64_t now)
{
    int out = 0;
    for (int i = 0; i < q->n; i++) {
        if (q->live[i].expires && q->live[i].expires <= now)
            free(q->live[i].text);
        else
            q->live[out++] = q->live[i];
    }
    bool changed = out != q->n;
    q->n = out;
    return changed;
}

int64_t tui_toast_next_expiry(const struct tui_toasts *q)
{
    int64_t next = -1;
    for (int i = 0; i < q->n; i++)
        if (q->live[i].expires && (next < 0 || q->live[i].expires < next))
            next = q->live[i].expires;
    return next;
}

/* Remember that the person dismissed key's message (the oldest memory makes room). */
static void remember(struct tui_toasts *q, const char *key, const char *text)
{
    int d = dismissed_slot(q, key);
    for (int i = 0; d < 0 && i < TUI_TOAST_KEYS; i++)
        if (!q->dismissed[i].text) d = i;
    if (d < 0) {
        free(q->dismissed[0].text);
        memmove(q->dismissed, q->dismissed + 1, sizeof q->dismissed[0] * (TUI_TOAST_KEYS - 1));
        d = TUI_TOAST_KEYS - 1;
        q->dismissed[d].text = NULL;
    }
    free(q->dismissed[d].text);
    size_t n = strnlen(key, sizeof q->dismissed[d].key - 1);
    memmove(q->dismissed[d].key, key, n); /* key may be a live toast's: no overlap assumed */
    q->dismissed[d].key[n] = '\0';
    q->dismissed[d].text = od_xstrdup(text);
}

bool tui_toast_dismiss(struct tui_toasts *q)
{
    if (q->n == 0) return false;
    char *text = od_xstrdup(q->live[q->n - 1].text);
    for (int i = q->n - 1; i >= 0; i--)
        if (!strcmp(q->live[i].text, text)) {
            if (q->live[i].key[0]) remember(q, q->live[i].key, text);
            drop_live(q, i);
        }
    free(text);
    return true;
}

bool tui_toast_draw(const struct tui_toasts *q, struct tui_grid *g, int x, int y, int w)
{
    if (q->n == 0 || w <= 0) return false;
    static const uint8_t role[] = {TUI_ROLE_TOAST_INFO, TUI_ROLE_TOAST_WARN, TUI_ROLE_TOAST_ERROR};
    const struct tui_toast *t = &q->live[q->n - 1];
    char more[24] = "";
    if (q->n > 1) snprintf(more, sizeof more, " (+%d)", q->n - 1);
    char *msg = od_xasprintf("%s%s%s", prefix[t->level], t->text,
                             t->level == TUI_TOAST_ERROR ? "  [Esc]" : "");
    int mw = tui_text_width(more);
    tui_grid_fill(g, (struct tui_rect){x, y, w, 1}, ' ', role[t->level]);
    tui_grid_text(g, x, y, w - mw, msg, role[t->level]);
    tui_grid_text(g, x + w - mw, y, mw, more, TUI_ROLE_DIM);
    free(msg);
    return true;
}

const struct tui_toast *tui_toast_logged(const struct tui_toasts *q, int i)
{
    if (i < 0 || i >= q->log_n) return NULL;
    return &q->log[(q->log_head - 1 - i + 2 * TUI_TOAST_LOG) % TUI_TOAST_LOG];
}

int tui_toast_shown_level(const struct tui_toasts *q)
{
    return q->n ? (int)q->live[q->n - 1].level : -1;
}
