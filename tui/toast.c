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
    memset(q, 0, sizeof *q);
}

void tui_toast_push(struct tui_toasts *q, enum tui_toast_level level, int64_t now, const char *text)
{
    if (q->n == TUI_TOAST_MAX) { /* drop the oldest */
        free(q->live[0].text);
        memmove(q->live, q->live + 1, sizeof q->live[0] * (TUI_TOAST_MAX - 1));
        q->n--;
    }
    int64_t life = lifetime_ms[level];
    q->live[q->n++] = (struct tui_toast){level, od_xstrdup(text), life ? now + life : 0};
    struct tui_toast *l = &q->log[q->log_head];
    free(l->text);
    *l = (struct tui_toast){level, od_xstrdup(text), now};
    q->log_head = (q->log_head + 1) % TUI_TOAST_LOG;
    if (q->log_n < TUI_TOAST_LOG) q->log_n++;
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

bool tui_toast_dismiss(struct tui_toasts *q)
{
    if (q->n == 0) return false;
    free(q->live[--q->n].text);
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
