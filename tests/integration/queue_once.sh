#!/bin/sh
# queue_once — `opsdeck worker --once` never leaves a runnable job behind. Twice it exited
# without working a job inserted just before it started: with several threads, one thread's
# claim held the row (so another thread's SKIP LOCKED claim saw nothing) and that other thread,
# seeing no job counted as running yet, declared the pool finished; the main thread then
# stopped the workers and the claimed job was released unworked. Each round inserts one job
# (a paged one, which honours "stop") and runs `worker --once --threads 4`: the job must be
# completed when the worker exits, every time. A second case: a job whose dependency is
# worked by the same --once run must be worked too.
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
ROUNDS=${QUEUE_ONCE_ROUNDS:-20}
bad=""
for i in $(seq 1 "$ROUNDS"); do
    id=$(psql_db -c "INSERT INTO sync_jobs (provider, resource, args)
                     VALUES ('system', 'sleep', '{\"pages\": 2, \"ms\": 20}') RETURNING id" | head -1)
    "$OD_BIN" worker --once --threads 4 >>"$T_TMP/once.log" 2>&1 || bad="$bad $i:exit"
    st=$(psql_db -c "SELECT state FROM sync_jobs WHERE id = $id")
    [ "$st" = completed ] || bad="$bad $i:$st"
done
t_eq "worker --once completed the job inserted just before it, $ROUNDS times out of $ROUNDS" "" "$bad"

bad=""
for i in $(seq 1 "$ROUNDS"); do
    a=$(psql_db -c "INSERT INTO sync_jobs (provider, resource, args)
                    VALUES ('system', 'sleep', '{\"pages\": 1, \"ms\": 30}') RETURNING id" | head -1)
    b=$(psql_db -c "INSERT INTO sync_jobs (provider, resource, args, after_ids)
                    VALUES ('system', 'sleep', '{\"pages\": 2, \"ms\": 5}', ARRAY[$a]::bigint[])
                    RETURNING id" | head -1)
    "$OD_BIN" worker --once --threads 3 >>"$T_TMP/once.log" 2>&1 || bad="$bad $i:exit"
    st=$(psql_db -c "SELECT string_agg(state, ',' ORDER BY id) FROM sync_jobs WHERE id IN ($a, $b)")
    [ "$st" = completed,completed ] || bad="$bad $i:$st"
done
t_eq "worker --once also works a job made runnable by one it finished, $ROUNDS times" "" "$bad"
t_done
