#!/bin/sh
# sync_rescue — nothing waits on a dead worker (issue #15). An `opsdeck worker` is killed with
# `kill -9` in the middle of a Harvest time-entries sync, and no other worker runs: a later
# `opsdeck sync all --wait` shows the job as "stalled — worker HOST:PID silent N s" (no ETA)
# while its heartbeat is late, rescues it itself once the heartbeat is older than
# sync.rescue_after_s (it is not the maintenance leader: there is none), resumes it, finishes
# within rescue_after_s + 60 s, and the database equals the simulator's truth. (Many rescuers at
# once: tests/integration/test_queue.c, test_rescue_concurrent.)
. tests/lib/common.sh
. tests/lib/truth.sh

RESCUE=8
export OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=$RESCUE OPSDECK_LOG_LEVEL=warn
export OPSDECK_HARVEST_PER_PAGE=200 OPSDECK_SYNC_WORKERS=2
export OPSDECK_RATELIMIT_HARVEST=100000/1000 OPSDECK_RATELIMIT_HUBSPOT=100000/1000
export OPSDECK_RATELIMIT_HUBSPOT_SEARCH=100000/1000

db_new || { t_fail "fresh database"; t_done; }
sim_start --scale 20000 --seed 5 --rate-limits off --latency-ms 60 || { t_fail "simulator"; t_done; }

# wait_for SQL WANT: poll (bounded, no timing asserted) until the query prints WANT
wait_for() {
    i=0
    while [ $i -lt 600 ]; do
        [ "$(psql_db -c "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# 1. A worker dies mid-sync ---------------------------------------------------------------------
"$OD_BIN" sync all >/dev/null || t_fail "sync all queues the jobs"
"$OD_BIN" worker --threads 2 >"$T_TMP/w1.log" 2>&1 &
w1=$!
te="SELECT id FROM sync_jobs WHERE resource = 'time_entries'"
if wait_for "SELECT progress_done > 0 AND state = 'running' FROM sync_jobs WHERE id = ($te)" t; then
    t_ok "the worker is in the middle of harvest/time_entries"
else
    t_fail "the worker is in the middle of harvest/time_entries" "$(tail -5 "$T_TMP/w1.log")"
fi
kill -9 "$w1"
wait "$w1" 2>/dev/null
t_eq "after kill -9 the job is left running" running \
    "$(psql_db -c "SELECT state FROM sync_jobs WHERE id = ($te)")"
job=$(psql_db -c "$te")

# 2. sync --wait, with no other worker: stalled, rescued, finished ------------------------------
t0=$(date +%s)
# bounded, so a sync that waits for ever fails here instead of hanging the suite
timeout -s INT -k 10 $((RESCUE + 90)) "$OD_BIN" sync all --wait >"$T_TMP/wait.out" 2>"$T_TMP/wait.err"
rc=$?
took=$(($(date +%s) - t0))
echo "# sync all --wait after the kill took ${took}s (rescue_after_s $RESCUE)"
t_eq "sync all --wait exits 0" 0 "$rc"
if [ "$took" -le $((RESCUE + 60)) ]; then t_ok "it finished within rescue_after_s + 60 s (${took}s)"
else t_fail "it finished within rescue_after_s + 60 s" "${took}s"; fi
t_check "it reused the running job rather than queueing another" \
    grep -q "^harvest/time_entries *job $job already queued" "$T_TMP/wait.out"

# A line naming the killed worker ($w1) as the silent one can only come before the rescue: the
# rescue takes the job out of `running` and out of that worker's hands.
stalled=$(grep -n "^harvest/time_entries .*stalled — worker [^ ]*:$w1 silent [0-9]* s" "$T_TMP/wait.out" | head -1)
done_at=$(grep -n '^harvest/time_entries .*completed$' "$T_TMP/wait.out" | head -1 | cut -d: -f1)
if [ -n "$stalled" ]; then t_ok "progress showed the job stalled, naming the dead worker: ${stalled#*:}"
else t_fail "progress showed the job stalled, naming the dead worker (pid $w1)" "$(cat "$T_TMP/wait.out")"; fi
t_check "... before it completed" test "${stalled%%:*}" -lt "${done_at:-0}"
t_eq "... with no rate or ETA on that line" "" \
    "$(printf '%s\n' "$stalled" | grep -E 'ETA|/s ')"
t_check "the waiting process rescued it itself (its log says so)" \
    grep -q 'rescued [0-9]* job(s) whose worker stopped heartbeating' "$T_TMP/wait.err"
t_eq "the job completed on its second attempt, the rescue in its errors" \
    "completed|2|rescued: worker" \
    "$(psql_db -c "SELECT state, attempts, left(errors->0->>'error', 15) FROM sync_jobs WHERE id = $job")"
t_eq "only the killed worker and the waiting process ever worked the queue" 2 \
    "$(psql_db -c "SELECT count(*) FROM workers")"
want=$(truth_clients)
[ -n "$want" ] || t_fail "the truth has clients"
t_eq "the database equals the simulator's truth per client" "$want" "$(raw_clients)"
plan=$(sed -n 's/^.* job \([0-9]*\) .*queued$/\1/p' "$T_TMP/wait.out" | paste -sd, -)
t_eq "every job of the plan completed" 0 \
    "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE id IN (${plan:-0}) AND state <> 'completed'")"

t_done
