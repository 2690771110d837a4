#!/bin/sh
# sync_connectors — the connectors against the real simulator and a real database:
#   1. a full sync through 5xx, latency, cut/garbled pages, bad records and a tight rate limit
#      ends with the database equal to /__sim/truth per client (raw rows AND rollups), the bad
#      records in sync_dead_letters, `rollup rebuild --check` clean, and no 429 storm;
#   2. after /__sim/mutate (edits, a date move, deletes) an incremental sync fetches only what
#      changed (the sim's request log shows updated_since and one page), and after a reconcile
#      the totals match the truth again;
#   3. HubSpot owners/companies/deals/associations land and match the truth's deal figures;
#   4. two worker processes on one Harvest account never exceed the account's rate limit.
. tests/lib/common.sh
. tests/lib/truth.sh

# Tight limits: the sim enforces them, our shared limiter is told the same numbers.
LIMIT_N=20 LIMIT_S=2
export OPSDECK_RATELIMIT_HARVEST="$LIMIT_N/$((LIMIT_S * 1000))"
export OPSDECK_RATELIMIT_HUBSPOT="$LIMIT_N/$((LIMIT_S * 1000))"
export OPSDECK_HTTP_BACKOFF_MS=20 OPSDECK_BREAKER_THRESHOLD=50 OPSDECK_BREAKER_OPEN_MS=500
export OPSDECK_HARVEST_PER_PAGE=250 OPSDECK_SYNC_RECONCILE_DAYS=3650 OPSDECK_SYNC_WORKERS=2
export OPSDECK_SYNC_HTTP_TIMEOUT_S=5

db_new || { t_fail "database"; t_done; }
sim_start --scale 4000 --seed 7 --harvest-limit "$LIMIT_N/$LIMIT_S" \
    --hubspot-limit "$LIMIT_N/$LIMIT_S" --error-rate 0.08 --latency-ms 5 \
    --truncate-rate 0.03 --malformed-json-rate 0.03 --bad-records 6 --hang-ms 8000 \
    --timeout-rate 0.01 || { t_fail "simulator"; t_done; }

truth() { curl -sf "$SIM_URL/__sim/truth"; }
# jget JSON PATH: a member of a JSON document by path ("harvest,429"), read by PostgreSQL.
jget() { printf "SELECT (:'j')::json #>> '{%s}'\n" "$2" | psql_db -v j="$1"; }
stats() { curl -sf "$SIM_URL/__sim/stats"; }
# Per client, from the truth and from the raw rows: tests/lib/truth.sh ...
# ... and from the rollups.
rollup_clients() {
    psql_db <<'SQL'
SELECT client_id, sum(entries), sum(hours), sum(billable_hours), round(sum(revenue), 2),
       round(sum(cost), 2)
FROM profit_rollup_client_month GROUP BY client_id ORDER BY client_id;
SQL
}
compare_all() { # label
    want=$(truth_clients)
    [ -n "$want" ] || t_fail "$1: truth has clients"
    t_eq "$1: raw rows equal the truth per client (entries, hours, revenue, cost)" "$want" "$(raw_clients)"
    t_eq "$1: rollups equal the truth per client" "$want" "$(rollup_clients)"
    t_check "$1: rollup rebuild --check finds no difference" "$OD_BIN" rollup rebuild --check
}

# 1. Full sync through the weather ------------------------------------------------------------
if "$OD_BIN" sync harvest --wait >"$T_TMP/sync1.log" 2>&1; then
    t_ok "full Harvest sync completes through faults"
else
    t_fail "full Harvest sync completes through faults" "$(tail -20 "$T_TMP/sync1.log"; psql_db -c 'select resource, state, last_error from sync_jobs')"
fi
compare_all "full sync"
t_eq "default partition stays empty" 0 "$(psql_db -c 'SELECT count(*) FROM harvest_time_entries_default')"
bad=$(jget "$(truth)" bad_records)
t_eq "every bad record is in sync_dead_letters, once" "$bad" \
    "$(psql_db -c "SELECT count(DISTINCT record_id) FROM sync_dead_letters WHERE provider='harvest' AND resource='time_entries'")"
