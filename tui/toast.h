/* toast — transient messages on the status line. Info toasts expire after 4 s, warnings after
 * 8 s; errors stay until dismissed (tui_toast_dismiss: Esc dismisses a warning or an error
 * shown before anything else Esc would close). The newest toast is shown, with a "(+N)" count of the others. The same message
 * pushed again while it shows is not stacked twice (it moves to the front), and dismissing a
 * message removes every live copy of it.
 *
 * A message about a lasting condition (a read that keeps failing, the listener down) is pushed
 * with a key (tui_toast_push_key): once the person dismissed it, the same key and text are not
 * shown again — whatever refreshes, resizes or retries push it — until the condition ends
 * (tui_toast_clear_key, which also takes the message off the line). Every message also goes into
 * a bounded log (the last 100) that `:messages` shows. Text is sanitized when drawn. Times are
 * passed in (od_now_ms()) so tests control the clock. */
#ifndef TUI_TOAST_H
#define TUI_TOAST_H
#include <stdint.h>
#include "tui/grid.h"

enum tui_toast_level { TUI_TOAST_INFO, TUI_TOAST_WARN, TUI_TOAST_ERROR };

#define TUI_TOAST_MAX 8
#define TUI_TOAST_LOG 100

#define TUI_TOAST_KEYS 16

struct tui_toast {
    enum tui_toast_level level;
    char *text;      /* owned */
    int64_t expires; /* monotonic ms; 0: until dismissed */
    char key[32];    /* the condition it is about ("" none) */
};

struct tui_toasts {
    struct tui_toast live[TUI_TOAST_MAX]; /* oldest first */
    int n;
    struct tui_toast log[TUI_TOAST_LOG]; /* ring; expires holds the time it was posted */
    int log_n, log_head;
    struct {
        char key[32];
        char *text; /* owned: what was dismissed under key */
    } dismissed[TUI_TOAST_KEYS];
};

void tui_toasts_release(struct tui_toasts *q);
void tui_toast_push(struct tui_toasts *q, enum tui_toast_level level, int64_t now,
                    const char *text);
/* The same for a message about a condition (key, e.g. "feed:sync.jobs"): not shown when
 * the person dismissed this key with this text (it is still logged). */
void tui_toast_push_key(struct tui_toasts *q, const char *key, enum tui_toast_level level,
                        int64_t now, const char *text);
/* The condition ended: its message leaves the line and may show again when it comes back.
 * True when a live message went (redraw). */
bool tui_toast_clear_key(struct tui_toasts *q, const char *key);
/* Drop expired toasts; true when something disappeared (redraw). */
bool tui_toast_expire(struct tui_toasts *q, int64_t now);
/* When the next toast expires (ms, monotonic), or -1 when none will. */
int64_t tui_toast_next_expiry(const struct tui_toasts *q);
/* Remove the newest toast (and every live copy of its text; a keyed one is remembered as
 * dismissed); false when there was none. */
bool tui_toast_dismiss(struct tui_toasts *q);
/* The level of the toast shown (the newest), or -1 when none is. */
int tui_toast_shown_level(const struct tui_toasts *q);
/* Draw the newest toast into one line; false (nothing drawn) when there is none. */
bool tui_toast_draw(const struct tui_toasts *q, struct tui_grid *g, int x, int y, int w);
/* The i-th logged message, newest first; NULL past the end. */
const struct tui_toast *tui_toast_logged(const struct tui_toasts *q, int i);

#endif
