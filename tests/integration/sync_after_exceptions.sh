#!/bin/sh
# sync_after_exceptions — exceptions follow the data without anyone running `exceptions
# evaluate`: every sync plan ends with a system/evaluate job (automatic links first, then the
# rules), and the scheduler's leader queues one each sync.interval_minutes.
#   1. `sync all --wait` against the simulator with bad records: the planted problems are open
#      exceptions of the right kinds (dead_letter, missing_cost_rate, missing_billable_rate,
#      unlinked_client), and the automatic links were made (clients with a company are not
#      "unlinked").
#   2. Fix two problems (resolve the dead letters, link an unlinked client by hand); the next
#      sync's evaluation closes exactly those exceptions and leaves the others open.
#   3. The periodic pass: with the last evaluation an hour old, `opsdeck worker` (leader) queues
#      system/evaluate on its own and it runs; an exception whose condition ended closes.
#   4. system/rollup_check: consistent rollups complete; a damaged rollup makes the job dead
#      with the differing table in its error and opens reconcile_mismatch.
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
sim_start --scale 10000 --bad-records 3 --rate-limits off || { t_fail "simulator"; t_done; }
od() { "$OD_BIN" "$@"; }
live() { psql_db -c "SELECT count(*) FROM exceptions WHERE kind = '$1' AND state IN ('open', 'acknowledged')"; }
state_of() { psql_db -c "SELECT state FROM exceptions WHERE kind = '$1' AND subject = '$2' ORDER BY id DESC LIMIT 1"; }

# 1 ------------------------------------------------------------------------------------------
od sync all --wait >"$T_TMP/sync1.log" 2>&1
t_eq "sync all --wait exits 0" 0 "$?"
t_check "the plan ends with system/evaluate" grep -q 'system/evaluate .*completed' "$T_TMP/sync1.log"
t_eq "evaluate ran after every other job of the plan" 0 \
    "$(psql_db -c "SELECT count(*) FROM sync_jobs e, sync_jobs j WHERE e.resource = 'evaluate'
                   AND j.provider <> 'system' AND j.finished_at > e.started_at")"
