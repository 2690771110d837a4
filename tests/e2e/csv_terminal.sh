# csv_terminal.sh — issue #12 item 6: `opsdeck report ... --format csv|json` printed in a real
# terminal (a tmux pane) shows the simulator's hostile names with their controls escaped
# (\x1b ...): the pane's title and screen are not changed by them and no colour reaches it; a
# CSV name beginning with = gets a leading '. To a file (--output, created 0600, never over an
# existing file or symlink) or a pipe the bytes are exact, and with --csv-raw equal to the
# database's values byte for byte.
. tests/lib/common.sh
. tests/lib/tui.sh

sim_start --scale 2000 --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_eq "data synced from the simulator" 0 $?
psql_db -c "UPDATE harvest_clients SET name = '=SUM(1+1)*cmd' WHERE name = 'Müller & Søn'" >/dev/null
t_eq "a client is renamed to a formula" 1 "$(psql_db -c "SELECT count(*) FROM harvest_clients WHERE name = '=SUM(1+1)*cmd'")"

# in_pane LABEL ARGS...: run `opsdeck report profitability ARGS` in a fresh 250x60 pane between
# two markers; sets TITLE0 (the pane title before) and leaves the pane open.
in_pane() {
    label=$1; shift
    TUI_SOCK="opsdeck-e2e-$$-$label"; TUI_STATUS="$T_TMP/$label.status"
    tui_start 250 60 OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" -- \
        sh -c "echo BEFORE-MARK; $OD_BIN report profitability $*; echo AFTER-MARK"
    tui_wait 'AFTER-MARK' 30 || t_fail "$label: the report ran" "$(tui_screen)"
}
pane_title() { tmx display-message -p -t "$TUI_SESSION" '#{pane_title}'; }
# pane_clean LABEL: title not set by an OSC, both markers still on screen (nothing cleared it)
pane_clean() {
    t=$(pane_title)
    case $t in *pwned*) t_fail "$1: the pane title is unchanged" "title: $t" ;; *) t_ok "$1: the pane title is unchanged ($t)" ;; esac
    if tui_screen | grep -q BEFORE-MARK && tui_screen | grep -q AFTER-MARK; then t_ok "$1: the screen was not cleared"
    else t_fail "$1: the screen was not cleared" "$(tui_screen | head -5)"; fi
}

in_pane csv --by client --format csv
screen=$(tmx capture-pane -p -J -t "$TUI_SESSION")
case $screen in *'\x1b[2J\x1b]0;pwned\x07Evil Corp'*) t_ok "csv: the terminal shows the ESC name escaped (\\x1b[2J\\x1b]0;pwned\\x07Evil Corp)" ;;
    *) t_fail "csv: the terminal shows the ESC name escaped" "$screen" ;; esac
case $screen in *"'=SUM(1+1)*cmd"*) t_ok "csv: the formula name has a leading '" ;;
    *) t_fail "csv: the formula name has a leading '" "$screen" ;; esac
case $screen in *'Acme \u202egnp.exe Holdings'*) t_ok "csv: the bidi override is shown as \\u202e" ;;
    *) t_fail "csv: the bidi override is shown as \\u202e" "$screen" ;; esac
pane_clean csv
tmx kill-server >/dev/null 2>&1

in_pane project --by project --format csv
screen=$(tmx capture-pane -p -J -t "$TUI_SESSION")
case $screen in *'\x1b[31mRED\x1b[0m Alert'*) t_ok "project: the colour sequence is shown escaped" ;;
    *) t_fail "project: the colour sequence is shown escaped" "$screen" ;; esac
case $screen in *'Phase\x091\x0aLaunch'*) t_ok "project: tab and newline in a name are shown escaped" ;;
    *) t_fail "project: tab and newline in a name are shown escaped" "$screen" ;; esac
if tmx capture-pane -p -e -t "$TUI_SESSION" | grep -q "$(printf '\033')\[[0-9;]*31m"; then
    t_fail "project: no red reached the pane" "$(tmx capture-pane -p -e -t "$TUI_SESSION" | grep -a RED | od -c | head)"
else t_ok "project: no red reached the pane"; fi
pane_clean project
tmx kill-server >/dev/null 2>&1

