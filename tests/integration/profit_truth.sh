#!/bin/sh
# profit_truth.sh — issue #14's "done when" 1, end to end: sync the simulator's world (Harvest
# and HubSpot), match links, and compare `opsdeck report profitability` with /__sim/truth for
# every grouping (client, project, month, person; rows and totals: entries, hours, billable
# hours, revenue, cost, both missing-rate counts, and per client the won deal amount) over all
# time and three ranges: one with mid-month ends (--from/--to), `--period last-month` and
# `--period last-30d` (the simulator's world ends yesterday: --t0 today, so presets meet data).
# At three moments: after the full sync; after upstream edits (time entries changed, rates taken
# away and entries added on the range edges; a won deal archived, one moved into last month, an
# open deal won on the mid-month range's first day) and an INCREMENTAL sync of both providers;
# after deletes and a reconcile. Twice over: one database at the default day-rollup policy (the
# simulator's months are small: partial edge months are read from raw rows), one whose policy
# lists every month as the sync writes it (edges from day rollups, kept by the sync).
. tests/lib/common.sh

sim_start --scale 3000 --seed 11 --t0 "$(date +%F)" || { t_fail "simulator"; t_done; }
db_new "t_profit_truth_raw_$$" || { t_fail "database"; t_done; }
DB_RAW=$OPSDECK_DATABASE_URL
db_new "t_profit_truth_day_$$" || { t_fail "database"; t_done; }
DB_DAY=$OPSDECK_DATABASE_URL
psql_db -c "UPDATE profit_rollup_daily_policy SET min_entries = 0, min_entries_per_project = 0" >/dev/null ||
    t_fail "policy: every month"

for db in "$DB_RAW" "$DB_DAY"; do
    export OPSDECK_DATABASE_URL="$db"
    "$OD_BIN" sync harvest --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "harvest sync" "$(tail -5 "$T_TMP/sync.log")"
    "$OD_BIN" sync hubspot --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "hubspot sync" "$(tail -5 "$T_TMP/sync.log")"
    "$OD_BIN" links auto >/dev/null || t_fail "links auto"
done

# The data's dates: the last day is the day before t0; ranges are relative to it.
last=$(curl -sf "$SIM_URL/__sim/health" | python3 -c '
import json, sys, datetime
t0 = json.load(sys.stdin)["t0"][:10]
print(datetime.date.fromisoformat(t0) - datetime.timedelta(days=1))')
ranges=$(python3 - "$last" <<'PY'
import sys, datetime
last = datetime.date.fromisoformat(sys.argv[1])
def month(d, k):  # the first day of the month k months before d's
    m = d.year * 12 + d.month - 1 - k
    return datetime.date(m // 12, m % 12 + 1, 1)
today = datetime.date.today()  # local time, as opsdeck resolves --period
print("mid-month=%s:%s" % (month(last, 11).replace(day=14), month(last, 2).replace(day=9)))
print("last-month=%s:%s:period" % (month(today, 1), month(today, 0) - datetime.timedelta(days=1)))
print("last-30d=%s:%s:period" % (today - datetime.timedelta(days=29), today))
PY
)
mid_from=$(echo "$ranges" | sed -n 's/^mid-month=\([^:]*\):.*/\1/p')
lastmonth_day=$(echo "$ranges" | sed -n 's/^last-month=[^:]*:\([^:]*\):.*/\1/p')
n_deals=0 # clients whose won deal amount in a range is not 0 in the truth, over every comparison

# compare LABEL: every grouping, all time and every range, against the truth for that range
compare() {
    for r in "all=:" $ranges; do
        name=${r%%=*}; span=${r#*=}
        from=${span%%:*}; span=${span#*:}; to=${span%%:*}
        if [ "$span" != "$to" ]; then # FROM:TO:period: what --period NAME resolves to today
            set -- --period "$name"
        else
            set --
            [ -n "$from" ] && set -- "$@" --from "$from"
            [ -n "$to" ] && set -- "$@" --to "$to"
        fi
        q=""
        [ -n "$from" ] && q="from=$from"
        [ -n "$to" ] && q="$q${q:+&}to=$to"
        curl -sf "$SIM_URL/__sim/truth${q:+?$q}" >"$T_TMP/truth.json" || t_fail "truth $q"
        for pair in client:clients project:projects person:users month:months; do
            by=${pair%%:*}; section=${pair#*:}
            "$OD_BIN" report profitability --by "$by" --format json "$@" >"$T_TMP/$by.json" ||
                { t_fail "$label: report --by $by $*"; continue; }
            diff=$(python3 - "$T_TMP/truth.json" "$T_TMP/$by.json" "$section" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2])); sec = sys.argv[3]
f = ("entries", "hours", "billable_hours", "revenue", "cost", "entries_missing_cost_rate",
     "entries_missing_billable_rate") + (("deal_amount",) if sec == "clients" else ())
# a client's row is there when it has time or won deals in the range
want = {str(r.get("key", r.get("id"))): tuple(str(r[k]) for k in f) for r in truth[sec]
        if r["entries"] or r.get("deal_amount") not in (None, "0.00")}
got = {r["key"]: tuple(str(r[k]) for k in f) for r in rep["rows"]}
bad = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
tt = tuple(str(truth["totals"][k]) for k in f[:7]); rt = tuple(str(rep["totals"][k]) for k in f[:7])
deals = ""
if sec == "clients":  # the total of the linked clients' won deals
    from decimal import Decimal
    amounts = [Decimal(r["deal_amount"]) for r in truth[sec] if r["deal_amount"] is not None]
    tt += (str(sum(amounts)) if amounts else "None",); rt += (str(rep["totals"]["deal_amount"]),)
    deals = "; %d clients with won deals" % sum(1 for a in amounts if a)
gaps = "missing rates: %s cost, %s billable" % (tt[5], tt[6])
print("%d rows, %d differ%s; totals %s; %s%s" % (len(want), len(bad),
      (" e.g. %s: want %s got %s" % (bad[0], want.get(bad[0]), got.get(bad[0]))) if bad else "",
      "equal" if tt == rt else "differ: want %s got %s" % (tt, rt), gaps, deals))
PY
)
            case $diff in
                "0 rows"*) t_fail "$label, $name [$from, $to]: by $by has rows" "$diff" ;;
                *" 0 differ; totals equal; missing rates: 0 cost"* | *"billable 0"*) t_fail "$label, $name: the world has entries missing each rate" "$diff" ;;
                *" 0 differ; totals equal"*)
                    t_ok "$label, $name [$from, $to]: by $by equals /__sim/truth ($diff)"
                    case $diff in *"; 0 clients with won deals") ;; *"clients with won deals") n_deals=$((n_deals + 1)) ;; esac ;;
                *) t_fail "$label, $name [$from, $to]: by $by equals /__sim/truth" "$diff" ;;
            esac
        done
    done
}

