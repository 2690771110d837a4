#!/bin/sh
# deals_truth.sh — account managers' deal numbers against the simulator's truth, for every
# client, all time and for date ranges:
#   - won = a closed stage with probability 1.0 in ANY pipeline (the simulator's second pipeline
#     has custom stage ids, a won stage that is not closedwon and a 1.0 stage that is not
#     closed), read from GET /crm/v3/pipelines/deals; never a hard-coded stage id;
#   - each deal counts once, for its Primary company (v4 association typeId 5), else its only
#     company; a won deal with two companies and no Primary counts for no client and is named by
#     one deal_without_primary exception;
#   - after upstream edits (amount, stage into the second pipeline's won stage, close date),
#     an archived deal and an archived company, the next INCREMENTAL sync brings the numbers
#     back to the truth: archived records come from the archived=true list (search never
#     returns them and archiving does not move hs_lastmodifieddate);
#   - with --from/--to, deal_amount holds the deals whose closedate (UTC day) is in the range.
# "Every client": a client in the report must equal the truth; a client missing from it must
# have no time and no won deal in the range in the truth.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start --scale 20000 --seed 11 --rate-limits off || { t_fail "simulator"; t_done; }
export OPSDECK_RATELIMIT_HUBSPOT=100000/1000 OPSDECK_RATELIMIT_HUBSPOT_SEARCH=100000/1000
export OPSDECK_RATELIMIT_HARVEST=100000/1000
RANGES="2026-01-01:2026-03-31 2025-11-15:2026-02-10 2026-04-20:2026-04-20 :2025-12-31 2026-05-01:"

# compare LABEL FROM TO: the client report's deal_amount (and the won-deal count per client, from
# SQL) equals /__sim/truth for every client.
compare() {
    label=$1 from=$2 to=$3
    set -- --by client --format json
    [ -n "$from" ] && set -- "$@" --from "$from"
    [ -n "$to" ] && set -- "$@" --to "$to"
    "$OD_BIN" report profitability "$@" >"$T_TMP/rep.json" 2>"$T_TMP/rep.err" ||
        { t_fail "$label: report runs" "$(cat "$T_TMP/rep.err")"; return; }
    curl -sf "$SIM_URL/__sim/truth?from=$from&to=$to" >"$T_TMP/truth.json" || { t_fail "$label: truth"; return; }
    psql_db -F, -c "SELECT cl.client_id, w.deals FROM client_links cl
                    JOIN opsdeck_won_by_company(NULLIF('$from', '')::date, NULLIF('$to', '')::date) w
                      ON w.company_id = cl.company_id" >"$T_TMP/won.csv"
    res=$(python3 - "$T_TMP/truth.json" "$T_TMP/rep.json" "$T_TMP/won.csv" <<'PY'
import csv, json, sys
truth = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2]))
won = {r[0]: int(r[1]) for r in csv.reader(open(sys.argv[3]))}
got = {r["key"]: r for r in rep["rows"]}
bad, n, with_deals, counted = [], 0, 0, 0
for c in truth["clients"]:
    k = str(c["id"]); n += 1
    if c["deal_amount"] not in (None, "0.00"): with_deals += 1
    if k not in got:
        if c["entries"] or c["deal_amount"] not in (None, "0.00"):
            bad.append("%s missing (truth entries %s, deal_amount %s)" % (k, c["entries"], c["deal_amount"]))
        continue
    if got[k]["deal_amount"] != c["deal_amount"]:
        bad.append("%s deal_amount want %s got %s" % (k, c["deal_amount"], got[k]["deal_amount"]))
    if c["deal_amount"] is not None and won.get(k, 0) != c["deals_won"]:
        bad.append("%s won deals want %s got %s" % (k, c["deals_won"], won.get(k, 0)))
    counted += c["deals_won"]
extra = [k for k in got if k not in {str(c["id"]) for c in truth["clients"]}]
print("%d clients, %d with won deals (%d deals), %d differ, %d unknown%s" % (
      n, with_deals, counted, len(bad), len(extra), (": " + "; ".join(bad[:3])) if bad else ""))
