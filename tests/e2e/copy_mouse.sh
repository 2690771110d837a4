# copy_mouse.sh — issue #16 item 8: copy, paste and the mouse in the real console, in tmux,
# against the real database and the simulator.
#   - `y` on a Profitability row copies it with OSC 52: tmux (set-clipboard on) makes a paste
#     buffer of it, which holds the row's cells separated by tabs, as the screen shows them;
#     the raw output has the plain sequence and the one wrapped for tmux's passthrough;
#   - a click on a column header sorts by it (again: reversed); a click on a row selects it;
#     the wheel scrolls;
#   - a bracketed paste into the filter puts the text in the field: a line break becomes a
#     space, a `q` in it does not quit; the console turns the mode on and, at exit, off;
#   - on the OAuth screen the address is one line without box characters (tmux joins its
#     wrapped rows: capture-pane -J), sent as an OSC 8 hyperlink, and `y` copies it whole;
#   - with ui.osc52 = off, `y` says copying is off and how to turn it on.
. tests/lib/common.sh
. tests/lib/tui.sh

sim_start --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >/dev/null 2>&1 || { t_fail "keygen"; t_done; }
printf 'ana password 123\nana password 123\n' |
    "$OD_BIN" user add ana@example.com --role admin >/dev/null 2>&1
t_eq "admin user created" 0 $?
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_eq "data synced from the simulator" 0 $?

