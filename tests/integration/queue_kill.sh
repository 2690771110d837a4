#!/bin/sh
# queue_kill — `kill -9` of an `opsdeck worker` in the middle of a job: the job stays
# "running" with a stale heartbeat, another worker (the new maintenance leader) rescues it and
# finishes it from its saved checkpoint, not from the start; SIGTERM then stops that worker
# cleanly (exit 0, its `workers` row marked stopped).
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
export OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=2 OPSDECK_LOG_LEVEL=info

# wait_for SQL WANT: poll (bounded, no timing asserted) until the query prints WANT
wait_for() {
    i=0
    while [ $i -lt 600 ]; do
        got=$(psql_db -c "$1" 2>/dev/null)
        [ "$got" = "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

id=$(psql_db -c "INSERT INTO sync_jobs (provider, resource, args)
                 VALUES ('system', 'sleep', '{\"pages\": 40, \"ms\": 100}') RETURNING id" | head -1)
"$OD_BIN" worker --threads 1 >"$T_TMP/w1.log" 2>&1 &
w1=$!
if wait_for "SELECT coalesce((checkpoint->>'page')::int, 0) >= 3 FROM sync_jobs WHERE id = $id" t; then
    t_ok "first worker runs the job and saves checkpoints"
else
    t_fail "first worker runs the job and saves checkpoints" "$(tail -5 "$T_TMP/w1.log")"
fi
kill -9 "$w1"
wait "$w1" 2>/dev/null
t_eq "after kill -9 the job is still marked running" running \
    "$(psql_db -c "SELECT state FROM sync_jobs WHERE id = $id")"
page_at_kill=$(psql_db -c "SELECT (checkpoint->>'page')::int FROM sync_jobs WHERE id = $id")

"$OD_BIN" worker --threads 1 >"$T_TMP/w2.log" 2>&1 &
w2=$!
if wait_for "SELECT state FROM sync_jobs WHERE id = $id" completed; then
    t_ok "another worker rescues and completes the job"
else
    t_fail "another worker rescues and completes the job" "$(tail -5 "$T_TMP/w2.log")"
fi
t_eq "all 40 pages done" 40 "$(psql_db -c "SELECT checkpoint->>'page' FROM sync_jobs WHERE id = $id")"
resumed=$(psql_db -c "SELECT (checkpoint->'starts'->>1)::int FROM sync_jobs WHERE id = $id")
t_eq "the second run resumed at the page saved before the kill, not at 0" "$page_at_kill" "$resumed"
t_eq "two attempts (the killed run counts)" 2 "$(psql_db -c "SELECT attempts FROM sync_jobs WHERE id = $id")"
err=$(psql_db -c "SELECT errors->0->>'error' FROM sync_jobs WHERE id = $id")
case "$err" in
    rescued:*stopped\ heartbeating) t_ok "the rescue is recorded in the job's errors" ;;
    *) t_fail "the rescue is recorded in the job's errors" "$err" ;;
esac

kill -TERM "$w2"
wait "$w2"
t_eq "SIGTERM: the worker exits 0" 0 "$?"
t_eq "the stopped worker's row says so; the killed one's does not" "1|1" \
    "$(psql_db -c "SELECT count(*) FILTER (WHERE stopped_at IS NOT NULL),
                          count(*) FILTER (WHERE stopped_at IS NULL) FROM workers")"
t_done
