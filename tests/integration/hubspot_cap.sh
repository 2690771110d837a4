#!/bin/sh
# hubspot_cap — the incremental HubSpot deals sync crosses the search API's 10,000-result cap
# without asking past it. The simulator at --scale 1200000 has 12,000 deals; after a full
# HubSpot sync, a few deals are changed upstream and the deals cursor is set back to before
# the world's T0, so the incremental search matches every live deal (> 10,000): the connector
# must restart its search from the last hs_lastmodifieddate seen instead of paging into the
# cap. Checks: the simulator answered no search with 400, the search restarted (the job's last
# checkpoint searches from a time after the cursor), the changed deals arrived, and deals count
# and won amount equal /__sim/truth. About 10 s (the simulator's world is lazy).
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
sim_start --scale 1200000 --rate-limits off || { t_fail "simulator"; t_done; }
export OPSDECK_RATELIMIT_HUBSPOT=100000/1000 OPSDECK_RATELIMIT_HUBSPOT_SEARCH=100000/1000
# deals_truth: "count|won_count|won_amount" of /__sim/truth (large at this scale: read from a pipe);
# deals_db: the same from the database (won: the hubspot_won_deals view, sql/0010)
deals_truth() {
    curl -sf "$SIM_URL/__sim/truth" | python3 -c 'import json,sys
d=json.load(sys.stdin)["deals"]
print("%s|%s|%s" % (d["count"], d["won_count"], d["won_amount"]))'
}
deals_db() {
    psql_db -c "SELECT count(*) FILTER (WHERE NOT archived AND deleted_at IS NULL) || '|' ||
                (SELECT count(*) || '|' || coalesce(sum(amount), 0) FROM hubspot_won_deals)
                FROM hubspot_deals"
}

"$OD_BIN" sync hubspot --wait >"$T_TMP/full.log" 2>&1
t_eq "full HubSpot sync completes" 0 "$?"
live=$(deals_truth | cut -d'|' -f1)
t_check "the world has more than 10,000 live deals ($live)" test "$live" -gt 10000
t_eq "after the full sync: deals, won count and won amount equal the truth" "$(deals_truth)" "$(deals_db)"

# Change three deals upstream (two won with new amounts, one lost).
ids=$(psql_db -c "SELECT id FROM hubspot_deals WHERE NOT archived AND dealstage <> 'closedwon' ORDER BY id LIMIT 3")
set -- $ids
mut() { curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1" >/dev/null || t_fail "mutate $1"; }
mut "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$1\",\"fields\":{\"dealstage\":\"closedwon\",\"amount\":\"1234.56\"}}"
mut "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$2\",\"fields\":{\"dealstage\":\"closedwon\",\"amount\":\"99.99\"}}"
mut "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$3\",\"fields\":{\"dealstage\":\"closedlost\"}}"
# Let the incremental search cover every deal: cursor before T0.
psql_db -c "UPDATE sync_cursors SET cursor = '2020-01-01T00:00:00Z' WHERE provider = 'hubspot' AND resource = 'deals'" >/dev/null
t_eq "deals cursor set back" 1 "$(psql_db -c "SELECT count(*) FROM sync_cursors WHERE provider = 'hubspot' AND resource = 'deals' AND cursor LIKE '2020%'")"
before=$(wc -l <"$T_TMP/sim.log")

"$OD_BIN" sync hubspot --wait >"$T_TMP/inc.log" 2>&1
t_eq "incremental HubSpot sync completes" 0 "$?"
tail -n +"$((before + 1))" "$T_TMP/sim.log" >"$T_TMP/inc.sim.log"
searches=$(grep -c 'POST /crm/v3/objects/deals/search' "$T_TMP/inc.sim.log")
t_check "the incremental sync searched ($searches requests)" test "$searches" -gt 50
# (the search ends with the archived list; the checkpoint keeps the search's last from_ms)
cp=$(psql_db -c "SELECT (checkpoint->>'from_ms')::bigint > 1600000000000 AND (checkpoint->>'archived')::bool
                 FROM sync_jobs WHERE resource = 'deals' ORDER BY id DESC LIMIT 1")
t_eq "the search restarted from a later hs_lastmodifieddate (checkpoint from_ms after the cursor)" t "$cp"
t_eq "no search answered 400 (the 10,000 cap)" 0 "$(grep 'deals/search' "$T_TMP/inc.sim.log" | grep -c ' 400 ')"
t_eq "no 400 at all during the incremental sync" 0 "$(grep -c ' 400 ' "$T_TMP/inc.sim.log")"
t_eq "the three changed deals arrived" "closedwon|1234.56,closedwon|99.99,closedlost|" \
    "$(psql_db -c "SELECT string_agg(dealstage || '|' || CASE WHEN dealstage = 'closedwon' THEN amount::text ELSE '' END, ',' ORDER BY id) FROM hubspot_deals WHERE id IN ($1, $2, $3)")"
t_eq "after the incremental sync: deals, won count and won amount equal the truth" "$(deals_truth)" "$(deals_db)"
t_check "the cursor moved past T0" test "$(psql_db -c "SELECT cursor > '2026' FROM sync_cursors WHERE provider = 'hubspot' AND resource = 'deals'")" = t
t_done