PY
)
    case $res in
        *" 0 differ, 0 unknown") t_ok "$label: deal_amount per client equals the truth ($res)" ;;
        *) t_fail "$label: deal_amount per client equals the truth" "$res" ;;
    esac
}
# compare_all LABEL: all time, then every range of RANGES.
compare_all() {
    compare "$1, all time" "" ""
    for r in $RANGES; do compare "$1, ${r%%:*}..${r#*:}" "${r%%:*}" "${r#*:}"; done
}
truth_won() { curl -sf "$SIM_URL/__sim/truth" | jq -r '"\(.deals.won_count)|\(.deals.won_amount)"'; }
db_won() { psql_db -c "SELECT count(*) || '|' || coalesce(sum(amount), 0) FROM hubspot_won_deals"; }
no_primary_truth() { curl -sf "$SIM_URL/__sim/truth" | jq -r '[.deals.won_without_primary[] | "deal:\(.)"] | sort | join(",")'; }
no_primary_live() {
    psql_db -c "SELECT coalesce(string_agg(subject, ',' ORDER BY subject), '') FROM exceptions
                WHERE kind = 'deal_without_primary' AND state IN ('open', 'acknowledged')"
}

# 1. Full sync ---------------------------------------------------------------------------------
"$OD_BIN" sync all --wait >"$T_TMP/sync1.log" 2>&1 || t_fail "full sync" "$(tail -5 "$T_TMP/sync1.log")"
t_check "the pipelines job ran before deals" grep -q 'hubspot/pipelines .*completed' "$T_TMP/sync1.log"
t_eq "every stage of both pipelines stored; two won stages, neither hard-coded" \
    "11|58123403,closedwon" \
    "$(psql_db -c "SELECT count(*) || '|' || string_agg(stage_id, ',' ORDER BY stage_id COLLATE \"C\") FILTER (WHERE won) FROM hubspot_deal_stages")"
t_check "won deals in the second pipeline (stage 58123403, not closedwon)" \
    test "$(psql_db -c "SELECT count(*) FROM hubspot_won_deals w JOIN hubspot_deals d ON d.id = w.deal_id WHERE d.dealstage = '58123403'")" -gt 0
t_eq "association types stored: Primary rows are HUBSPOT_DEFINED 5" "Primary" \
    "$(psql_db -c "SELECT string_agg(DISTINCT label, ',') FROM hubspot_deal_companies WHERE type_id = 5 AND category = 'HUBSPOT_DEFINED'")"
t_eq "won deals (count|amount, each deal once) equal the truth" "$(truth_won)" "$(db_won)"
t_eq "every client with a company in the truth is linked (name/domain)" 0 \
    "$(echo "SELECT count(*) FROM json_array_elements_text(:'ids'::json) i WHERE NOT EXISTS
             (SELECT 1 FROM client_links l WHERE l.client_id = i::bigint AND l.company_id IS NOT NULL)" |
       psql_db -v ids="$(curl -sf "$SIM_URL/__sim/truth" | jq -c '[.clients[] | select(.deal_amount != null) | .id]')")"
compare_all "after the full sync"
np=$(no_primary_truth)
t_check "the world has won deals with two companies and no Primary ($np)" test -n "$np"
t_eq "one deal_without_primary exception per such deal, naming it" "$np" "$(no_primary_live)"

