#!/bin/sh
# queue_cli — what a person sees of the queue: `opsdeck sync` enqueues a provider's jobs once
# (a second run reuses them), `opsdeck jobs` lists them (table and valid JSON), `jobs cancel`
# and `jobs retry` change states and refuse what is not possible, `worker --once` works what is
# runnable and exits, `sync --wait` against the simulator completes every job (exit 0) and a
# sync whose jobs die exits 1.
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
od() { "$OD_BIN" "$@"; }

out=$(od sync harvest 2>&1)
t_eq "sync harvest queues one job per Harvest resource" 5 "$(printf '%s\n' "$out" | grep -c '^harvest/.* queued$')"
t_check "and system/evaluate last" sh -c "printf '%s\n' \"\$1\" | tail -1 | grep -q '^system/evaluate .* queued$'" - "$out"
t_eq "evaluate waits for all five" 5 \
    "$(psql_db -c "SELECT cardinality(after_ids) FROM sync_jobs WHERE resource = 'evaluate'")"
out=$(od sync harvest 2>&1)
t_eq "a second sync reuses the pending jobs" 6 "$(printf '%s\n' "$out" | grep -c 'already queued$')"
t_eq "still six jobs" 6 "$(psql_db -c "SELECT count(*) FROM sync_jobs")"
t_eq "time entries wait for projects, users and tasks" 3 \
    "$(psql_db -c "SELECT cardinality(after_ids) FROM sync_jobs WHERE resource = 'time_entries'")"

od jobs >"$T_TMP/jobs.txt" 2>&1
t_check "jobs lists harvest/time_entries as available" grep -q 'harvest/time_entries *available' "$T_TMP/jobs.txt"
od jobs --json >"$T_TMP/jobs.json" 2>&1
t_eq "jobs --json is one JSON document with every job in \"jobs\"" 6 \
    "$(echo "SELECT jsonb_array_length(:'j'::jsonb -> 'jobs')" | psql_db -v j="$(cat "$T_TMP/jobs.json")")"
od jobs --state bogus >/dev/null 2>&1
t_eq "an unknown state is a usage error" 2 "$?"

id=$(psql_db -c "SELECT id FROM sync_jobs WHERE resource = 'clients'")
t_check "jobs cancel" od jobs cancel "$id"
t_eq "cancelled" cancelled "$(psql_db -c "SELECT state FROM sync_jobs WHERE id = $id")"
od jobs cancel "$id" >/dev/null 2>&1
t_eq "cancelling a cancelled job fails" 1 "$?"
od jobs cancel 999999 >"$T_TMP/err" 2>&1
t_eq "cancelling a missing job fails" 1 "$?"
t_check "and says so" grep -q 'no job 999999' "$T_TMP/err"
t_check "jobs retry" od jobs retry "$id"
t_eq "available again" available "$(psql_db -c "SELECT state FROM sync_jobs WHERE id = $id")"
# with --format json: one document naming the job, and errors as JSON on stderr
t_eq "jobs cancel --format json: {\"cancelled\":[ID]}" "{\"cancelled\":[$id]}" "$(od jobs cancel "$id" --format json)"
t_eq "jobs retry --json: {\"retried\":[ID]}" "{\"retried\":[$id]}" "$(od jobs retry "$id" --json)"
out=$(od jobs retry "$id" --json 2>"$T_TMP/err"); rc=$?
t_eq "retrying an available job: exit 1, nothing on stdout" "1:" "$rc:$out"
t_eq "and the error is JSON on stderr" "1 cannot be retried" "$(python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; print(e["code"], "cannot be retried" if "cannot be retried" in e["message"] else e["message"])' <"$T_TMP/err")"
od jobs retry "$id" --format csv >/dev/null 2>&1
t_eq "jobs retry --format csv is a usage error" 2 "$?"
psql_db -c "UPDATE sync_jobs SET state = 'cancelled' WHERE state <> 'cancelled'" >/dev/null

psql_db -c "INSERT INTO sync_jobs (provider, resource, args)
            SELECT 'system', 'sleep', '{\"pages\": 3, \"ms\": 1}' FROM generate_series(1, 20)" >/dev/null
t_check "worker --once works the runnable jobs and exits" od worker --once --threads 4
t_eq "all 20 completed" 20 "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE provider = 'system' AND state = 'completed'")"

sim_start || { t_fail "simulator"; t_done; }
od sync harvest --wait >"$T_TMP/wait.txt" 2>&1
t_eq "sync harvest --wait against the simulator exits 0" 0 "$?"
t_eq "every job completed (five and evaluate)" 6 "$(grep -c 'completed$' "$T_TMP/wait.txt")"
t_check "time entries arrived" test "$(psql_db -c "SELECT count(*) FROM harvest_time_entries")" -gt 0

OPSDECK_HARVEST_TOKEN=wrong-token OPSDECK_SYNC_MAX_ATTEMPTS=1 od sync harvest --full --wait \
    >"$T_TMP/dead.txt" 2>&1
t_eq "a sync whose jobs die exits 1" 1 "$?"
t_check "and points at opsdeck jobs" grep -q 'opsdeck jobs' "$T_TMP/dead.txt"
t_done
