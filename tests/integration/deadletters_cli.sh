#!/bin/sh
# deadletters_cli.sh — `opsdeck deadletters` against the simulator: bad records land in dead
# letters; list/show (JSON: one document, a named array, numbers as numbers, RFC 3339 UTC;
# tables sanitized); replay of a record still bad upstream is refused with the reason; fixed
# upstream (sim mutate fix) it is re-fetched, stored with its rollups and the profitability
# report gains exactly its hours (equal to the simulator's truth); the stored-payload path;
# a record gone upstream (404) is refused; discard deletes and audits; every step audited.
. tests/lib/common.sh
export OPSDECK_HTTP_BACKOFF_MS=50 # unreachable-upstream retries stay quick

db_new || { t_fail "database"; t_done; }
sim_start --scale 600 --bad-records 3 --rate-limits off || { t_fail "simulator"; t_done; }
timeout 180 "$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1 || t_fail "first sync" "$(tail -5 "$T_TMP/sync.log")"

dl() { "$OD_BIN" deadletters "$@"; }
pyj() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
totals() { "$OD_BIN" report profitability --format json | pyj 'print(d["totals"]["entries"], d["totals"]["hours"], d["totals"]["revenue"], d["totals"]["cost"])'; }
truth() { curl -sS "$SIM_URL/__sim/truth" | pyj 't=d["totals"]; print(t["entries"], t["hours"], t["revenue"], t["cost"])'; }

json=$(dl list --format json)
t_eq "3 bad records -> 3 open dead letters, JSON: named array, counts as numbers" "3 3 0 True" \
    "$(printf '%s' "$json" | pyj 'print(len(d["dead_letters"]), d["open"], d["resolved"], all(isinstance(x["id"], int) and isinstance(x["payload_bytes"], int) for x in d["dead_letters"]))')"
t_eq "times are RFC 3339 UTC" "True" \
    "$(printf '%s' "$json" | pyj 'import re; print(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x["created_at"]) for x in d["dead_letters"]))')"
t_eq "--json is --format json" "$json" "$(dl --json)"
id=$(printf '%s' "$json" | pyj 'print([x["id"] for x in d["dead_letters"] if x["reason"].startswith("spent_date")][0])')
rid=$(printf '%s' "$json" | pyj "print([x['record_id'] for x in d['dead_letters'] if x['id'] == $id][0])")
gone=$(printf '%s' "$json" | pyj 'print([x["id"] for x in d["dead_letters"] if x["reason"].startswith("hours")][0])')
gone_rid=$(printf '%s' "$json" | pyj "print([x['record_id'] for x in d['dead_letters'] if x['id'] == $gone][0])")
third=$(printf '%s' "$json" | pyj 'print([x["id"] for x in d["dead_letters"] if x["reason"].startswith("project")][0])')

table=$(dl list)
printf '%s\n' "$table" | grep -Eq "^ +$id +harvest +time_entries +$rid +[0-9T:-]+Z +spent_date: \"2026-13-45\" is not a date" &&
    t_ok "list table: id, provider, resource, record id, when, reason" || t_fail "list table" "$table"
show=$(dl show "$id")
printf '%s' "$show" | grep -q "$(printf '\033')" && t_fail "show: no raw ESC reaches the terminal" || t_ok "show: no raw ESC reaches the terminal"
printf '%s\n' "$show" | grep -q '^    "spent_date": "2026-13-45",$' && t_ok "show: the payload as indented JSON" || t_fail "show: the payload as indented JSON" "$show"
t_eq "show --json: the record as JSON with its reason" "$rid 2026-13-45 spent_date" \
    "$(dl show "$id" --json | pyj 'x=d["dead_letter"]; print(x["record_id"], x["payload"]["spent_date"], x["reason"].split(":")[0])')"

