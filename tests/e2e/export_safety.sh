# export_safety.sh — issue #12 items 2 and 5, driven the way a console user would: `:export`
# can write only into the export folder (0700), files 0600, never over a file without a yes,
# never through a symlink, with roles and --readonly applied (account_manager, admin, ops,
# account_manager --readonly); `:export csv` alone works on a fresh HOME with no XDG dirs;
# CSV text cells that start a formula get a leading ' while the hostile ESC name stays exact in
# the file; `:theme` takes a theme NAME only and an error never shows a value of the file it
# read (a config with secrets), neither on screen nor in :messages.
. tests/lib/common.sh
. tests/lib/tui.sh

sim_start --scale 2000 --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >/dev/null 2>&1 || { t_fail "keygen"; t_done; }
add_user() { printf '%s\n%s\n' "$3" "$3" | "$OD_BIN" user add "$1" --role "$2" >/dev/null 2>&1; }
add_user amy@example.com account_manager 'amy password 123' &&
    add_user ana@example.com admin 'ana password 123' &&
    add_user oscar@example.com ops 'oscar password 123'
t_eq "users created (account_manager, admin, ops)" 0 $?
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_eq "data synced from the simulator" 0 $?
# a client name that is a spreadsheet formula (the simulator already has ESC/OSC names)
psql_db -c "UPDATE harvest_clients SET name = '=SUM(1+1)*cmd' WHERE name = 'Müller & Søn'" >/dev/null
t_eq "a client is renamed to a formula" 1 "$(psql_db -c "SELECT count(*) FROM harvest_clients WHERE name = '=SUM(1+1)*cmd'")"

# With a sanitizer build (OD_BIN=build-asan/bin/opsdeck) reports go to files, checked at quit.
mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$T_TMP/san/ubsan"

VICTIM="$T_TMP/victim.txt"
printf 'precious bytes\n' >"$VICTIM"
cp "$VICTIM" "$T_TMP/victim.orig"
FRESH="$T_TMP/fresh-home" # does not exist: no ~/.local, no XDG dirs
EXPORTS="$FRESH/.local/state/opsdeck/exports"
victim_intact() { # desc
    if cmp -s "$VICTIM" "$T_TMP/victim.orig" && [ ! -L "$VICTIM" ]; then t_ok "$1"
    else t_fail "$1" "$(od -c "$VICTIM" | head -3)"; fi
}
mode() { stat -c %a "$1" 2>/dev/null; }
nfiles() { find "$EXPORTS" -mindepth 1 2>/dev/null | wc -l | tr -d ' '; }

# console LABEL EMAIL PASSWORD [ui args]: a logged-in console, 200 columns wide (toasts with
# full paths fit), HOME fresh, XDG_STATE_HOME empty (so ~/.local/state), log file elsewhere.
console() {
    label=$1 email=$2 pw=$3; shift 3
    TUI_SOCK="opsdeck-e2e-$$-$label"; TUI_STATUS="$T_TMP/$label.status"
    tui_start 200 30 HOME="$FRESH" XDG_STATE_HOME= OPSDECK_LOG_FILE="$T_TMP/logs/$label.log" \
        OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
        OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 -- "$OD_BIN" ui "$@"
    tui_wait 'Password' 10 || t_fail "$label: login form" "$(tui_screen)"
    tui_type "$email"; tui_keys Tab; tui_type "$pw"; tui_keys Enter
    t_screen "$label: logged in (the title shows email and role)" "$email \\(" 15
}
cmd() { tui_keys : ; tui_type "$1"; tui_keys Enter; }
quit() {
    tui_keys Escape q
    t_eq "$1: quits with status 0" 0 "$(tui_exit 10)"
    tmx kill-server >/dev/null 2>&1
    if ls "$T_TMP/san/"* >/dev/null 2>&1; then t_fail "$1: no sanitizer report" "$(head -40 "$T_TMP/san/"*)"
    else t_ok "$1: no sanitizer report"; fi
}

