# sync_reconcile.sh — `opsdeck sync --reconcile`: records deleted upstream are soft-deleted and
# leave the totals, which equal the simulator's truth again.
. tests/lib/common.sh
db_new
sim_start --scale 3000 --seed 11 --rate-limits off
t_check "first sync" "$OD_BIN" sync all --wait
export OPSDECK_SYNC_RECONCILE_DAYS=3650   # the seeded world spans months around its epoch
ids=$(psql_db -c "SELECT id FROM harvest_time_entries ORDER BY id LIMIT 3")
for id in $ids; do
    curl -fsS -X POST -d "{\"action\":\"delete\",\"resource\":\"time_entries\",\"id\":$id}" "$SIM_URL/__sim/mutate" >/dev/null
done
t_eq "three entries picked" 3 "$(echo "$ids" | wc -w)"
"$OD_BIN" sync --full --reconcile >/dev/null 2>&1; t_eq "--full with --reconcile is a usage error" 2 $?
out=$("$OD_BIN" sync harvest --reconcile --wait 2>&1); rc=$?
t_eq "sync harvest --reconcile --wait exits 0" 0 "$rc"
case "$out" in *harvest/reconcile*) t_ok "the reconcile job ran" ;; *) t_fail "the reconcile job ran" "$out" ;; esac
del=$(psql_db -c "SELECT count(*) FROM harvest_time_entries WHERE deleted_at IS NOT NULL")
t_eq "exactly the deleted entries are soft-deleted" 3 "$del"
want=$(curl -fsS "$SIM_URL/__sim/truth" | python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["entries"], t["hours"], t["revenue"], t["cost"])')
got=$("$OD_BIN" report profitability --format json | python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["entries"], t["hours"], t["revenue"], t["cost"])')
t_eq "totals equal the truth after reconcile" "$want" "$got"
t_check "rollups still equal the raw rows" "$OD_BIN" rollup rebuild --check
t_done
