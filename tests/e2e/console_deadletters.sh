# console_deadletters.sh — the dead letters view of the Sync screen (issue #15 item 4), the real
# console in tmux against the simulator's bad records:
#   - D on the Sync screen opens it (the key is in the screen's key line and in help); the
#     header keeps listing the role's screens only (the view has no tab); Esc goes back;
#   - the list: id, provider, resource, record, when, state, job, reason, sanitized (an ESC in
#     a reason or payload never reaches the terminal);
#   - Enter shows the record: reason, when, job and the payload as indented JSON;
#   - r asks, then replays: a record still bad upstream is refused with the reason and stays
#     open; fixed upstream it is stored, marked replayed by the person, and audited; `a` shows
#     replayed ones too;
#   - d asks, then discards: No keeps it, Yes deletes it and the audit log keeps it;
#   - --readonly: r and d are refused with a message that says "read-only", nothing changes.
# With a sanitizer build (OD_BIN=build-asan/bin/opsdeck) any ASan/UBSan/LSan report fails.
. tests/lib/common.sh
. tests/lib/tui.sh
export OPSDECK_HTTP_BACKOFF_MS=50

mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$T_TMP/san/ubsan"

db_new || { t_fail "database"; t_done; }
sim_start --scale 600 --bad-records 3 --rate-limits off || { t_fail "simulator"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key" OPSDECK_LOG_FILE="$T_TMP/opsdeck.log"
"$OD_BIN" keygen >/dev/null 2>&1 || t_fail "keygen"
printf 'correct horse battery\ncorrect horse battery\n' |
    "$OD_BIN" user add ops@example.com --role ops >/dev/null 2>&1 || t_fail "user ops"
timeout 180 "$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1 || t_fail "sync" "$(tail -5 "$T_TMP/sync.log")"
t_eq "3 bad records -> 3 open dead letters" 3 "$(psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE resolved_at IS NULL")"
# a hostile one: an OSC that would set the terminal's title in the reason and in a payload that
# is not JSON (tmux shows a title set that way as the pane title: the test can see it)
evil=$(psql_db -c "INSERT INTO sync_dead_letters (provider, resource, record_id, reason, payload)
    VALUES ('harvest', 'time_entries', 'evil-1', E'bad \\x1b]2;pwned-reason\\x07red',
            E'not json \\x1b]2;pwned-payload\\x07 end') RETURNING id")
bad=$(psql_db -c "SELECT id FROM sync_dead_letters WHERE reason LIKE 'spent_date%'")
bad_rid=$(psql_db -c "SELECT record_id FROM sync_dead_letters WHERE id = $bad")
open() { psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE resolved_at IS NULL"; }

console() { # SOCK [ARGS...]: a console in its own tmux server, logged in as ops
    TUI_SOCK="opsdeck-e2e-$$-$1"; TUI_STATUS="$T_TMP/$1.status"; shift
    tui_start 120 32 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
        OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 \
        OPSDECK_UI_REFRESH_MS=500 OPSDECK_LOG_FILE="$OPSDECK_LOG_FILE" \
        OPSDECK_HARVEST_BASE_URL="$SIM_URL" OPSDECK_HUBSPOT_BASE_URL="$SIM_URL" \
        OPSDECK_HARVEST_TOKEN="$OPSDECK_HARVEST_TOKEN" OPSDECK_HARVEST_ACCOUNT_ID="$OPSDECK_HARVEST_ACCOUNT_ID" \
        OPSDECK_HUBSPOT_TOKEN="$OPSDECK_HUBSPOT_TOKEN" OPSDECK_HTTP_BACKOFF_MS=50 \
        -- "$OD_BIN" ui "$@"
    tui_wait 'Password' 10 || t_fail "login form" "$(tui_screen)"
    tui_type 'ops@example.com'; tui_keys Tab; tui_type 'correct horse battery'; tui_keys Enter
    tui_wait 'Resource +State' 15 || t_fail "ops lands on Sync" "$(tui_screen)"
}
untouched_title() { # DESC
    title=$(tmx display -p -t "$TUI_SESSION" '#{pane_title}')
    case $title in *pwned*) t_fail "$1" "pane title: $title" ;; *) t_ok "$1" ;; esac
}
quit() { tui_keys q; t_eq "$1: q quits with status 0" 0 "$(tui_exit 10)"; tmx kill-server >/dev/null 2>&1; }
filter() { tui_keys /; tui_type "$1"; tui_keys Enter; }

console ops
t_screen "the Sync screen's key line shows D for dead letters" 'D dead letters' 5
tui_keys '?'
t_screen "help lists D" 'D +dead letters: records a sync could not store' 5
tui_keys Escape
tui_gone 'Help — keys' 5
tui_keys D
t_screen "D opens the dead letters" 'Record +When +State +Job +Reason' 10
t_screen "... with the open ones" '4 open, 0 replayed' 10
line0=$(tui_screen | head -1)
case $line0 in *"1 Sync"*) case $line0 in *Dead*) t_fail "the view has no tab; Sync's stays" "$line0" ;;
    *) t_ok "the view has no tab; Sync's stays" ;; esac ;;
    *) t_fail "the view has no tab; Sync's stays" "$line0" ;; esac