line() { tui_screen | sed -n "${1}p"; }
squeeze() { tr '\t' ' ' | sed 's/  */ /g; s/^ //; s/ $//'; }
# click X Y / wheel_down X Y: SGR mouse reports (1-based cells), as a terminal sends them
click() { tui_type "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2")"; }
wheel_down() { tui_type "$(printf '\033[<65;%d;%dM' "$1" "$2")"; }
# col_of TEXT LINE: the 1-based column where TEXT starts on screen line LINE
col_of() { line "$2" | python3 -c "import sys; l = sys.stdin.read(); i = l.find(sys.argv[1]); print(i + 1 if i >= 0 else 0)" "$1"; }
buffer() { tmx show-buffer 2>/dev/null; }
# wait_buffer OLD: until tmux has a paste buffer different from OLD (10 s)
wait_buffer() {
    i=0; while [ "$(buffer)" = "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
ENVS="HOME=$T_TMP/home XDG_STATE_HOME= OPSDECK_LOG_FILE=$T_TMP/ui.log
    OPSDECK_SECRETS_KEY_FILE=$OPSDECK_SECRETS_KEY_FILE OPSDECK_DATABASE_URL=$OPSDECK_DATABASE_URL
    OPSDECK_SYNC_WORKERS=0 OPSDECK_HUBSPOT_AUTH_URL=$OPSDECK_HUBSPOT_AUTH_URL
    OPSDECK_HUBSPOT_CLIENT_ID=$OPSDECK_HUBSPOT_CLIENT_ID
    OPSDECK_HUBSPOT_CLIENT_SECRET=$OPSDECK_HUBSPOT_CLIENT_SECRET"
# 160x10: four client rows on screen, so there is something to scroll
tui_start 160 10 $ENVS -- "$OD_BIN" ui
tmx set-option -g set-clipboard on
tmx pipe-pane -O -t "$TUI_SESSION" "cat >> '$T_TMP/raw.out'"
tui_wait 'Password' 10 || t_fail "login form" "$(tui_screen)"
tui_type ana@example.com; tui_keys Tab; tui_type 'ana password 123'; tui_keys Enter
t_screen "logged in" '1 Sync.*3 Profitability' 15
t_screen "the key hints list y copy" 'y copy' 5
tui_keys 3
t_screen "Profitability rows" '^Total \(all [0-9]+\)' 15

# --- y copies the selected row (the first) with OSC 52 ---
tui_keys y
t_screen "y says how many characters it copied" 'copied [0-9]+ characters' 5
wait_buffer ""
row=$(line 4 | squeeze)
got=$(buffer)
t_eq "tmux's paste buffer is the selected row as the screen shows it" "$row" "$(printf '%s' "$got" | squeeze)"
ncells=$(printf '%s' "$got" | awk -F '\t' '{print NF}')
ncols=$(line 3 | squeeze | wc -w)
if [ "$ncells" -ge 9 ]; then t_ok "the cells are separated by tabs ($ncells cells)"
else t_fail "the cells are separated by tabs" "cells: $ncells; buffer: $got"; fi
b64=$(printf '%s' "$got" | base64 -w0)
if grep -qF "$(printf '\033]52;c;%s\007' "$b64")" "$T_TMP/raw.out"; then
    t_ok "the raw output has ESC ] 52 ; c ; base64-of-the-row BEL"
else t_fail "the raw output has ESC ] 52 ; c ; base64-of-the-row BEL" "$(od -c "$T_TMP/raw.out" | tail -5)"; fi
if grep -qF "$(printf '\033Ptmux;\033\033]52;c;%s\007\033\\' "$b64")" "$T_TMP/raw.out"; then
    t_ok "... and the same wrapped for tmux's passthrough (ESC P tmux; ESC ESC ] 52 ...)"
else t_fail "... and the same wrapped for tmux's passthrough" "$(od -c "$T_TMP/raw.out" | tail -5)"; fi
t_eq "the console turned the mouse on (SGR reports)" "1 1" \
    "$(tmx display-message -p -t "$TUI_SESSION" '#{mouse_standard_flag} #{mouse_sgr_flag}')"

# --- a suspend (SIGTSTP) turns bracketed paste off, continuing turns it on ---
n_off() { grep -ao "$(printf '\033\\[?2004l')" "$T_TMP/raw.out" | wc -l; }
n_on() { grep -ao "$(printf '\033\\[?2004h')" "$T_TMP/raw.out" | wc -l; }
off0=$(n_off) on0=$(n_on)
pid=$(pgrep -P "$(tmx display-message -p -t "$TUI_SESSION" '#{pane_pid}')" | head -1)
kill -TSTP "$pid"
i=0; while [ "$(n_off)" -le "$off0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "stopped (SIGTSTP), the console turned bracketed paste off" $((off0 + 1)) "$(n_off)"
kill -CONT "$pid"
i=0; while [ "$(n_on)" -le "$on0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "continued, it turned it on again" $((on0 + 1)) "$(n_on)"
tui_keys C-l
t_screen "... and the console is back" '^Total \(all [0-9]+\)' 5

# --- a click on a column header sorts by it ---
x=$(col_of Margin 3)
click "$x" 3
t_screen "a click on the Margin header sorts by margin, largest first" '^Client .*Margin▼' 5
click "$x" 3
t_screen "a second click reverses it" '^Client .*Margin▲' 5
x=$(col_of Client 3)
click "$x" 3
t_screen "a click on Client sorts by name, A-Z" '^Client▲' 5
first=$(line 4)

# --- Sync sorts by a clicked header too (the table's own sort) ---
tui_keys 1
t_screen "Sync" '^ *ID +Provider +Resource' 10
x=$(col_of Provider 2)
click "$x" 2
i=0; while ! line 3 | grep -Eq '^ +[0-9]+ harvest ' && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if line 3 | grep -Eq '^ +[0-9]+ harvest '; then t_ok "a click on Sync's Provider header sorts by provider, A-Z"
else t_fail "a click on Sync's Provider header sorts by provider, A-Z" "$(tui_screen)"; fi
click "$x" 2
i=0; while ! line 3 | grep -Eq '^ +[0-9]+ system ' && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if line 3 | grep -Eq '^ +[0-9]+ system '; then t_ok "a second click reverses it (system first)"
else t_fail "a second click reverses it (system first)" "$(tui_screen)"; fi
tui_keys 3
t_screen "back on Profitability" '^Client▲' 10

# --- a click on a row selects it; y copies that one ---
click 5 6
old=$(buffer)
tui_keys y
wait_buffer "$old"
t_eq "a click on the third row selects it: y copies it" "$(line 6 | squeeze)" "$(buffer | squeeze)"

# --- the wheel scrolls ---
wheel_down 20 6
i=0; while [ "$(line 4)" = "$first" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(line 4)" != "$first" ]; then t_ok "the wheel scrolls the rows"
else t_fail "the wheel scrolls the rows" "$(tui_screen)"; fi

# --- a bracketed paste into the filter ---
tui_keys /
tui_type "$(printf '\033[200~co\nq\033[201~')"
t_screen "the pasted text is in the filter, its line break a space" '^/co q ' 5
t_screen "... nothing ran: the q did not quit, the filter is applied" 'no rows match "co q"' 5
tui_keys Escape
t_screen "Esc clears it" '^Total \(all [0-9]+\)' 5
# tmux's own paste (paste-buffer -p) brackets the text only when the application turned the
# mode on; unbracketed, its line break would be Enter and the q would quit
tmx set-buffer -b pasted "$(printf 'ev\nq')"
tui_keys /
tmx paste-buffer -p -b pasted -t "$TUI_SESSION"
t_screen "tmux pastes bracketed (the mode is on): the text lands in the filter" '^/ev q ' 5
t_screen "... and nothing in it ran" 'no rows match "ev q"' 5
tui_keys Escape

# --- the OAuth address: one line, no box, a hyperlink, copied whole by y ---
tui_resize 160 24
tui_keys 5
t_screen "Admin" 'Users' 10
tui_keys c
t_screen "the OAuth flow shows" 'Connect HubSpot' 10
t_screen "its address is on screen" '^http://127\.0\.0\.1:[0-9]+/oauth/authorize\?' 5
joined=$(tmx capture-pane -p -J -t "$TUI_SESSION" | grep '/oauth/authorize?')
url=$(printf '%s' "$joined" | sed 's/ *$//')
case "$url" in
http://127.0.0.1:*/oauth/authorize\?*state=*) t_ok "the address is one line (tmux joins its wrapped rows)" ;;
*) t_fail "the address is one line (tmux joins its wrapped rows)" "$(tmx capture-pane -p -J -t "$TUI_SESSION")" ;;
esac
if [ ${#url} -gt 160 ]; then t_ok "... longer than the terminal is wide (${#url} characters)"
else t_fail "... longer than the terminal is wide" "${#url}: $url"; fi
# box drawing is U+2500..U+257F (a byte-wise grep would also match "…" in "loading…")
if tui_screen | python3 -c "import sys; sys.exit(any(0x2500 <= ord(c) <= 0x257f for c in sys.stdin.read()))"
then t_ok "no box characters on the OAuth screen"
else t_fail "no box characters on the OAuth screen" "$(tui_screen)"; fi
if grep -qF "$(printf '\033]8;;%s\033\\' "$url")" "$T_TMP/raw.out"; then
    t_ok "the address is sent as an OSC 8 hyperlink to itself"
else t_fail "the address is sent as an OSC 8 hyperlink to itself" "$(grep -ao '.]8;;[^\\]*' "$T_TMP/raw.out" | head -3)"; fi
old=$(buffer)
tui_keys y
wait_buffer "$old"
t_eq "y copies the whole address" "$url" "$(buffer)"
tui_type "$(printf '\033[200~%s\033[201~' "$url")"
t_screen "a pasted address goes into the redirect field, not typed as keys" '^ ?http://127\.0\.0\.1:[0-9]+/oauth/authorize\?.*[^ ]$' 5
tui_keys Escape
tui_keys q
t_eq "the console quits with status 0" 0 "$(tui_exit 10)"
if grep -qF "$(printf '\033[?2004l')" "$T_TMP/raw.out"; then t_ok "bracketed paste is turned off at exit"
else t_fail "bracketed paste is turned off at exit"; fi
tmx kill-server >/dev/null 2>&1

# --- ui.osc52 = off, ui.mouse = off ---
TUI_SOCK="opsdeck-e2e-$$-off"
tui_start 120 12 $ENVS OPSDECK_UI_OSC52=off OPSDECK_UI_MOUSE=off -- "$OD_BIN" ui
tui_wait 'Password' 10 || t_fail "login form (osc52 off)" "$(tui_screen)"
tui_type ana@example.com; tui_keys Tab; tui_type 'ana password 123'; tui_keys Enter
t_screen "logged in (osc52 off)" '1 Sync' 15
tui_keys 3
t_screen "Profitability rows (osc52 off)" '^Total \(all [0-9]+\)' 15
tui_keys y
t_screen "with ui.osc52 = off, y says copying is off and how to turn it on" \
    'copying is off \(ui\.osc52 = off\): set ui\.osc52 = on' 5
t_eq "with ui.mouse = off the terminal keeps the mouse" "0 0" \
    "$(tmx display-message -p -t "$TUI_SESSION" '#{mouse_standard_flag} #{mouse_sgr_flag}')"
tui_keys q
t_eq "quits" 0 "$(tui_exit 10)"
if ls "$T_TMP"/san/asan* >/dev/null 2>&1; then t_fail "no sanitizer reports" "$(cat "$T_TMP"/san/asan*)"
else t_ok "no sanitizer reports"; fi
t_done
