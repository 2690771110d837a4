#!/bin/sh
# health_cli.sh — `opsdeck health`: exit 0 with everything up, 1 on a warning, 2 within 10 s
# when the database is unreachable; JSON in the IETF health-check draft shape.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start || { t_fail "simulator"; t_done; }
psql_db <<'SQL' >/dev/null
INSERT INTO workers (id, host, pid, threads) VALUES ('test:1:1', 'test', 1, 2);
INSERT INTO sync_cursors (provider, account_id, resource) VALUES ('harvest', '1000001', 'time_entries'),
                                                                  ('hubspot', 'default', 'deals');
SQL

out=$("$OD_BIN" health 2>&1)
t_eq "all up: exit 0" "0" "$?"
printf '%s\n' "$out" | grep -q '^pass *database:latency' && t_ok "table lists database:latency as pass" ||
    t_fail "table lists database:latency as pass" "$out"

json=$("$OD_BIN" health --json)
t_eq "JSON: status pass, checks keyed component:measurement, statuses valid, latency in ms" "pass|True|True|ms" \
    "$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d["checks"]
ok_keys = all(":" in k and isinstance(v, list) and v for k, v in c.items())
ok_status = all(x["status"] in ("pass", "warn", "fail", "unknown") and "output" in x for v in c.values() for x in v)
print("|".join([d["status"], str(ok_keys), str(ok_status), c["database:latency"][0]["observedUnit"]]))')"
t_eq "every check of the table is reported" \
    "cache:hit_ratio database:latency database:long_transactions database:pool database:size harvest:breaker harvest:ratelimit harvest:reachability harvest:token hubspot:breaker hubspot:ratelimit hubspot:reachability hubspot:token listener:connection log:errors process:fds process:rss process:threads queue:dead queue:depth sync:lag workers:heartbeat" \
    "$(printf '%s' "$json" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["checks"])))')"

psql_db -c "UPDATE sync_cursors SET updated_at = now() - interval '3 hours' WHERE resource = 'deals'" >/dev/null
out=$("$OD_BIN" health --json)
t_eq "a lagging sync is a warning: exit 1, named per resource" "1|hubspot/deals" \
    "$?|$(printf '%s' "$out" | python3 -c '
import json,sys
print(" ".join(x.get("componentId", "") for x in json.load(sys.stdin)["checks"]["sync:lag"] if x["status"] == "warn"))')"

mkdir -p "$T_TMP/nosock"
start=$(date +%s%N)
out=$(OPSDECK_DATABASE_URL="postgresql:///nothing?host=$T_TMP/nosock" "$OD_BIN" health --json 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "database unreachable: exit 2" "2" "$rc"
t_eq "database unreachable: answered within 10 s" "yes" "$([ "$ms" -lt 10000 ] && echo yes || echo "no ($ms ms)")"
t_eq "database unreachable: status fail, database:latency fail" "fail fail" \
    "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["checks"]["database:latency"][0]["status"])')"
t_done