# still bad upstream: refused with the reason, stays open, audited
before=$(totals)
dl replay "$id" >"$T_TMP/r1.out" 2>"$T_TMP/r1.err"
t_eq "replay of a record still bad upstream: exit 1" "1" "$?"
grep -q 'still invalid: spent_date: "2026-13-45" is not a date' "$T_TMP/r1.err" && t_ok "... says why (today's parser on the upstream record)" ||
    t_fail "... says why" "$(cat "$T_TMP/r1.err")"
dl replay "$id" --from stored 2>"$T_TMP/r2.err"
t_eq "--from stored re-validates the stored payload: refused too" "1" "$?"
grep -q 'the stored payload' "$T_TMP/r2.err" && t_ok "... naming the stored payload" || t_fail "... naming the stored payload" "$(cat "$T_TMP/r2.err")"
t_eq "the dead letter stays open, the report unchanged" "3 $before" "$(dl --json | pyj 'print(d["open"])') $(totals)"
t_eq "refused attempts are audited" "2" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'deadletter.replay' AND outcome = 'refused' AND subject = 'dead_letter:$id'")"

# fixed upstream: replay re-fetches it by id, stores it with its rollups
curl -sS -H 'Content-Type: application/json' -d "{\"action\":\"fix\",\"id\":$rid}" "$SIM_URL/__sim/mutate" >/dev/null
hours=$(psql_db -c "SELECT 1" >/dev/null; curl -sS -H "Authorization: Bearer $OPSDECK_HARVEST_TOKEN" -H 'Harvest-Account-Id: 1000001' -H 'User-Agent: t (t@example.com)' "$SIM_URL/v2/time_entries/$rid" | pyj 'print(d["hours"])')
out=$(dl replay "$id")
t_eq "replay after the fix upstream: exit 0" "0" "$?"
printf '%s' "$out" | grep -q "stored harvest time_entries $rid from the upstream record; 1 dead letter marked replayed" &&
    t_ok "... says what it stored and from where" || t_fail "... says what it stored" "$out"
after=$(totals)
t_eq "the report gains one entry and exactly its hours" "True" \
    "$(python3 -c "
from decimal import Decimal as D
b='$before'.split(); a='$after'.split()
print(int(a[0]) == int(b[0]) + 1 and D(a[1]) == D(b[1]) + D('$hours'))")"
t_eq "the report equals the simulator's truth again (entries hours revenue cost)" "$(truth)" "$after"
"$OD_BIN" rollup rebuild --check >"$T_TMP/rb.out" 2>&1
t_eq "rollups match the raw rows (stored in the same transaction)" "0" "$?"
t_eq "the dead letter is marked replayed by the CLI user, kept" "replayed cli:" \
    "$(psql_db -c "SELECT resolution, left(resolved_by, 4) FROM sync_dead_letters WHERE id = $id" | tr '|' ' ')"
t_eq "the replay is audited with where the record came from" "ok upstream $rid" \
    "$(psql_db -c "SELECT outcome, detail->>'from', detail->>'record_id' FROM audit_log WHERE action = 'deadletter.replay' AND outcome = 'ok'" | tr '|' ' ')"
dl replay "$id" 2>"$T_TMP/r3.err"
t_eq "a second replay is refused" "1" "$?"
grep -q 'already replayed' "$T_TMP/r3.err" && t_ok "... already replayed" || t_fail "... already replayed" "$(cat "$T_TMP/r3.err")"
t_eq "list --all shows it replayed; list only the open ones" "replayed 2" \
    "$(dl list --all --json | pyj "print([x['resolution'] for x in d['dead_letters'] if x['id'] == $id][0])") $(dl --json | pyj 'print(len(d["dead_letters"]))')"

# gone upstream: refused (nothing stored from a stale copy)
curl -sS -H 'Content-Type: application/json' -d "{\"action\":\"delete\",\"id\":$gone_rid}" "$SIM_URL/__sim/mutate" >/dev/null
dl replay "$gone" 2>"$T_TMP/r4.err"
t_eq "a record deleted upstream: replay refused" "1" "$?"
grep -q 'no longer exists upstream (HTTP 404)' "$T_TMP/r4.err" && t_ok "... says 404 and to discard" || t_fail "... says 404" "$(cat "$T_TMP/r4.err")"

