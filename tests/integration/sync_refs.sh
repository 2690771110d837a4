# sync_refs.sh — time entries that name a project this database does not have yet (created
# upstream after the run listed projects): they are stored all the same, a full projects sync is
# queued in the same transaction (one, by its unique key), and once a worker runs it the project
# is here. The worker's summary line shows the references checked and the cache answering.
. tests/lib/common.sh
db_new
sim_start --scale 3000 --seed 12 --rate-limits off
t_check "first sync" "$OD_BIN" sync harvest --wait
row=$(psql_db -c "SELECT e.id || ' ' || e.project_id FROM harvest_time_entries e ORDER BY e.id LIMIT 1")
eid=${row% *} pid=${row#* }
# as if the project had been created after the projects listing: gone from the database, and
# one of its entries edited upstream so the next incremental sync brings it
psql_db -c "DELETE FROM harvest_projects WHERE id = $pid" >/dev/null
curl -fsS -X POST -d "{\"action\":\"edit\",\"resource\":\"time_entries\",\"id\":$eid,\"fields\":{\"notes\":\"edited\"}}" \
    "$SIM_URL/__sim/mutate" >/dev/null
OPSDECK_LOG_LEVEL=info "$OD_BIN" sync harvest --wait >"$T_TMP/sync2.log" 2>&1
t_eq "incremental sync exits 0" 0 $?
t_eq "the edited entry is stored though its project is unknown" edited \
    "$(psql_db -c "SELECT notes FROM harvest_time_entries WHERE id = $eid")"
grep -q "refer to 1 of projects not synced yet (e.g. $pid)" "$T_TMP/sync2.log" &&
    t_ok "the worker says which reference is unknown" || t_fail "warning logged" "$(tail -5 "$T_TMP/sync2.log")"
jobs="SELECT count(*) FROM sync_jobs WHERE unique_key = 'sync:harvest:projects:full'"
t_eq "one full projects sync queued" 1 "$(psql_db -c "$jobs")"
t_eq "no catch-up for users or clients (all known)" 0 \
    "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE unique_key IN ('sync:harvest:users:full', 'sync:harvest:clients:full')")"
grep -o '"msg":"harvest time_entries: [^"]*references: [0-9]* checked, [0-9]* from the cache, 1 unknown"' \
    "$T_TMP/sync2.log" | grep -q . && t_ok "the summary line counts the references" ||
    t_fail "summary line" "$(grep -o '"msg":"harvest time_entries: [^"]*"' "$T_TMP/sync2.log")"
t_check "a worker runs what is queued" "$OD_BIN" worker --once
t_eq "the project is here now" 1 "$(psql_db -c "SELECT count(*) FROM harvest_projects WHERE id = $pid")"
t_eq "the catch-up job completed" completed \
    "$(psql_db -c "SELECT state FROM sync_jobs WHERE unique_key = 'sync:harvest:projects:full'")"
t_check "rollups still equal the raw rows" "$OD_BIN" rollup rebuild --check
t_done