t_eq "dead letters keep the raw record and a reason" 0 \
    "$(psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE payload NOT LIKE '{%' OR reason = ''")"
t_check "cursors were stored" test "$(psql_db -c "SELECT count(*) FROM sync_cursors WHERE provider='harvest'")" -eq 5
s=$(stats)
n429=$(jget "$s" harvest,429)
maxw=$(jget "$s" harvest,max_in_window)
t_check "at most one 429 per window (got $n429)" test "$n429" -le 1
t_check "never more than $LIMIT_N requests in a window (max $maxw)" test "$maxw" -le "$LIMIT_N"

# 2. Mutations, incremental sync, reconcile -------------------------------------------------
curl -sf -X POST "$SIM_URL/__sim/faults" -d '{"reset":true}' >/dev/null
mut() { curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1" || t_fail "mutate $1"; }
mut '{"action":"random","count":15}' >/dev/null
e2=$(psql_db -c "SELECT id FROM harvest_time_entries ORDER BY id LIMIT 1 OFFSET 20")
e3=$(psql_db -c "SELECT id FROM harvest_time_entries ORDER BY id LIMIT 1 OFFSET 30")
ref=$(psql_db -c "SELECT project_id || ',\"user_id\":' || user_id || ',\"task_id\":' || task_id
                  FROM harvest_time_entries ORDER BY id LIMIT 1")
mut "{\"action\":\"edit\",\"id\":$e2,\"fields\":{\"billable\":false,\"cost_rate\":null,\"hours\":3.25}}" >/dev/null
e1=$(mut "{\"action\":\"add\",\"fields\":{\"project_id\":$ref,\"spent_date\":\"2026-03-15\",\"hours\":2.5,\"billable\":true,\"billable_rate\":null}}" |
     sed -n 's/.*"ids":\[\([0-9]*\).*/\1/p')
mark=$(psql_db -c "SELECT now()")
lines_before=$(wc -l <"$T_TMP/sim.log")
"$OD_BIN" sync harvest --wait >"$T_TMP/sync2.log" 2>&1 || t_fail "incremental sync" "$(tail -5 "$T_TMP/sync2.log")"
tail -n +"$((lines_before + 1))" "$T_TMP/sim.log" | grep ' /v2/time_entries' >"$T_TMP/inc.log"
t_check "incremental sync asks with updated_since" grep -q 'updated_since=' "$T_TMP/inc.log"
t_eq "incremental sync of time entries is one page" 1 "$(wc -l <"$T_TMP/inc.log")"
changed=$(psql_db -c "SELECT count(*) FROM harvest_time_entries WHERE synced_at >= '$mark'")
t_check "incremental sync rewrote only changed entries ($changed)" test "$changed" -le 40
t_eq "added entry arrived" "1|2026-03-15" \
    "$(psql_db -c "SELECT count(*), max(spent_date) FROM harvest_time_entries WHERE id = ${e1:-0}")"
mut "{\"action\":\"edit\",\"id\":${e1:-0},\"fields\":{\"spent_date\":\"2026-01-31\"}}" >/dev/null
mut "{\"action\":\"delete\",\"id\":$e3}" >/dev/null
"$OD_BIN" sync harvest --wait >"$T_TMP/sync3.log" 2>&1 || t_fail "incremental sync 2" "$(tail -5 "$T_TMP/sync3.log")"
t_eq "an entry whose date moved lives in its new partition only" "1|2026-01-31" \
    "$(psql_db -c "SELECT count(*), max(spent_date) FROM harvest_time_entries WHERE id = ${e1:-0}")"
t_check "after the move, rollups still equal the raw rows" "$OD_BIN" rollup rebuild --check
psql_db -c "INSERT INTO sync_jobs (provider, resource, max_attempts) VALUES ('harvest', 'reconcile', 3)" >/dev/null
# (worker --once now and then exits before claiming a job inserted just before it: try again)
for try in 1 2 3; do
    "$OD_BIN" worker --once >>"$T_TMP/reconcile.log" 2>&1 || t_fail "reconcile" "$(tail -5 "$T_TMP/reconcile.log")"
    [ "$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'reconcile'")" = completed ] && break
    sleep 1
done
got=$(psql_db -c "SELECT count(*) FROM harvest_time_entries WHERE id = $e3 AND deleted_at IS NOT NULL")
if [ "$got" = 1 ]; then t_ok "reconcile soft-deleted the entry deleted upstream"
else t_fail "reconcile soft-deleted the entry deleted upstream" "$(psql_db -c "SELECT id, resource, state, attempts, last_error FROM sync_jobs WHERE state <> 'completed' OR resource = 'reconcile'"; grep -v '"http"' "$T_TMP/reconcile.log" | tail -8)"; fi
compare_all "after mutate + incremental + reconcile"

# 3. HubSpot -----------------------------------------------------------------------------------
if "$OD_BIN" sync hubspot --wait >"$T_TMP/hs.log" 2>&1; then t_ok "HubSpot sync completes"
else t_fail "HubSpot sync completes" "$(tail -10 "$T_TMP/hs.log")"; fi
tj=$(truth)
t_eq "every live deal stored" "$(jget "$tj" deals,count)" \
    "$(psql_db -c 'SELECT count(*) FROM hubspot_deals WHERE NOT archived AND deleted_at IS NULL')"
t_eq "won deals: count and amount (parsed from strings) equal the truth" \
    "$(jget "$tj" deals,won_count)|$(jget "$tj" deals,won_amount)" \
    "$(psql_db -c "SELECT count(*), coalesce(sum(amount), 0) FROM hubspot_won_deals")"
t_check "archived deals are listed too" test "$(psql_db -c 'SELECT count(*) FROM hubspot_deals WHERE archived')" -gt 0
t_check "deal -> company associations stored" test "$(psql_db -c 'SELECT count(*) FROM hubspot_deal_companies')" -gt 0
t_check "owners stored" test "$(psql_db -c 'SELECT count(*) FROM hubspot_owners')" -gt 0
curl -sf -X POST "$SIM_URL/__sim/mutate" -d '{"action":"edit","resource":"deals","id":'"$(psql_db -c 'SELECT min(id) FROM hubspot_deals')"',"fields":{"amount":"1234.56"}}' >/dev/null
lines_before=$(wc -l <"$T_TMP/sim.log")
"$OD_BIN" sync hubspot --wait >"$T_TMP/hs2.log" 2>&1 || t_fail "HubSpot incremental" "$(tail -5 "$T_TMP/hs2.log")"
t_check "incremental HubSpot deals use the search endpoint" \
    sh -c "tail -n +$((lines_before + 1)) '$T_TMP/sim.log' | grep -q 'POST /crm/v3/objects/deals/search'"
t_eq "edited deal amount arrived as money" "1234.56" \
    "$(psql_db -c 'SELECT amount FROM hubspot_deals ORDER BY id LIMIT 1')"

# 4. Two worker processes, one account --------------------------------------------------------
sim_stop
sim_start --scale 6000 --seed 9 --harvest-limit "$LIMIT_N/$LIMIT_S" || { t_fail "simulator 2"; t_done; }
db_new || { t_fail "database 2"; t_done; }
export OPSDECK_HARVEST_PER_PAGE=100
psql_db -c "INSERT INTO sync_jobs (provider, resource, args) VALUES
    ('harvest', 'time_entries', '{\"full\":true}'), ('harvest', 'reconcile', '{}'),
    ('harvest', 'clients', '{}'), ('harvest', 'projects', '{}'), ('harvest', 'users', '{}')" >/dev/null
"$OD_BIN" worker --once --threads 2 >"$T_TMP/w1.log" 2>&1 &
w1=$!
"$OD_BIN" worker --once --threads 2 >"$T_TMP/w2.log" 2>&1 &
w2=$!
wait $w1; r1=$?
wait $w2; r2=$?
t_eq "both workers finish" "0 0" "$r1 $r2"
t_eq "all their jobs completed" 0 "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE state <> 'completed'")"
s=$(stats)
maxw=$(jget "$s" harvest,max_in_window)
n429=$(jget "$s" harvest,429)
t_check "two processes never exceed $LIMIT_N per ${LIMIT_S}s (max $maxw)" test "$maxw" -le "$LIMIT_N"
t_check "two processes: at most one 429 (got $n429)" test "$n429" -le 1
compare_all "two workers"
t_done
