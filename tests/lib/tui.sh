# tui.sh — drive the real console in tmux for end-to-end tests (sourced after common.sh).
#
#   tui_start COLS ROWS [ENV=VAL ...] -- CMD ARGS...   start CMD in a detached tmux session
#   tui_keys KEY...          tmux key names: Enter Tab BTab Escape Up Down PageDown C-c q 1 ...
#   tui_type TEXT            type literal text
#   tui_wait REGEX [SECS]    wait until the screen matches (extended regex); 1 on timeout
#   tui_gone REGEX [SECS]    wait until the screen no longer matches
#   tui_screen               print the screen as text
#   tui_resize COLS ROWS     resize the terminal
#   tui_exit [SECS]          wait for CMD to exit; prints its exit status
# A private tmux server (-L) is used, killed at exit. Nothing here sleeps a fixed time to
# decide a result: waits poll the screen until a deadline.

TUI_SOCK="opsdeck-e2e-$$"
TUI_SESSION=e2e
TUI_STATUS="$T_TMP/tui.status"

tmx() { tmux -L "$TUI_SOCK" "$@"; }

tui_start() {
    cols=$1; rows=$2; shift 2
    envs=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
    [ "${1:-}" = "--" ] && shift
    rm -f "$TUI_STATUS"
    script="$T_TMP/tui.cmd"
    {
        echo "#!/bin/sh"
        echo "cd '$PWD'"
        for e in $envs; do echo "export $e"; done
        printf 'exec_status() { "$@"; echo $? > "%s"; }\n' "$TUI_STATUS"
        printf 'exec_status'
        for a in "$@"; do printf " '%s'" "$a"; done
        echo
        echo "sleep 600"
    } >"$script"
    chmod +x "$script"
    tmx -f /dev/null new-session -d -s "$TUI_SESSION" -x "$cols" -y "$rows" \
        "env TERM=${TUI_TERM:-xterm-256color} sh $script"
    tmx set-option -t "$TUI_SESSION" status off >/dev/null 2>&1
    tmx set-option -g window-size manual >/dev/null 2>&1 || true
}

tui_keys() { for k in "$@"; do tmx send-keys -t "$TUI_SESSION" "$k"; done; }
tui_type() { tmx send-keys -t "$TUI_SESSION" -l "$1"; }
tui_screen() { tmx capture-pane -p -t "$TUI_SESSION" 2>/dev/null; }

tui_wait() {
    deadline=$(( $(date +%s) + ${2:-10} ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        tui_screen | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

tui_gone() {
    deadline=$(( $(date +%s) + ${2:-10} ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        tui_screen | grep -Eq -- "$1" || return 0
        sleep 0.1
    done
    return 1
}

tui_resize() { tmx resize-window -t "$TUI_SESSION" -x "$1" -y "$2"; }

tui_exit() {
    deadline=$(( $(date +%s) + ${1:-10} ))
    while [ ! -s "$TUI_STATUS" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.1; done
    cat "$TUI_STATUS" 2>/dev/null || echo timeout
}

# t_screen DESC REGEX [SECS]: a test point that passes when the screen shows REGEX.
t_screen() {
    if tui_wait "$2" "${3:-10}"; then t_ok "$1"; else t_fail "$1" "screen:
$(tui_screen)"; fi
}

tui_cleanup() { tmx kill-server >/dev/null 2>&1; t_cleanup; }
trap tui_cleanup EXIT
