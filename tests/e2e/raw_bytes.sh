# raw_bytes.sh — every byte the console writes to the terminal, recorded with script(1) while
# it shows the simulator's hostile names (ESC/OSC sequences, bidi overrides, tabs, newlines)
# on Profitability, Exceptions and Sync: none of those sequences reaches the terminal raw
# (issue #5), while the names themselves are still shown (sanitized).
. tests/lib/common.sh
. tests/lib/tui.sh

command -v script >/dev/null 2>&1 || { t_fail "script(1) is installed (util-linux)"; t_done; }
sim_start --scale 2000 --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >/dev/null 2>&1
printf 'correct horse battery\n' | "$OD_BIN" user add ana@example.com --role admin >/dev/null 2>&1
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_eq "data synced from the simulator" 0 $?

LOG="$T_TMP/typescript"
tui_start 120 40 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
    OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 \
    XDG_STATE_HOME="$XDG_STATE_HOME" -- script -q -f -c "$OD_BIN ui" "$LOG"
t_screen "login form" 'Password' 15
tui_type ana@example.com; tui_keys Tab; tui_type 'correct horse battery'; tui_keys Enter
t_screen "logged in" '1 Sync.*2 Exceptions' 15
tui_keys 3
t_screen "Profitability lists the hostile client, sanitized" 'Evil Corp' 15
tui_keys /; tui_type Acme; tui_keys Enter
t_screen "filtered to the bidi-override client" 'Acme' 10
tui_keys Enter
t_screen "drilled into its projects" 'Projects' 10
tui_keys Escape Escape 2
t_screen "Exceptions shown" 'Severity|Kind' 15
tui_keys 1
t_screen "Sync shown" 'Provider|Resource' 15
tui_keys q
t_eq "quit with status 0" 0 "$(tui_exit 10)"

python3 - "$LOG" >"$T_TMP/raw.out" 2>&1 <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
bad = {
    b'\x1b]0;pwned': 'the OSC title-setting sequence from a client name',
    b'\x1b[2J\x1b]': 'the clear-screen + OSC from a client name',
    b'\x1b[31mRED': 'the colour sequence from a project name',
    b'\xe2\x80\xae': 'U+202E RIGHT-TO-LEFT OVERRIDE',
    b'\x07': 'BEL',
    b'Phase\t1': 'a raw tab from a project name',
}
found = [why for seq, why in bad.items() if seq in data]
print('bytes=%d' % len(data))
print('found: ' + ', '.join(found) if found else 'clean')
sys.exit(1 if found else 0)
PY
rc=$?
if [ $rc -eq 0 ] && [ "$(head -c 1000 "$LOG" | wc -c)" -gt 0 ]; then t_ok "no hostile sequence reached the terminal ($(head -1 "$T_TMP/raw.out"))"
else t_fail "no hostile sequence reached the terminal" "$(cat "$T_TMP/raw.out")"; fi
grep -q 'Evil Corp' "$LOG" && t_ok "the recording holds what was shown (the sanitized name)" ||
    t_fail "the recording holds what was shown" "$(head -c 400 "$LOG" | od -c | head)"
t_done
