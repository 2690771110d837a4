#!/bin/sh
# profit_truth.sh — end to end: sync the simulator's world, match links, and compare
# `opsdeck report profitability` with /__sim/truth for every grouping (rows and totals: entries,
# hours, billable hours, revenue, cost and both missing-rate counts) over all time and three
# ranges (one with mid-month ends, the ytd preset, the last 30 days of the data), including the
# won deal amount per client through the automatic links. Twice over: one database at the
# default day-rollup policy (the simulator's months are small: partial edge months are read from
# raw rows), one whose policy lists every month as the sync writes it (edges from day rollups,
# kept by the sync). Then upstream edits (hours, rates taken away, entries added on the range
# edges) and an incremental sync, then deletes and a reconcile, each followed by the comparison.
. tests/lib/common.sh

sim_start --scale 3000 --seed 11 || { t_fail "simulator"; t_done; }
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
mid = "%s:%s" % (month(last, 11).replace(day=14), month(last, 2).replace(day=9))
print("mid-month=" + mid)
print("ytd=period")
print("last-30-days-of-data=%s:%s" % (last - datetime.timedelta(days=29), last))
PY
)
today=$(date +%F)
ytd_from=$(date +%Y)-01-01

# compare LABEL: every grouping, all time and every range, against the truth for that range
compare() {
    for r in "all=:" $ranges; do
        name=${r%%=*}; span=${r#*=}
        if [ "$span" = period ]; then
            from=$ytd_from; to=$today; set -- --period ytd
        else
            from=${span%%:*}; to=${span#*:}; set --
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
     "entries_missing_billable_rate")
want = {str(r.get("key", r.get("id"))): tuple(str(r[k]) for k in f) for r in truth[sec] if r["entries"]}
got = {r["key"]: tuple(str(r[k]) for k in f) for r in rep["rows"]}
bad = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
tt = tuple(str(truth["totals"][k]) for k in f); rt = tuple(str(rep["totals"][k]) for k in f)
gaps = "missing rates: %s cost, %s billable" % (tt[5], tt[6])
print("%d rows, %d differ%s; totals %s; %s" % (len(want), len(bad),
      (" e.g. %s: want %s got %s" % (bad[0], want.get(bad[0]), got.get(bad[0]))) if bad else "",
      "equal" if tt == rt else "differ: want %s got %s" % (tt, rt), gaps))
PY
)
            case $diff in
                "0 rows"*) t_fail "$label, $name [$from, $to]: by $by has rows" "$diff" ;;
                *" 0 differ; totals equal; missing rates: 0 cost"* | *"billable 0") t_fail "$label, $name: the world has entries missing each rate" "$diff" ;;
                *" 0 differ; totals equal"*) t_ok "$label, $name [$from, $to]: by $by equals /__sim/truth ($diff)" ;;
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

curl -sf "$SIM_URL/__sim/truth" >"$T_TMP/truth.json" || t_fail "truth"
"$OD_BIN" report profitability --by client --format json >"$T_TMP/client.json" || t_fail "report"
deals=$(python3 - "$T_TMP/truth.json" "$T_TMP/client.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2]))
want = {str(r["id"]): r["deal_amount"] for r in truth["clients"] if r["entries"]}
got = {r["key"]: r["deal_amount"] for r in rep["rows"]}
linked = [k for k in want if got.get(k) is not None]
bad = [k for k in linked if want[k] != got[k]]
wrong = [k for k in want if want[k] is None and got.get(k) is not None]
print("%d of %d clients linked, %d linked without a company in the truth, %d deal amounts differ%s" % (
      len(linked), len(want), len(wrong), len(bad),
      (" e.g. %s: want %s got %s" % (bad[0], want[bad[0]], got[bad[0]])) if bad else ""))
PY
)
case $deals in
    *" 0 linked without a company in the truth, 0 deal amounts differ") t_ok "deal amounts of linked clients equal the truth ($deals)" ;;
    *) t_fail "deal amounts of linked clients equal the truth" "$deals" ;;
esac

# Upstream edits: on the days at the ranges' ends (where edges are cut) and elsewhere, hours
# changed, a billable rate and a cost rate taken away, entries added (one without rates).
mut() { curl -sf -X POST "$SIM_URL/__sim/mutate" -d "$1" >/dev/null || t_fail "mutate $1"; }
edge_days=$(echo "$ranges" | grep -v period | sed 's/.*=//' | tr ':' '\n' | sort -u | tr '\n' ' ')
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
for db in "$DB_RAW" "$DB_DAY"; do
    export OPSDECK_DATABASE_URL="$db"
    "$OD_BIN" sync harvest --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "incremental harvest sync" "$(tail -5 "$T_TMP/sync.log")"
done
compare_both "after upstream edits and an incremental sync"

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