# --- account manager, fresh HOME -------------------------------------------------------------
console am amy@example.com 'amy password 123'
tui_keys 3
t_screen "am: Profitability lists the clients" 'Evil Corp' 15
cmd 'export csv'
t_screen "am: :export csv on a fresh HOME says the full path" \
    "exported [0-9]+ rows to ~/\.local/state/opsdeck/exports/profit-client-all-[0-9]{8}T[0-9]{4}\.csv" 10
f=$(ls "$EXPORTS"/profit-client-all-*.csv 2>/dev/null | head -1)
t_check "am: the export is in ~/.local/state/opsdeck/exports" test -f "$f"
t_eq "am: the export is mode 600" 600 "$(mode "$f")"
t_eq "am: the export folder and the parents it made are 700" "700 700 700 700" \
    "$(mode "$EXPORTS") $(mode "$FRESH/.local/state/opsdeck") $(mode "$FRESH/.local/state") $(mode "$FRESH/.local")"
out=$(python3 - "$f" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
names = [r["name"] for r in rows]
print("guarded=%s raw_formula=%s esc_exact=%s" % (
    "'=SUM(1+1)*cmd" in names,
    any(n.startswith("=") for n in names),
    "\x1b[2J\x1b]0;pwned\x07Evil Corp" in names))
PY
)
t_eq "am: CSV formula name gets a leading ', the ESC name stays exact in the file" \
    "guarded=True raw_formula=False esc_exact=True" "$out"

before=$(nfiles)
cmd "export csv $VICTIM"
t_screen "am: a path is refused with the rule" 'give a file name, not a path' 10
victim_intact "am: :export csv /path/to/victim leaves it untouched"
cmd 'export csv ../../../../victim.txt'
t_screen "am: a ../ name is refused" 'give a file name, not a path' 10
t_eq "am: refused exports wrote nothing" "$before" "$(nfiles)"

# symlinks in the export folder pointing outside: never followed
ln -s "$VICTIM" "$EXPORTS/link.csv"
ln -s "$T_TMP/outside-new.csv" "$EXPORTS/dangling.csv"
cmd 'export csv link.csv'
t_screen "am: an existing name asks first" 'link\.csv exists in the export folder\. Replace it\?' 10
tui_keys Enter # the dialog defaults to No
t_screen "am: No keeps it" 'not exported: link\.csv kept' 10
victim_intact "am: the symlink's target is untouched after No"
t_check "am: link.csv is still the symlink" test -L "$EXPORTS/link.csv"
cmd 'export csv link.csv'
tui_wait 'Replace it\?' 10
tui_keys y
t_screen "am: Yes replaces it" 'replaced ~/\.local/state/opsdeck/exports/link\.csv' 10
victim_intact "am: the symlink's target is untouched after Yes (the link itself was replaced)"
if [ -f "$EXPORTS/link.csv" ] && [ ! -L "$EXPORTS/link.csv" ] && [ "$(mode "$EXPORTS/link.csv")" = 600 ] &&
    head -1 "$EXPORTS/link.csv" | grep -q '^key,name'; then
    t_ok "am: link.csv is now a 0600 export"
else t_fail "am: link.csv is now a 0600 export" "$(ls -l "$EXPORTS")"; fi
cmd 'export csv dangling.csv'
tui_wait 'Replace it\?' 10
tui_keys n
t_check "am: a dangling symlink is not followed (nothing created outside)" test ! -e "$T_TMP/outside-new.csv"
printf 'mine\n' >"$EXPORTS/q1.csv"
cmd 'export csv q1'
t_screen "am: q1 becomes q1.csv, which exists: asked" 'q1\.csv exists in the export folder' 10
tui_keys Escape
t_eq "am: Esc keeps q1.csv as it was" "mine" "$(cat "$EXPORTS/q1.csv")"
# the generated name taken by a symlink (this minute and the next): a -2 name, link untouched
for m in "$(date +%Y%m%dT%H%M)" "$(date -d '+1 minute' +%Y%m%dT%H%M)"; do
    rm -f "$EXPORTS/profit-client-all-$m.csv" "$EXPORTS/profit-client-all-$m-2.csv"
    ln -s "$VICTIM" "$EXPORTS/profit-client-all-$m.csv"
