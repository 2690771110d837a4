#!/bin/sh
# health_cli.sh — `opsdeck health`: exit 0 with everything up, 1 on a warning, 2 within 10 s
# when the database is unreachable; JSON in the IETF health-check draft shape. Health tells the
# truth: a refused Harvest token (the simulator answers 401) fails harvest:token and exits 2
# while the syncs die naming 401; a base URL that answers 404 fails reachability; backup:age
# warns/fails on an old backup; values in human units; each check has a runbook section.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start || { t_fail "simulator"; t_done; }
psql_db <<'SQL' >/dev/null
INSERT INTO workers (id, host, pid, threads) VALUES ('test:1:1', 'test', 1, 2);
INSERT INTO sync_cursors (provider, account_id, resource) VALUES ('harvest', '1000001', 'time_entries'),
                                                                  ('hubspot', 'default', 'deals');
SQL
export OPSDECK_HEALTH_BACKUP_DIR="$T_TMP/backups"
# a backup is signed with a key derived from the master key (the checks below need no key file)
OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key" "$OD_BIN" keygen >/dev/null 2>&1 || t_fail "keygen"
OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key" "$OD_BIN" backup --dir "$OPSDECK_HEALTH_BACKUP_DIR" \
    >"$T_TMP/backup.log" 2>&1 || t_fail "backup" "$(cat "$T_TMP/backup.log")"

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
    "backup:age cache:hit_ratio database:latency database:long_transactions database:pool database:size harvest:breaker harvest:ratelimit harvest:reachability harvest:token hubspot:breaker hubspot:ratelimit hubspot:reachability hubspot:token listener:connection log:errors process:fds process:rss process:threads queue:dead queue:depth sync:lag workers:heartbeat" \
    "$(printf '%s' "$json" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["checks"])))')"

psql_db -c "UPDATE sync_cursors SET updated_at = now() - interval '3 hours' WHERE resource = 'deals'" >/dev/null
out=$("$OD_BIN" health --json)
t_eq "a lagging sync is a warning: exit 1, named per resource" "1|hubspot/deals" \
    "$?|$(printf '%s' "$out" | python3 -c '
import json,sys
print(" ".join(x.get("componentId", "") for x in json.load(sys.stdin)["checks"]["sync:lag"] if x["status"] == "warn"))')"

# values in human units in the table; raw numbers + unit in JSON
json=$("$OD_BIN" health --json)
t_eq "JSON keeps raw numbers: database:size in bytes, backup:age in s" "True bytes True s" \
    "$(printf '%s' "$json" | python3 -c '
import json,sys
c = json.load(sys.stdin)["checks"]
d, b = c["database:size"][0], c["backup:age"][0]
print(isinstance(d["observedValue"], int), d["observedUnit"], isinstance(b["observedValue"], int), b["observedUnit"])')"
out=$("$OD_BIN" health)
line=$(printf '%s\n' "$out" | grep '^pass *database:size')
printf '%s' "$line" | grep -Eq ' [0-9]+\.[0-9] MiB ' && t_ok "table: database:size in MiB" || t_fail "table: database:size in MiB" "$line"
printf '%s\n' "$out" | grep -E '^pass *queue:dead' | grep -Eq ' 0  ' && t_ok "table: a count is the number alone" ||
    t_fail "table: a count is the number alone" "$(printf '%s\n' "$out" | grep 'queue:dead')"
printf '%s\n' "$out" | grep -Eq ' (count|bytes) ' && t_fail "table: no raw unit names" "$(printf '%s\n' "$out" | grep -E ' (count|bytes) ')" ||
    t_ok "table: no raw unit names"