t_screen "a row: id, provider, resource, record, when, state, job, reason" \
    "^ *$bad +harvest +time_entries +$bad_rid +[0-9T:-]+Z +open +[0-9]+ +spent_date: \"2026-13-45\" is not a date" 5
t_screen "a hostile reason shows as its text" "evil-1 .*open +bad red" 5
untouched_title "... its escape sequence never reached the terminal"

filter "$bad_rid"
tui_wait "^ *$bad +harvest" 5
tui_keys Enter
t_screen "Enter shows the record" "Dead letter $bad — harvest time_entries" 10
t_screen "... with its reason" 'Reason: +spent_date: "2026-13-45" is not a date' 5
t_screen "... when it came" 'When: +[0-9]{4}-[0-9]{2}-[0-9]{2}T' 5
t_screen "... and the payload as indented JSON" '^.*│ +"spent_date": +"2026-13-45",' 5
tui_keys Escape
tui_gone "Dead letter $bad —" 5

# r: still bad upstream -> refused with the reason
tui_keys r
t_screen "r asks first" "Replay dead letter $bad \\(harvest time_entries, record $bad_rid\\)\\?" 5
tui_keys y
t_screen "a record still bad upstream: refused with the reason" "dead letter $bad not replayed: .*still invalid: spent_date" 15
t_eq "... it stays open" 4 "$(open)"
tui_keys Escape
# fixed upstream -> stored
curl -sS -H 'Content-Type: application/json' -d "{\"action\":\"fix\",\"id\":$bad_rid}" "$SIM_URL/__sim/mutate" >/dev/null
tui_keys r; tui_wait 'Replay dead letter' 5; tui_keys y
t_screen "fixed upstream: r stores it" "dead letter $bad: stored harvest time_entries $bad_rid from the upstream record" 15
t_eq "... marked replayed by the person" "replayed ops@example.com" \
    "$(psql_db -c "SELECT resolution, resolved_by FROM sync_dead_letters WHERE id = $bad" | tr '|' ' ')"
t_eq "... the entry is stored" 1 "$(psql_db -c "SELECT count(*) FROM harvest_time_entries WHERE id = $bad_rid")"
t_eq "... and the replay is audited by the person" "ops@example.com ok" \
    "$(psql_db -c "SELECT actor, outcome FROM audit_log WHERE action = 'deadletter.replay' AND subject = 'dead_letter:$bad' AND outcome = 'ok'" | tr '|' ' ')"
t_screen "the list follows: 3 open, 1 replayed" '3 open, 1 replayed' 10
tui_keys a
t_screen "a shows the replayed ones too" "^ *$bad +harvest +time_entries +$bad_rid +[0-9T:-]+Z +replayed" 10
tui_keys a
tui_keys Escape # the filter
tui_gone "^/$bad_rid" 5
tui_keys Escape # back
t_screen "Esc goes back to the Sync screen" 'Resource +State' 5

# d: No keeps it, Yes discards it
tui_keys D
tui_wait 'Record +When' 10
filter evil-1
tui_wait "^ *$evil +harvest" 5
tui_keys Enter
t_screen "a payload that is not JSON shows as its text" '│ +not json +end' 10
untouched_title "... its escape sequence never reached the terminal"
tui_keys Escape
tui_gone "Dead letter $evil —" 5
tui_keys d
t_screen "d asks first" "Discard dead letter $evil \\(harvest time_entries, record evil-1\\)\\?" 5
tui_keys n
tui_gone 'Discard dead letter' 5
t_eq "No: it stays" 1 "$(psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE id = $evil")"
tui_keys d; tui_wait 'Discard dead letter' 5; tui_keys y
t_screen "Yes: it is discarded" "dead letter $evil discarded" 10
t_eq "... the row is gone" 0 "$(psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE id = $evil")"
t_eq "... and the audit log keeps who and what" "ops@example.com evil-1" \
    "$(psql_db -c "SELECT actor, detail->>'record_id' FROM audit_log WHERE action = 'deadletter.discard' AND subject = 'dead_letter:$evil'" | tr '|' ' ')"
quit "ops"

# --readonly: r and d refused, saying read-only
console readonly --readonly
tui_keys D
tui_wait 'Record +When' 10
before=$(psql_db -c "SELECT count(*), count(resolved_at) FROM sync_dead_letters")
tui_keys r
t_screen "--readonly: r is refused, saying read-only" 'read-only: replay the selected dead letter' 5
tui_keys Escape
tui_keys d
t_screen "--readonly: d is refused, saying read-only" 'read-only: discard the selected dead letter' 5
if tui_screen | grep -q 'Replay dead letter\|Discard dead letter'; then t_fail "--readonly: nothing is asked" "$(tui_screen)"
else t_ok "--readonly: nothing is asked"; fi
t_eq "--readonly: nothing changed" "$before" "$(psql_db -c "SELECT count(*), count(resolved_at) FROM sync_dead_letters")"
quit "read-only"

if ls "$T_TMP/san/"* >/dev/null 2>&1 || grep -qsx '9[789]' "$T_TMP"/*.status; then
    t_fail "no sanitizer report" "$(head -40 "$T_TMP/san/"* 2>/dev/null; grep -s . "$T_TMP"/*.status)"
else t_ok "no sanitizer report"; fi
t_done
