# console.sh — the real console in tmux against the real database and the simulator (issue #7):
# a failed and a good login, every screen by its number, filter, sort, drill-down and back,
# help, CSV export, resize to 40x10 and back, live refresh with no key pressed (a sync and an
# exception made from outside show up within 2 s), quit with status 0; then the same flow with
# NO_COLOR=1. Timings are never asserted except the issue's "within 2 s".
# Then issue #5: an admin ending another user's session is asked for the password again; a
# wrong one refuses (the session stays live, the attempt is audited), the right one ends it.
# With a sanitizer build (OD_BIN=build-asan/bin/opsdeck) any ASan/UBSan/LSan report fails.
. tests/lib/common.sh
. tests/lib/tui.sh

sim_start --scale 2000 --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >"$T_TMP/keygen.log" 2>&1 || { t_fail "keygen" "$(cat "$T_TMP/keygen.log")"; t_done; }
printf 'correct horse battery\ncorrect horse battery\n' |
    "$OD_BIN" user add ana@example.com --role admin --name Ana >"$T_TMP/user.log" 2>&1
t_check "admin user created" test $? -eq 0
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_check "data synced from the simulator" test $? -eq 0
# The console's own workers stay off so jobs queued from "another terminal" stay visible.
export OPSDECK_SYNC_WORKERS=0 OPSDECK_UI_REFRESH_MS=500
# Sanitizer reports (if OD_BIN is a sanitizer build) go to files, checked after each console.
mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$T_TMP/san/ubsan"
t_no_sanitizer_report() {
    if ls "$T_TMP/san/"* >/dev/null 2>&1; then t_fail "$1: no sanitizer report" "$(head -40 "$T_TMP/san/"*)"
    else t_ok "$1: no sanitizer report"; fi
}

# t_within2 DESC REGEX: the screen shows REGEX within 2 s of now (sub-second deadline; the
# issue's one timing promise), with no key pressed.
t_within2() {
    end=$(( $(date +%s%N) + 2000000000 ))
    while [ "$(date +%s%N)" -le "$end" ]; do
        tui_screen | grep -Eq -- "$2" && { t_ok "$1"; return; }
        sleep 0.05
    done
    t_fail "$1" "screen:
$(tui_screen)"
}

