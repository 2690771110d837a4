/* toast — transient messages on the status line. Info toasts expire after 4 s, warnings after
 * 8 s; errors stay until dismissed (tui_toast_dismiss, bound to Esc by the app when nothing
 * else uses it). The newest toast is shown, with a "(+N)" count of the others. Every message
 * also goes into a bounded log (the last 100) that `:messages` shows. Text is sanitized when
 * drawn. Times are passed in (od_now_ms()) so tests control the clock. */
#ifndef TUI_TOAST_H
#define TUI_TOAST_H
#include <stdint.h>
#include "tui/grid.h"

enum tui_toast_level { TUI_TOAST_INFO, TUI_TOAST_WARN, TUI_TOAST_ERROR };

#define TUI_TOAST_MAX 8
#define TUI_TOAST_LOG 100

struct tui_toast {
    enum tui_toast_level level;
    char *text;      /* owned */
    int64_t expires; /* monotonic ms; 0: until dismissed */
};

struct tui_toasts {
    struct tui_toast live[TUI_TOAST_MAX]; /* oldest first */
    int n;
    struct tui_toast log[TUI_TOAST_LOG]; /* ring; expires holds the time it was posted */
    int log_n, log_head;
};

void tui_toasts_release(struct tui_toasts *q);
void tui_toast_push(struct tui_toasts *q, enum tui_toast_level level, int64_t now,
                    const char *text);
/* Drop expired toasts; true when something disappeared (redraw). */
bool tui_toast_expire(struct tui_toasts *q, int64_t now);
/* When the next toast expires (ms, monotonic), or -1 when none will. */
int64_t tui_toast_next_expiry(const struct tui_toasts *q);
/* Remove the newest toast; false when there was none. */
bool tui_toast_dismiss(struct tui_toasts *q);
/* Draw the newest toast into one line; false (nothing drawn) when there is none. */
bool tui_toast_draw(const struct tui_toasts *q, struct tui_grid *g, int x, int y, int w);
/* The i-th logged message, newest first; NULL past the end. */
const struct tui_toast *tui_toast_logged(const struct tui_toasts *q, int i);

#endif