# backup:age: thresholds from the configuration, age from the manifest
mf=$(ls "$OPSDECK_HEALTH_BACKUP_DIR"/*.json)
old=$(date -u -d '-30 hours' +%Y-%m-%dT%H:%M:%SZ)
sed -i "s/\"created_at\":[[:space:]]*\"[^\"]*\"/\"created_at\":\"$old\"/" "$mf"
psql_db -c "UPDATE sync_cursors SET updated_at = now()" >/dev/null
out=$("$OD_BIN" health)
rc=$?
t_eq "a 30 h old backup warns (exit 1), in hours" "1" "$rc"
printf '%s\n' "$out" | grep -E '^warn *backup:age' | grep -q '1 d 6 h' && t_ok "backup age as a duration (1 d 6 h)" ||
    t_fail "backup age as a duration" "$(printf '%s\n' "$out" | grep backup:age)"
OPSDECK_HEALTH_BACKUP_FAIL_HOURS=29 "$OD_BIN" health >/dev/null
t_eq "past health.backup_fail_hours it fails (exit 2)" "2" "$?"
OPSDECK_HEALTH_BACKUP_DIR="$T_TMP/none" "$OD_BIN" health --json | python3 -c '
import json,sys; x=json.load(sys.stdin)["checks"]["backup:age"][0]; print(x["status"], "opsdeck backup" in x["output"])' >"$T_TMP/nb"
t_eq "no backup at all warns and says what to run" "warn True" "$(cat "$T_TMP/nb")"
"$OD_BIN" backup --dir "$OPSDECK_HEALTH_BACKUP_DIR" >/dev/null 2>&1

# every check has a runbook section, embedded in the binary
missing=""
for c in $(printf '%s' "$json" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["checks"])))'); do
    "$OD_BIN" health --runbook "$c" >"$T_TMP/rb" 2>&1 && [ "$(sed -n 3p "$T_TMP/rb" | wc -c)" -gt 20 ] || missing="$missing $c"
done
t_eq "opsdeck health --runbook CHECK has a section for every check" "" "$missing"
"$OD_BIN" health --runbook no:such >/dev/null 2>&1
t_eq "an unknown check has no runbook: exit 2" "2" "$?"

# a refused Harvest token: the probe gets 401, health fails and names Harvest
out=$(OPSDECK_HARVEST_TOKEN=wrong "$OD_BIN" health)
rc=$?
t_eq "refused Harvest token: exit 2" "2" "$rc"
printf '%s\n' "$out" | grep -E '^fail *harvest:token' | grep -q 'Harvest credential REFUSED: HTTP 401' &&
    t_ok "harvest:token fails and names Harvest and 401" ||
    t_fail "harvest:token fails and names Harvest and 401" "$(printf '%s\n' "$out" | grep 'harvest:')"
printf '%s\n' "$out" | grep -Eq '^pass *hubspot:token' && t_ok "hubspot:token still passes" || t_fail "hubspot:token still passes" "$out"
printf '%s\n' "$out" | grep -Eq '^  fail  harvest:token +Refused: reconnect' && t_ok "the table ends with what to do about it" ||
    t_fail "the table ends with what to do about it" "$(printf '%s\n' "$out" | tail -8)"
t_eq "JSON: overall fail, harvest:token fail" "fail fail" \
    "$(OPSDECK_HARVEST_TOKEN=wrong "$OD_BIN" health --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["checks"]["harvest:token"][0]["status"])')"
OPSDECK_HARVEST_TOKEN=wrong timeout 120 "$OD_BIN" sync harvest --wait >"$T_TMP/sync.out" 2>&1
jobs=$("$OD_BIN" jobs --json)
t_eq "the Harvest sync jobs are dead, each error naming 401" "True True" "$(printf '%s' "$jobs" | python3 -c '
import json,sys
j = [x for x in json.load(sys.stdin) if x["provider"] == "harvest"]
print(bool(j) and all(x["state"] == "dead" for x in j), bool(j) and all("401" in (x["last_error"] or "") for x in j))')"

# reachability means an authenticated 2xx: a base URL answering 404 fails
out=$(OPSDECK_HUBSPOT_BASE_URL="$SIM_URL/not-the-api" "$OD_BIN" health)
t_eq "a base URL answering 404: exit 2" "2" "$?"
printf '%s\n' "$out" | grep -E '^fail *hubspot:reachability' | grep -q 'HTTP 404' && t_ok "hubspot:reachability fails on 404" ||
    t_fail "hubspot:reachability fails on 404" "$(printf '%s\n' "$out" | grep hubspot:)"
out=$(OPSDECK_HARVEST_BASE_URL="http://127.0.0.1:1" "$OD_BIN" health)
printf '%s\n' "$out" | grep -E '^fail *harvest:reachability' | grep -q 'unreachable' && t_ok "nothing listening: reachability fails" ||
    t_fail "nothing listening: reachability fails" "$(printf '%s\n' "$out" | grep harvest:)"

# a provider that accepts the connection and never answers: the probe's deadline holds
good_url=$SIM_URL
sim_start --timeout-rate 1 --hang-ms 30000 || t_fail "hanging simulator"
start=$(date +%s%N)
out=$(OPSDECK_HARVEST_BASE_URL="$SIM_URL" OPSDECK_HUBSPOT_BASE_URL="$good_url" "$OD_BIN" health)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# health with Harvest hanging answered in $ms ms"
printf '%s\n' "$out" | grep -E '^fail *harvest:reachability' | grep -q 'unreachable' &&
    t_ok "a hanging provider fails reachability (no answer within the deadline)" ||
    t_fail "a hanging provider fails reachability" "$(printf '%s\n' "$out" | grep harvest:)"
t_eq "... and health still answers (generous bound: 15 s)" "yes" "$([ "$ms" -lt 15000 ] && echo yes || echo "no ($ms ms)")"

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