# run_flow LABEL [ENV=VAL ...]: one full pass through the console.
run_flow() {
    label=$1; shift
    TUI_SOCK="opsdeck-e2e-$$-$label" # a fresh tmux server per pass (no race with the last one)
    tui_start 100 30 "$@" OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
        OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 \
        OPSDECK_UI_REFRESH_MS=500 XDG_STATE_HOME="$XDG_STATE_HOME" -- "$OD_BIN" ui
    t_screen "$label: login form shows Email and Password" 'Email.*' 10
    if tui_screen | grep -q 'Sync'; then t_fail "$label: before login the header lists no screens" "$(tui_screen)"
    else t_ok "$label: before login the header lists no screens"; fi
    tui_wait 'Password' 2 || t_fail "$label: password field" "$(tui_screen)"
    tui_type ana@example.com; tui_keys Tab; tui_type wrong-password; tui_keys Enter
    t_screen "$label: a wrong password says exactly 'Invalid email or password.'" \
        'Invalid email or password\.' 15
    tui_type 'correct horse battery'; tui_keys Enter
    t_screen "$label: logged in, the header names the screens" '1 Sync.*2 Exceptions' 15
    t_screen "$label: the title shows the email and role" 'ana@example.com \(admin\)'
    t_screen "$label: the status line shows database and listener state" 'db ok · live'
    t_screen "$label: sync screen lists the completed jobs" 'time_entries.*completed'

    tui_keys 2
    t_screen "$label: 2 shows Exceptions" 'Severity.*Kind'
    tui_keys 3
    t_screen "$label: 3 shows Profitability by client" '^Client +Cur +Hours +Revenue +Cost +Margin +Margin % +! +Won deals'
    tui_keys s
    t_screen "$label: s sorts by the first column, ascending" '^Client(▲|\^) '
    tui_keys S
    t_screen "$label: S reverses the sort" '^Client(▼|v) '
    tui_keys /; tui_type 'a'; tui_keys Enter
    t_screen "$label: / filters the rows" 'filter: a|/a'
    tui_keys Escape
    tui_keys Enter
    t_screen "$label: Enter drills into a client's projects" '^Project +Billing +Hours'
    tui_wait '^Total ' 10
    if tui_gone 'loading…' 10; then t_ok "$label: the status line's loading… goes once the rows are in"
    else t_fail "$label: the status line's loading… goes once the rows are in" "$(tui_screen)"; fi
    tui_keys Enter
    t_screen "$label: Enter drills into a project's months" '^Month +Hours'
    tui_wait '^Total ' 10
    tui_keys BSpace
    t_screen "$label: Backspace goes back to projects" '^Project +Billing +Hours'
    tui_keys Escape
    t_screen "$label: Esc goes back to clients" '^Client(▼|v)? +Cur +Hours'
    tui_keys : ; tui_type 'export csv'; tui_keys Enter
    t_screen "$label: :export csv says where the file went" 'exported [0-9]+ rows to .*/exports/profit-client-all-'
    f=$(ls "$XDG_STATE_HOME"/opsdeck/exports/*.csv 2>/dev/null | tail -1)
    if [ -n "$f" ] && head -1 "$f" | grep -qi 'revenue'; then t_ok "$label: the CSV has a header row"
    else t_fail "$label: the CSV has a header row" "file: $f"; fi
    tui_keys 4
    t_screen "$label: 4 shows Health with the database check" 'database:latency'
    tui_keys /; tui_type 'database:latency'; tui_keys Enter
    tui_keys Enter
    t_screen "$label: Enter on a check shows its runbook (what to do)" 'Is PostgreSQL up and reachable'
    tui_keys Escape
    tui_gone 'Is PostgreSQL up and reachable' 5 || t_fail "$label: Esc closes the runbook" "$(tui_screen)"
    tui_keys Escape
    tui_keys 5
    t_screen "$label: 5 shows Admin with the user" 'ana@example.com.*admin'
    tui_keys '?'
    t_screen "$label: ? opens the help" 'quit'
    tui_keys Escape
    tui_keys 1
    t_screen "$label: back on Sync" 'Resource.*State'
    tui_resize 40 10
    t_screen "$label: 40x10 still draws the Sync screen" '^ *[0-9]+ hubspot'
    tui_resize 30 8
    t_screen "$label: below 40x10 says the terminal is too small" '[Tt]oo small'
    tui_resize 100 30
    t_screen "$label: back to full size" 'Resource.*State'

    # live refresh: a sync queued from another terminal appears with no key pressed
    "$OD_BIN" sync hubspot >"$T_TMP/sync2.log" 2>&1
    t_within2 "$label: a sync queued elsewhere shows within 2 s, no key pressed" 'available'
    psql_db -c "UPDATE exceptions SET state = 'open' WHERE false" >/dev/null
    psql_db -c "INSERT INTO exceptions (kind, severity, subject, message) VALUES ('e2e_probe', 'warning', 'probe-$label', 'made by the e2e test'); NOTIFY opsdeck_exceptions, '{\"kind\":\"e2e_probe\"}'" >/dev/null 2>&1 ||
        t_fail "$label: insert a probe exception"
    tui_keys 2
    t_screen "$label: the new exception shows on Exceptions" "probe-$label" 2
    psql_db -c "INSERT INTO exceptions (kind, severity, subject, message) VALUES ('e2e_probe', 'critical', 'second-$label', 'made by the e2e test'); NOTIFY opsdeck_exceptions, '{\"kind\":\"e2e_probe\"}'" >/dev/null 2>&1
    t_within2 "$label: another exception appears within 2 s, no key pressed" "second-$label"
    psql_db -c "DELETE FROM sync_jobs WHERE state = 'available'" >/dev/null

    tui_keys q
    t_eq "$label: q quits with status 0" 0 "$(tui_exit 10)"
    tmx kill-server >/dev/null 2>&1
    t_no_sanitizer_report "$label"
}

# bob_sessions: bob's live sessions as `opsdeck user list` counts them.
bob_sessions() { "$OD_BIN" user list 2>/dev/null | awk '$1 == "bob@example.com" { print $5 }'; }

# console_as SOCK EMAIL PASSWORD: a console in its own tmux server, logged in.
console_as() {
    TUI_SOCK="opsdeck-e2e-$$-$1"; TUI_STATUS="$T_TMP/$1.status"
    tui_start 100 30 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
        OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 \
        OPSDECK_UI_REFRESH_MS=500 XDG_STATE_HOME="$XDG_STATE_HOME" -- "$OD_BIN" ui
    tui_wait 'Password' 10
    tui_type "$2"; tui_keys Tab; tui_type "$3"; tui_keys Enter
    tui_wait '1 Sync' 15
}

# Issue #5: the password asked again before admin actions.
run_reverify() {
    printf 'bob password 123\nbob password 123\n' |
        "$OD_BIN" user add bob@example.com --role ops --name Bob >"$T_TMP/bob.log" 2>&1
    t_check "reverify: second user created" test $? -eq 0
    console_as bob bob@example.com 'bob password 123'
    t_eq "reverify: bob is logged in elsewhere (user list: 1 session)" 1 "$(bob_sessions)"
    console_as admin ana@example.com 'correct horse battery'
    tui_keys 5 v
    t_screen "reverify: the Sessions view lists bob's session" '[0-9]+ +bob@example\.com'
    tui_keys /; tui_type bob; tui_keys Enter
    tui_keys e
    t_screen "reverify: e on bob's session asks for the password" \
        'End session [0-9]+ \(bob@example\.com\)\? Your password'
    tui_type 'not my password'
    t_screen "reverify: the password is masked" '•••••|\*\*\*\*\*'
    if tui_screen | grep -q 'not my password'; then t_fail "reverify: the password is never shown"
    else t_ok "reverify: the password is never shown"; fi
    tui_keys Enter
    t_screen "reverify: a wrong password refuses with a clear message" 'Wrong password: not done' 15
    t_eq "reverify: after the wrong password bob's session is still live" 1 "$(bob_sessions)"
    t_eq "reverify: the wrong password is audited" 1 \
        "$(psql_db -Atc "SELECT count(*) FROM audit_log WHERE action = 'reverify.failure'")"
    tui_keys e # (not Esc first: that would clear the filter; the prompt shows over the toast)
    t_screen "reverify: asked again" 'Your password' 10
    tui_keys Escape
    tui_gone 'Your password' 5
    t_eq "reverify: Esc cancels (bob's session still live)" 1 "$(bob_sessions)"
    tui_keys e
    tui_wait 'Your password' 10
    tui_type 'correct horse battery'; tui_keys Enter
    t_screen "reverify: the right password ends the session" '1 session\(s\) ended' 15
    t_eq "reverify: bob has no live session (user list)" 0 "$(bob_sessions)"
    tui_keys q
    t_eq "reverify: admin console quits with status 0" 0 "$(tui_exit 10)"
    tmx kill-server >/dev/null 2>&1
    TUI_SOCK="opsdeck-e2e-$$-bob"; TUI_STATUS="$T_TMP/bob.status"
    tui_keys q
    t_eq "reverify: bob's console quits with status 0" 0 "$(tui_exit 10)"
    tmx kill-server >/dev/null 2>&1
    t_no_sanitizer_report reverify
}

run_flow colour
run_flow no-colour NO_COLOR=1
run_reverify
t_done