# the stored payload path: a payload today's parser accepts (as after a parser fix)
fixed=$(curl -sS -H "Authorization: Bearer $OPSDECK_HARVEST_TOKEN" -H 'Harvest-Account-Id: 1000001' -H 'User-Agent: t (t@example.com)' "$SIM_URL/v2/time_entries/3000000001")
third_rid=$(psql_db -c "SELECT record_id FROM sync_dead_letters WHERE id = $third")
printf '%s' "$fixed" | python3 -c "
import json,sys; d=json.load(sys.stdin); d['id']=$third_rid; print(json.dumps(d))" >"$T_TMP/p.json"
echo "UPDATE sync_dead_letters SET payload = :'p' WHERE id = $third" | psql_db -v p="$(cat "$T_TMP/p.json")" >/dev/null
out=$(OPSDECK_HARVEST_BASE_URL=http://127.0.0.1:1 dl replay "$third" --format json)
t_eq "upstream unreachable: auto falls back to the stored payload and stores it" "True stored 1" \
    "$(printf '%s' "$out" | pyj 'x=d["replayed"][0]; print(x["stored"], x["from"], d["stored"])')"
printf '%s' "$out" | grep -q 'upstream could not be asked' && t_ok "... and says upstream could not be asked" || t_fail "... says why stored" "$out"
OPSDECK_HARVEST_BASE_URL=http://127.0.0.1:1 dl replay "$gone" --from upstream 2>"$T_TMP/r5.err"
t_eq "--from upstream with upstream unreachable: refused" "1" "$?"

# a record id that is not a plain number never becomes part of an upstream URL
evil=$(psql_db -c "INSERT INTO sync_dead_letters (provider, resource, record_id, reason, payload) VALUES ('harvest', 'time_entries', '../users/me', 'x', '{}') RETURNING id")
before_me=$(curl -sS "$SIM_URL/__sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"].get("/v2/users/me", 0))')
dl replay "$evil" --from upstream 2>"$T_TMP/r6.err"
t_eq "a record id like ../users/me: refused, nothing asked upstream" "1 $before_me" \
    "$? $(curl -sS "$SIM_URL/__sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"].get("/v2/users/me", 0))')"
grep -q 'no plain record id' "$T_TMP/r6.err" && t_ok "... saying why" || t_fail "... saying why" "$(cat "$T_TMP/r6.err")"
dl discard "$evil" >/dev/null

# discard: deleted, audited with what it was
dl discard "$gone" >"$T_TMP/d.out"
t_eq "discard: exit 0, the row is gone" "0 0" "$? $(psql_db -c "SELECT count(*) FROM sync_dead_letters WHERE id = $gone")"
t_eq "discard is audited with the record and its reason" "harvest $gone_rid hours" \
    "$(psql_db -c "SELECT detail->>'provider', detail->>'record_id', split_part(detail->>'reason', ':', 1) FROM audit_log WHERE action = 'deadletter.discard' AND subject = 'dead_letter:$gone'" | tr '|' ' ')"
dl discard "$gone" 2>/dev/null
t_eq "discard of no such dead letter: exit 1" "1" "$?"
t_eq "replay --all with nothing open: JSON summary" "0 0 0" "$(dl replay --all --json | pyj 'print(len(d["replayed"]), d["stored"], d["refused"])')"

# usage
dl replay 2>/dev/null; t_eq "replay without ID: exit 2" "2" "$?"
dl show abc 2>/dev/null; t_eq "show abc: exit 2" "2" "$?"
dl frob 2>/dev/null; t_eq "unknown subcommand: exit 2" "2" "$?"
dl replay 1 --from nowhere 2>/dev/null; t_eq "--from nowhere: exit 2" "2" "$?"
t_done