in_pane json --by client --format json
screen=$(tmx capture-pane -p -J -t "$TUI_SESSION")
case $screen in *'\u001b[2J\u001b]0;pwned\u0007Evil Corp'*'Acme \u202egnp.exe'*) t_ok "json: the terminal shows JSON escapes" ;;
    *) t_fail "json: the terminal shows JSON escapes" "$screen" ;; esac
pane_clean json
tmx kill-server >/dev/null 2>&1

# to files and pipes: exact bytes
"$OD_BIN" report profitability --by client --format csv --csv-raw --output "$T_TMP/raw.csv"
t_eq "--csv-raw --output exits 0" 0 $?
t_eq "--output file is mode 600" 600 "$(stat -c %a "$T_TMP/raw.csv")"
psql_db -F "$(printf '\t')" -c "SELECT id, encode(convert_to(name, 'UTF8'), 'hex') FROM harvest_clients" >"$T_TMP/db_names"
out=$(python3 - "$T_TMP/raw.csv" "$T_TMP/db_names" <<'PY'
import csv, sys
db = {}
for line in open(sys.argv[2]):
    k, h = line.rstrip("\n").split("\t")
    db[k] = bytes.fromhex(h)
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8', errors='surrogateescape')))
n = same = 0
for r in rows[1:-1]:
    n += 1
    same += r[1].encode('utf-8', 'surrogateescape') == db[r[0]]
hostile = sum(1 for r in rows[1:-1] if '\x1b' in r[1] or r[1].startswith('='))
print("rows=%d same=%d hostile=%d" % (n, same, hostile))
PY
)
n=$(printf '%s' "$out" | sed 's/rows=\([0-9]*\).*/\1/')
if [ -n "$n" ] && [ "$n" -gt 2 ] && [ "$out" = "rows=$n same=$n hostile=2" ]; then
    t_ok "--csv-raw: every name equals the database value byte for byte ($out)"
else t_fail "--csv-raw: every name equals the database value byte for byte" "$out"; fi

"$OD_BIN" report profitability --by client --format csv --output "$T_TMP/guarded.csv"
"$OD_BIN" report profitability --by client --format csv | cat >"$T_TMP/piped.csv"
t_check "a pipe gets the same bytes as --output" cmp "$T_TMP/guarded.csv" "$T_TMP/piped.csv"
out=$(python3 - "$T_TMP/guarded.csv" "$T_TMP/raw.csv" <<'PY'
import sys
g = open(sys.argv[1], 'rb').read()
r = open(sys.argv[2], 'rb').read()
print("esc_exact=%s guarded=%s no_text_escape=%s rest_equal=%s" % (
    b'\x1b[2J\x1b]0;pwned\x07Evil Corp' in g, b"'=SUM(1+1)*cmd" in g, b'\\x1b' not in g,
    g.replace(b"'=SUM", b"=SUM") == r))
PY
)
t_eq "to a file: ESC bytes exact, formula guarded, nothing else changed" \
    "esc_exact=True guarded=True no_text_escape=True rest_equal=True" "$out"

printf 'keep me\n' >"$T_TMP/exists.csv"
"$OD_BIN" report profitability --format csv --output "$T_TMP/exists.csv" 2>"$T_TMP/err"
t_eq "--output refuses an existing file (exit 1)" 1 $?
t_eq "the existing file is untouched" "keep me" "$(cat "$T_TMP/exists.csv")"
grep -q 'exists; not overwritten' "$T_TMP/err" && t_ok "the message says why" || t_fail "the message says why" "$(cat "$T_TMP/err")"
ln -s "$T_TMP/exists.csv" "$T_TMP/link.csv"
ln -s "$T_TMP/nowhere.csv" "$T_TMP/dangling.csv"
"$OD_BIN" report profitability --format csv --output "$T_TMP/link.csv" 2>/dev/null
t_eq "--output refuses a symlink (exit 1)" 1 $?
t_eq "the symlink's target is untouched" "keep me" "$(cat "$T_TMP/exists.csv")"
"$OD_BIN" report profitability --format csv --output "$T_TMP/dangling.csv" 2>/dev/null
t_check "a dangling symlink is not followed" test ! -e "$T_TMP/nowhere.csv"
t_done