compare_both() { # stage
    for db in "$DB_RAW" "$DB_DAY"; do
        export OPSDECK_DATABASE_URL="$db"
        label="$1, $([ "$db" = "$DB_RAW" ] && echo "raw edges" || echo "day rollups")"
        compare
        t_check "$label: rollup rebuild --check finds no difference" "$OD_BIN" rollup rebuild --check
    done
}

compare_both "full sync"
export OPSDECK_DATABASE_URL="$DB_DAY"
t_eq "the sync listed every month with entries (policy 0) and kept their day rows" "t|t" \
    "$(psql_db -c "SELECT (SELECT count(*) FROM profit_rollup_daily_months) =
                          (SELECT count(DISTINCT date_trunc('month', spent_date)) FROM harvest_time_entries),
                          (SELECT sum(entries) FROM profit_rollup_client_day) = (SELECT count(*) FROM harvest_time_entries WHERE deleted_at IS NULL)")"
export OPSDECK_DATABASE_URL="$DB_RAW"
t_eq "the default policy lists none of the simulator's small months" "0|0" \
    "$(psql_db -c "SELECT (SELECT count(*) FROM profit_rollup_daily_months), (SELECT count(*) FROM profit_rollup_client_day)")"

t_check "the deal amounts compared are not all zero ($n_deals comparisons with won deals)" test "$n_deals" -gt 0
t_eq "every client with a company in the truth is linked (so every deal amount is compared)" 0 \
    "$(echo "SELECT count(*) FROM json_array_elements_text(:'ids'::json) i WHERE NOT EXISTS
             (SELECT 1 FROM client_links l WHERE l.client_id = i::bigint AND l.company_id IS NOT NULL)" |
       psql_db -v ids="$(curl -sf "$SIM_URL/__sim/truth" | jq -c '[.clients[] | select(.deal_amount != null) | .id]')")"