od exceptions --json >"$T_TMP/exc.json" 2>&1 || t_fail "exceptions --json" "$(cat "$T_TMP/exc.json")"
kinds=$(echo "SELECT string_agg(DISTINCT k, ',' ORDER BY k) FROM jsonb_array_elements(:'j'::jsonb->'exceptions') e,
              LATERAL (SELECT e->>'kind' AS k) x WHERE k IN ('dead_letter', 'missing_cost_rate',
              'missing_billable_rate', 'unlinked_client')" | psql_db -v j="$(cat "$T_TMP/exc.json")")
t_eq "planted problems are exceptions of the right kinds" \
    "dead_letter,missing_billable_rate,missing_cost_rate,unlinked_client" "$kinds"
t_eq "one dead_letter exception for the harvest time entries" "dead_letters:harvest/time_entries" \
    "$(psql_db -c "SELECT string_agg(subject, ',') FROM exceptions WHERE kind = 'dead_letter'")"
t_check "automatic links were made before evaluating" \
    test "$(psql_db -c "SELECT count(*) FROM client_links")" -gt 0
t_eq "unlinked_client names exactly the active clients with time and no link" \
    "$(psql_db -c "SELECT count(*) FROM harvest_clients c WHERE c.deleted_at IS NULL AND c.is_active
                   AND NOT EXISTS (SELECT 1 FROM client_links l WHERE l.client_id = c.id)
                   AND EXISTS (SELECT 1 FROM profit_rollup_client_month r WHERE r.client_id = c.id)")" \
    "$(live unlinked_client)"
t_check "and there is at least one" test "$(live unlinked_client)" -gt 0

# 2 ------------------------------------------------------------------------------------------
psql_db -c "UPDATE sync_dead_letters SET resolved_at = now()" >/dev/null
client=$(psql_db -c "SELECT (details->>'client_id') FROM exceptions WHERE kind = 'unlinked_client'
                     AND state = 'open' ORDER BY id LIMIT 1")
company=$(psql_db -c "SELECT id FROM hubspot_companies WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
t_check "link client $client to company $company by hand" od links set client "$client" "$company"
before=$(live unlinked_client)
od sync harvest --wait >"$T_TMP/sync2.log" 2>&1
t_eq "incremental sync harvest --wait exits 0" 0 "$?"
t_eq "the dead_letter exception closed after the sync's evaluation" closed \
    "$(state_of dead_letter dead_letters:harvest/time_entries)"
t_eq "the hand-linked client's unlinked_client exception closed" closed \
    "$(state_of unlinked_client "client:$client")"
t_eq "the other unlinked clients stay open" "$((before - 1))" "$(live unlinked_client)"
t_check "missing rates stay open" test "$(live missing_cost_rate)" -gt 0

# 3 ------------------------------------------------------------------------------------------
# End a condition without a sync: a rate filled in by SQL, rollups rebuilt to match.
user=$(psql_db -c "SELECT details->>'user_id' FROM exceptions WHERE kind = 'missing_cost_rate'
                   AND state = 'open' ORDER BY id LIMIT 1")
psql_db -c "UPDATE harvest_time_entries SET cost_rate = 1 WHERE user_id = $user AND cost_rate IS NULL" >/dev/null
od rollup rebuild >/dev/null 2>&1 || t_fail "rollup rebuild"
psql_db -c "UPDATE sync_jobs SET created_at = now() - interval '1 hour' WHERE resource = 'evaluate'" >/dev/null
n_eval=$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE resource = 'evaluate'")
# Without provider tokens the leader has no syncs or reconciles to queue: just the evaluation
# (and, after 02:00 UTC, the nightly rollup check).
env -u OPSDECK_HARVEST_TOKEN -u OPSDECK_HUBSPOT_TOKEN "$OD_BIN" worker >"$T_TMP/worker.log" 2>&1 &
wpid=$!
i=0
while [ "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE unique_key = 'sync:evaluate:periodic' AND state = 'completed'")" != 1 ] && [ $i -lt 100 ]; do
    sleep 0.2; i=$((i + 1))
done
kill -TERM "$wpid"; wait "$wpid"; rc=$?
if [ "$rc" = 0 ]; then t_ok "worker stops cleanly on SIGTERM"
else t_fail "worker stops cleanly on SIGTERM (exit $rc)" "$(grep -v '"http"' "$T_TMP/worker.log" | tail -20)"; fi
t_eq "the leader queued and ran a periodic evaluation" "$((n_eval + 1))|1" \
    "$(psql_db -c "SELECT count(*), count(*) FILTER (WHERE unique_key = 'sync:evaluate:periodic' AND state = 'completed') FROM sync_jobs WHERE resource = 'evaluate'")"
t_eq "it closed missing_cost_rate for user $user" closed "$(state_of missing_cost_rate "user:$user")"

# 4 ------------------------------------------------------------------------------------------
psql_db -c "INSERT INTO sync_jobs (provider, resource) VALUES ('system', 'rollup_check')" >/dev/null
od worker --once >"$T_TMP/rc1.log" 2>&1
t_eq "rollup_check on consistent rollups completes" completed \
    "$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'rollup_check' ORDER BY id DESC LIMIT 1")"
t_eq "no reconcile_mismatch" 0 "$(live reconcile_mismatch)"
# A stray rollup row for this month (no entries behind it): inside the rule's window whatever
# dates the simulator's world covers.
month=$(date -u +%Y-%m)
psql_db -c "INSERT INTO profit_rollup_project_month (project_id, month, client_id, entries, hours)
            SELECT id, date_trunc('month', now())::date, client_id, 1, 1 FROM harvest_projects
            ORDER BY id LIMIT 1" >/dev/null
psql_db -c "INSERT INTO sync_jobs (provider, resource) VALUES ('system', 'rollup_check')" >/dev/null
od worker --once >"$T_TMP/rc2.log" 2>&1
t_eq "rollup_check on a damaged rollup is dead at once, naming the table" "dead|1|t" \
    "$(psql_db -c "SELECT state, attempts, last_error LIKE '%profit_rollup_project_month%rollup rebuild%'
                   FROM sync_jobs WHERE resource = 'rollup_check' ORDER BY id DESC LIMIT 1")"
t_eq "it opened reconcile_mismatch for $month" open "$(state_of reconcile_mismatch "rollup:$month")"
od exceptions evaluate >/dev/null 2>&1
t_eq "the next evaluation reports the dead check as sync_failed" open \
    "$(state_of sync_failed sync:system/rollup_check)"
t_done
