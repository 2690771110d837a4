/* guard — the terminal is always given back. While the UI runs:
 *   - stderr goes to an unlinked temporary file (library chatter must not paint over the UI)
 *     and is copied back to the real stderr when the UI ends, normally or not;
 *   - SIGTERM, SIGINT and SIGHUP ask the loop to stop (a flag plus a write to the wake fd,
 *     both async-signal-safe), so shutdown joins threads as usual; a second one while
 *     stopping restores the terminal and exits at once;
 *   - SIGSEGV, SIGABRT, SIGBUS, SIGFPE restore the terminal (endwin once, guarded by a flag),
 *     copy the captured stderr back, then re-raise with the default action (core dumps stay
 *     as configured);
 *   - od_die() (out of memory, bugs) restores the terminal first through od_set_die_hook.
 * Process-wide state: one UI per process. */
#ifndef TUI_GUARD_H
#define TUI_GUARD_H
#include <stdbool.h>

/* Install the handlers and the die hook; wake_fd is written on a stop request (or -1). */
void tui_guard_install(int wake_fd);
void tui_guard_uninstall(void);
/* True once SIGTERM/SIGINT/SIGHUP arrived. */
bool tui_guard_stop_requested(void);
/* The signal that asked the loop to stop (SIGTERM, SIGINT, SIGHUP), or 0. */
int tui_guard_stop_signal(void);
/* term.c marks when curses owns the screen. */
void tui_guard_set_curses(bool active);
/* Redirect stderr to a temporary file; -1 with od_seterr (then stderr is untouched). */
int tui_guard_capture_stderr(void);
/* Put stderr back and copy what was captured to it. Safe to call when not capturing. */
void tui_guard_release_stderr(void);
/* Restore the terminal and stderr now (die hook, crash path). Async-signal-tolerant. */
void tui_guard_restore(void);

#endif