done
cmd 'export json'
cmd 'export csv'
t_screen "am: a generated name taken by a symlink gets -2" 'exported [0-9]+ rows to .*profit-client-all-[0-9T]+-2\.csv' 10
victim_intact "am: the symlink on the generated name was not followed"
t_eq "am: json export is 0600 too" 600 "$(mode "$(ls "$EXPORTS"/profit-client-all-*.json | head -1)")"

# :theme with a path, and a theme NAME that is (a symlink to) a config with secrets
cat >"$T_TMP/secret.ini" <<'EOF'
[database]
url = postgresql://opsdeck:S3cretPassw0rd@db/opsdeck
[hubspot]
client_secret = hs-SECRET-abc123
EOF
printf 'access_token = hs-TOKEN-zzz999\n' >"$T_TMP/secret2.ini"
mkdir -p "$XDG_CONFIG_HOME/opsdeck/themes"
ln -s "$T_TMP/secret.ini" "$XDG_CONFIG_HOME/opsdeck/themes/leak.theme"
ln -s "$T_TMP/secret2.ini" "$XDG_CONFIG_HOME/opsdeck/themes/leak2.theme"
secret_shown() { tui_screen | grep -Eq 'S3cret|hs-SECRET|hs-TOKEN|postgresql://'; }
cmd "theme $T_TMP/secret.ini"
t_screen "am: :theme with a path is refused" 'give a theme NAME, not a file' 10
if secret_shown; then t_fail "am: :theme PATH shows no value" "$(tui_screen)"; else t_ok "am: :theme PATH shows no value"; fi
tui_keys Escape
cmd 'theme leak'
t_screen "am: a bad theme names the line" 'leak\.theme:2: unknown section' 10
if secret_shown; then t_fail "am: :theme leak shows no value" "$(tui_screen)"; else t_ok "am: :theme leak shows no value"; fi
tui_keys Escape
cmd 'theme leak2'
t_screen "am: a bad theme names line and key" 'leak2\.theme:1: access_token: unknown role' 10
if secret_shown; then t_fail "am: :theme leak2 shows no value" "$(tui_screen)"; else t_ok "am: :theme leak2 shows no value"; fi
tui_keys Escape
cmd messages
t_screen "am: :messages lists the errors" 'ERROR  .*/config/opsdeck/' 10
if secret_shown; then t_fail "am: :messages shows no value" "$(tui_screen)"; else t_ok "am: :messages shows no value"; fi
tui_keys Escape
cmd 'theme dark'
t_screen "am: :theme NAME still works" 'theme dark' 10
quit am

# --- admin: same rules --------------------------------------------------------------------------
console admin ana@example.com 'ana password 123'
tui_keys 3
t_screen "admin: Profitability lists the clients" 'Evil Corp' 15
before=$(nfiles)
cmd "export csv $VICTIM"
t_screen "admin: a path is refused" 'give a file name, not a path' 10
victim_intact "admin: :export csv /path/to/victim leaves it untouched"
cmd 'export csv admin'
t_screen "admin: :export csv NAME writes NAME.csv" 'exported [0-9]+ rows to ~/.*/exports/admin\.csv' 10
t_eq "admin: admin.csv is 0600" 600 "$(mode "$EXPORTS/admin.csv")"
quit admin

# --- account manager with --readonly: no file at all ---------------------------------------------
before=$(nfiles)
console ro amy@example.com 'amy password 123' --readonly
tui_keys 3
t_screen "ro: Profitability lists the clients" 'Evil Corp' 15
cmd "export csv $VICTIM"
t_screen "ro: :export is refused under --readonly" 'read-only: exports are disabled' 10
victim_intact "ro: :export csv /path/to/victim leaves it untouched"
tui_keys Escape
cmd 'export csv'
t_screen "ro: :export csv is refused too" 'read-only: exports are disabled' 10
t_eq "ro: nothing was written" "$before" "$(nfiles)"
quit ro

# --- ops: may not export profitability ---------------------------------------------------------
console ops oscar@example.com 'oscar password 123'
cmd "export csv $VICTIM"
t_screen "ops: :export is not permitted for the role" 'not permitted for your role' 10
victim_intact "ops: the victim is untouched"
t_eq "ops: nothing was written" "$before" "$(nfiles)"
quit ops
t_done