# Upstream edits: on the days at the ranges' ends (where edges are cut) and elsewhere, hours
# changed, a billable rate and a cost rate taken away, entries added (one without rates).
mut() { curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1" >/dev/null || t_fail "mutate $1"; }
edge_days=$(echo "$ranges" | sed 's/.*=//; s/:period$//' | tr ':' '\n' | sort -u | tr '\n' ' ')
i=0
for day in $edge_days; do
    i=$((i + 1))
    ids=$(psql_db -c "SELECT id FROM harvest_time_entries WHERE spent_date = '$day' AND billable ORDER BY id LIMIT 3" | tr '\n' ' ')
    set -- $ids
    [ $# -ge 1 ] && mut "{\"action\":\"edit\",\"resource\":\"time_entries\",\"id\":$1,\"fields\":{\"hours\":$i.35}}"
    [ $# -ge 2 ] && mut "{\"action\":\"edit\",\"resource\":\"time_entries\",\"id\":$2,\"fields\":{\"billable_rate\":null}}"
    [ $# -ge 3 ] && mut "{\"action\":\"edit\",\"resource\":\"time_entries\",\"id\":$3,\"fields\":{\"cost_rate\":null}}"
    mut "{\"action\":\"add\",\"resource\":\"time_entries\",\"fields\":{\"spent_date\":\"$day\",\"hours\":1.1$i}}"
    mut "{\"action\":\"add\",\"resource\":\"time_entries\",\"fields\":{\"spent_date\":\"$day\",\"hours\":0.4$i,\"billable_rate\":null,\"cost_rate\":null}}"
done
mut '{"action":"random","count":40}'
# Deals: a won deal counted for a linked client archived (search never returns it again); another
# one moved into last month (the preset) with a new amount; an open deal won in the second
# pipeline's won stage on the first day of the mid-month range (both ends inclusive).
arch=$(psql_db -c "SELECT w.deal_id FROM hubspot_won_deals w JOIN client_links l ON l.company_id = w.company_id
                   WHERE w.amount > 0 ORDER BY w.deal_id LIMIT 1")
moved=$(psql_db -c "SELECT w.deal_id FROM hubspot_won_deals w JOIN client_links l ON l.company_id = w.company_id
                    WHERE w.deal_id <> ${arch:-0} ORDER BY w.deal_id DESC LIMIT 1")
won=$(psql_db -c "SELECT d.id FROM hubspot_deals d JOIN hubspot_deal_company dc ON dc.deal_id = d.id
                  JOIN client_links l ON l.company_id = dc.company_id
                  WHERE NOT d.archived AND d.id NOT IN (SELECT deal_id FROM hubspot_won_deals) ORDER BY d.id LIMIT 1")
t_check "three deals picked (archived $arch, moved $moved, won $won)" test -n "$arch" -a -n "$moved" -a -n "$won"
mutd() { out=$(curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1") || t_fail "mutate $1" "$out"; }
mutd "{\"action\":\"archive\",\"resource\":\"deals\",\"id\":\"$arch\"}"
mutd "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$moved\",\"fields\":{\"amount\":\"1234.56\",\"closedate\":\"$lastmonth_day\"}}"
mutd "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$won\",\"fields\":{\"dealstage\":\"58123403\",\"amount\":\"4321.09\",\"closedate\":\"$mid_from\"}}"
for db in "$DB_RAW" "$DB_DAY"; do
    export OPSDECK_DATABASE_URL="$db"
    "$OD_BIN" sync harvest --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "incremental harvest sync" "$(tail -5 "$T_TMP/sync.log")"
    before=$(wc -l <"$T_TMP/sim.log")
    "$OD_BIN" sync hubspot --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "incremental hubspot sync" "$(tail -5 "$T_TMP/sync.log")"
    t_eq "the HubSpot sync was incremental (searched, listed only archived records)" "1|0" \
        "$(tail -n +"$((before + 1))" "$T_TMP/sim.log" | awk '/POST \/crm\/v3\/objects\/deals\/search/ {s = 1}
            /GET \/crm\/v3\/objects\/(deals|companies)\?.*archived=false/ {l++} END {print s + 0 "|" l + 0}')"
    t_eq "the archived deal is archived, the moved and the won one are won" "t|t|t" \
        "$(psql_db -c "SELECT (SELECT archived FROM hubspot_deals WHERE id = $arch),
                              EXISTS (SELECT 1 FROM hubspot_won_deals WHERE deal_id = $moved AND close_day = '$lastmonth_day'),
                              EXISTS (SELECT 1 FROM hubspot_won_deals WHERE deal_id = $won AND close_day = '$mid_from')")"
done
compare_both "after upstream edits, an archived deal and an incremental sync"

# Deletes are invisible to incremental syncs: a reconcile takes them away.
export OPSDECK_DATABASE_URL="$DB_RAW"
for day in $edge_days; do
    id=$(psql_db -c "SELECT id FROM harvest_time_entries WHERE spent_date = '$day' AND deleted_at IS NULL ORDER BY id DESC LIMIT 1")
    [ -n "$id" ] && mut "{\"action\":\"delete\",\"resource\":\"time_entries\",\"id\":$id}"
done
for db in "$DB_RAW" "$DB_DAY"; do
    export OPSDECK_DATABASE_URL="$db"
    OPSDECK_SYNC_RECONCILE_DAYS=3650 "$OD_BIN" sync harvest --reconcile --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "reconcile" "$(tail -5 "$T_TMP/sync.log")"
done
compare_both "after upstream deletes and a reconcile"
t_done
