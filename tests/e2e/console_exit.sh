# console_exit.sh — issue #16, the console as a newcomer meets it, in tmux:
# - the login screen's status line shows only the keys that work there (Tab, Enter, the control
#   key bound to quit), not "? help / filter s sort : command p pause q quit", and those letters
#   type into the Email field instead;
# - SIGTERM and SIGINT end `opsdeck ui` with 128+N (143, 130) once the terminal is restored:
#   the pane is back on the normal screen (not the alternate one) in cooked mode with echo;
# - with an unreachable database, leaving the console prints the reason and where the database
#   URL came from.
# With a sanitizer build any ASan/UBSan/LSan report fails.
. tests/lib/common.sh
. tests/lib/tui.sh

db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >"$T_TMP/keygen.log" 2>&1 || { t_fail "keygen" "$(cat "$T_TMP/keygen.log")"; t_done; }
export OPSDECK_SYNC_WORKERS=0
mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$T_TMP/san/ubsan"

# start_ui LABEL: the console at its login form in a fresh tmux server; UI_PID is its pid.
start_ui() {
    TUI_SOCK="opsdeck-e2e-$$-$1"
    rm -f "$T_TMP/ui.pid"
    tui_start 100 30 -- sh -c "echo \$\$ >$T_TMP/ui.pid; exec $OD_BIN ui"
    tui_wait 'Password' 10 || t_fail "$1: login form shows" "$(tui_screen)"
    UI_PID=$(cat "$T_TMP/ui.pid" 2>/dev/null)
}
status_line() { tui_screen | tail -n 1; }
alt_screen() { tmx display-message -p -t "$TUI_SESSION" '#{alternate_on}'; }
pane_stty() { stty -F "$(tmx display-message -p -t "$TUI_SESSION" '#{pane_tty}')" -a 2>&1; }

# --- the login screen's status line
start_ui login
line=$(status_line)
case "$line" in
*Tab*"next field"*Enter*"log in"*C-c*quit*) t_ok "login status line: Tab next field, Enter log in, C-c quit" ;;
*) t_fail "login status line: Tab next field, Enter log in, C-c quit" "$line" ;;
esac
case "$line" in
*help* | *filter* | *sort* | *command* | *pause*) t_fail "login status line advertises no key that types instead" "$line" ;;
*) t_ok "login status line advertises no key that types instead" ;;
esac
tui_type 'q?/sp:'
if tui_wait 'Email.*q\?/sp:' 5; then t_ok "q ? / s p : type into the Email field"
else t_fail "q ? / s p : type into the Email field" "$(tui_screen)"; fi
t_eq "the console is still running after those keys" "" "$(cat "$TUI_STATUS" 2>/dev/null)"
t_eq "the status line is unchanged (no command line, no help)" "$line" "$(status_line)"
t_eq "the console is on the alternate screen while it runs" 1 "$(alt_screen)"

# --- SIGTERM: 143, terminal restored
kill -TERM "$UI_PID"
t_eq "SIGTERM: opsdeck ui exits 143" 143 "$(tui_exit 15)"
t_eq "SIGTERM: back on the normal screen" 0 "$(alt_screen)"
if tui_screen | grep -q 'log in'; then t_fail "SIGTERM: the login form is gone from the screen" "$(tui_screen)"
else t_ok "SIGTERM: the login form is gone from the screen"; fi
st=$(pane_stty)
case "$st" in
*" icanon "*) t_ok "SIGTERM: the terminal is in cooked mode (icanon)" ;;
*) t_fail "SIGTERM: the terminal is in cooked mode (icanon)" "$st" ;;
esac
case "$st" in
*" echo "*) t_ok "SIGTERM: echo is back on" ;;
*) t_fail "SIGTERM: echo is back on" "$st" ;;
esac
tmx kill-server >/dev/null 2>&1

# --- SIGINT (from outside: inside the console C-c is a key): 130
start_ui int
kill -INT "$UI_PID"
t_eq "SIGINT: opsdeck ui exits 130" 130 "$(tui_exit 15)"
t_eq "SIGINT: back on the normal screen" 0 "$(alt_screen)"
tmx kill-server >/dev/null 2>&1

# --- q still quits with 0 once logged in is covered by console.sh; C-c on the form quits with 0
start_ui cc
tui_keys C-c
t_eq "C-c on the login form quits with 0" 0 "$(tui_exit 15)"
tmx kill-server >/dev/null 2>&1

# --- an unreachable database: the console says so, and after it the shell gets the reason and
# where the URL came from
TUI_SOCK="opsdeck-e2e-$$-nodb"
tui_start 100 30 OPSDECK_DATABASE_URL=postgresql:///opsdeck?host=$T_TMP/nopg -- "$OD_BIN" ui
t_screen "no database: the console shows the connection error" 'cannot connect to the database' 15
tui_keys C-c
t_eq "no database: C-c quits with 0" 0 "$(tui_exit 15)"
t_screen "no database: after the console, the reason on the terminal" 'opsdeck ui: cannot connect to the database: connection to server'
t_screen "no database: and where the URL came from" 'hint: the database URL came from the environment variable OPSDECK_DATABASE_URL'
tmx kill-server >/dev/null 2>&1

if ls "$T_TMP/san/"* >/dev/null 2>&1; then t_fail "no sanitizer report" "$(head -40 "$T_TMP/san/"*)"
else t_ok "no sanitizer report"; fi
t_done
