#!/bin/sh
# profit_truth.sh — end to end: sync the simulator's world, match links, and compare
# `opsdeck report profitability` with /__sim/truth for every dimension (rows and totals),
# including the won deal amount per client through the automatic links.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start --scale 3000 --seed 11 || { t_fail "simulator"; t_done; }
"$OD_BIN" sync harvest --wait >"$T_TMP/sync.log" 2>&1 || t_fail "harvest sync" "$(tail -5 "$T_TMP/sync.log")"
"$OD_BIN" sync hubspot --wait >>"$T_TMP/sync.log" 2>&1 || t_fail "hubspot sync" "$(tail -5 "$T_TMP/sync.log")"
"$OD_BIN" links auto >/dev/null || t_fail "links auto"
curl -sf "$SIM_URL/__sim/truth" >"$T_TMP/truth.json" || t_fail "truth"

for pair in client:clients project:projects person:users month:months; do
    by=${pair%%:*}; section=${pair#*:}
    "$OD_BIN" report profitability --by "$by" --format json >"$T_TMP/$by.json" || t_fail "report --by $by"
    diff=$(python3 - "$T_TMP/truth.json" "$T_TMP/$by.json" "$section" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2])); sec = sys.argv[3]
f = ("entries", "hours", "billable_hours", "revenue", "cost", "entries_missing_cost_rate", "entries_missing_billable_rate")
want = {str(r.get("key", r.get("id"))): tuple(str(r[k]) for k in f) for r in truth[sec] if r["entries"]}
got = {r["key"]: tuple(str(r[k]) for k in f) for r in rep["rows"]}
bad = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
tt = tuple(str(truth["totals"][k]) for k in f); rt = tuple(str(rep["totals"][k]) for k in f)
print("%d rows, %d differ%s; totals %s" % (len(want), len(bad),
      (" e.g. %s: want %s got %s" % (bad[0], want.get(bad[0]), got.get(bad[0]))) if bad else "",
      "equal" if tt == rt else "differ: want %s got %s" % (tt, rt)))
PY
)
    case $diff in
        *" 0 differ; totals equal") t_ok "by $by equals /__sim/truth ($diff)" ;;
        *) t_fail "by $by equals /__sim/truth" "$diff" ;;
    esac
done

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
t_done