# 2. Upstream edits, an archived deal, an archived company; then an incremental sync ----------
mut() { out=$(curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1") || t_fail "mutate $1" "$out"; }
# a won deal counted for a linked client: archive it
arch=$(psql_db -c "SELECT w.deal_id FROM hubspot_won_deals w JOIN client_links l ON l.company_id = w.company_id
                   WHERE w.amount > 0 ORDER BY w.deal_id LIMIT 1")
mut "{\"action\":\"archive\",\"resource\":\"deals\",\"id\":\"$arch\"}"
# an open deal of the default pipeline: won in the second pipeline's won stage, closed 2026-02-02
open_d=$(psql_db -c "SELECT d.id FROM hubspot_deals d JOIN hubspot_deal_company dc ON dc.deal_id = d.id
                     JOIN client_links l ON l.company_id = dc.company_id
                     WHERE d.dealstage = 'contractsent' AND NOT d.archived ORDER BY d.id LIMIT 1")
mut "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$open_d\",\"fields\":{\"dealstage\":\"58123403\",\"amount\":\"4321.09\",\"closedate\":\"2026-02-02\"}}"
# a won deal: new amount, and moved out of the first range by its close date
moved=$(psql_db -c "SELECT w.deal_id FROM hubspot_won_deals w JOIN client_links l ON l.company_id = w.company_id
                    WHERE w.close_day BETWEEN '2026-01-01' AND '2026-03-31' AND w.deal_id <> $arch ORDER BY w.deal_id LIMIT 1")
mut "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$moved\",\"fields\":{\"amount\":\"17.50\",\"closedate\":\"2026-04-20\"}}"
# a company with won deals: archived (its client loses the company, its deals count for no one
# unless they have another company)
gone=$(psql_db -c "SELECT w.company_id FROM hubspot_won_deals w JOIN client_links l ON l.company_id = w.company_id
                   WHERE w.deal_id NOT IN ($arch, $moved, $open_d) ORDER BY w.company_id DESC LIMIT 1")
mut "{\"action\":\"archive\",\"resource\":\"companies\",\"id\":\"$gone\"}"
t_check "four upstream changes picked ($arch $open_d $moved $gone)" test -n "$arch" -a -n "$open_d" -a -n "$moved" -a -n "$gone"
before=$(wc -l <"$T_TMP/sim.log")
"$OD_BIN" sync hubspot --wait >"$T_TMP/sync2.log" 2>&1 || t_fail "incremental sync" "$(tail -5 "$T_TMP/sync2.log")"
tail -n +"$((before + 1))" "$T_TMP/sim.log" >"$T_TMP/inc.sim.log"
t_check "the incremental sync searched deals" grep -q 'POST /crm/v3/objects/deals/search' "$T_TMP/inc.sim.log"
# its progress: the search's total counts the changed deals only, the archived pages come after
t_eq "no job's progress went past 100% (sync --wait)" "" \
    "$(grep -oE '[0-9]+%' "$T_TMP/sync2.log" | tr -d '%' | awk '$1 > 100')"
t_eq "it did not re-list live deals or companies" 0 \
    "$(grep -c 'GET /crm/v3/objects/\(deals\|companies\)?.*archived=false' "$T_TMP/inc.sim.log")"
t_check "it paged through the archived deals and companies" \
    sh -c "grep -q 'GET /crm/v3/objects/deals?.*archived=true' '$T_TMP/inc.sim.log' && grep -q 'GET /crm/v3/objects/companies?.*archived=true' '$T_TMP/inc.sim.log'"
t_eq "the archived deal and company are marked archived" "true|true" \
    "$(psql_db -c "SELECT (SELECT archived FROM hubspot_deals WHERE id = $arch) || '|' || (SELECT archived FROM hubspot_companies WHERE id = $gone)")"
t_eq "the archived company's client link is gone" 0 "$(psql_db -c "SELECT count(*) FROM client_links WHERE company_id = $gone")"
t_eq "won deals equal the truth after the incremental sync" "$(truth_won)" "$(db_won)"
compare_all "after edits, an archived deal and company, incremental"
t_eq "deal_without_primary follows the truth after the incremental sync" "$(no_primary_truth)" "$(no_primary_live)"

# 3. A full re-read changes nothing ------------------------------------------------------------
"$OD_BIN" sync hubspot --full --wait >"$T_TMP/sync3.log" 2>&1 || t_fail "full re-sync" "$(tail -5 "$T_TMP/sync3.log")"
compare "after a --full HubSpot sync, all time" "" ""
t_done
