#!/bin/sh
# sync_states — the console's Sync screen in an incident (issue #15), in tmux against the real
# database and simulator, with no worker in the console (sync.workers = 0):
#   1. during a 429 storm the job's State says "waiting N s (429, Retry-After)";
#   2. a worker killed with kill -9 mid-sync: its job shows "stalled — worker HOST:PID silent
#      N s" with no ETA while its heartbeat is late, and the console itself rescues it after
#      sync.rescue_after_s (the job goes back to available: no worker is running).
# No timing is asserted; waits poll the screen until generous deadlines.
. tests/lib/common.sh
. tests/lib/tui.sh

RESCUE=12
export OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=$RESCUE
sim_start --scale 4000 --seed 4 || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >"$T_TMP/keygen.log" 2>&1 || { t_fail "keygen" "$(cat "$T_TMP/keygen.log")"; t_done; }
printf 'correct horse battery\ncorrect horse battery\n' |
    "$OD_BIN" user add olga@example.com --role ops --name Olga >"$T_TMP/user.log" 2>&1
t_check "ops user created" test $? -eq 0
faults() { curl -sf -X POST "$SIM_URL/__sim/faults" -d "$1" >/dev/null || t_fail "faults $1"; }

tui_start 180 30 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
    OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=0 \
    OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=$RESCUE \
    OPSDECK_UI_REFRESH_MS=300 XDG_STATE_HOME="$XDG_STATE_HOME" -- "$OD_BIN" ui
t_screen "login form" 'Email' 10
tui_type olga@example.com; tui_keys Tab; tui_type 'correct horse battery'; tui_keys Enter
t_screen "ops lands on the Sync screen" 'no jobs yet|ID +Provider' 15

# 1. A 429 storm ---------------------------------------------------------------------------------
faults '{"reset":true,"provider":"harvest","rate_limit_storm":1,"retry_after":"12"}'
"$OD_BIN" sync harvest --wait >"$T_TMP/s1.out" 2>&1 &
s1=$!
t_screen "a job waiting out a 429 shows 'waiting N s (429, Retry-After)'" \
    'harvest +[a-z_]+ +waiting [0-9]+ s \(429, Retry-After\)' 20
tui_screen | grep -E '^ *ID |waiting' | sed 's/^/# /'
wait "$s1"
t_eq "the sync then completes" 0 "$?"
t_screen "and the screen shows it completed" 'time_entries +completed' 10

# 2. A worker killed mid-sync ------------------------------------------------------------------------
faults '{"reset":true,"latency_ms":150}'
export OPSDECK_HARVEST_PER_PAGE=100
"$OD_BIN" sync harvest --full >/dev/null || t_fail "sync harvest --full queues"
"$OD_BIN" worker --threads 1 >"$T_TMP/w.log" 2>&1 &
w=$!
i=0
while [ $i -lt 600 ]; do
    [ "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE resource = 'time_entries'
                     AND state = 'running' AND progress_done > 0")" = 1 ] && break
    sleep 0.1
    i=$((i + 1))
done
kill -9 "$w"
wait "$w" 2>/dev/null
t_screen "the dead worker's job shows stalled, naming the worker" \
    "time_entries +stalled — worker [^ ]+:$w silent [0-9]+ s" 15
line=$(tui_screen | grep 'stalled — worker' | head -1)
printf '# %s\n' "$line"
# An ETA cell ("12s", "3m") sits right before the attempts cell ("1/8").
if printf '%s\n' "$line" | grep -Eq '[0-9][sm] +[0-9]+/[0-9]+ '; then t_fail "no ETA on the stalled row" "$line"
else t_ok "no ETA on the stalled row"; fi
t_screen "after rescue_after_s the console rescues it: available again (no worker runs)" \
    'time_entries +available' $((RESCUE + 20))
t_eq "the rescue is in the job's errors" "rescued: worker" \
    "$(psql_db -c "SELECT left(last_error, 15) FROM sync_jobs WHERE resource = 'time_entries' AND state = 'available'")"

tui_keys q
t_eq "q quits with status 0" 0 "$(tui_exit 10)"
t_done
