# sim_faults.sh — every fault mode of opsdeck-sim, set at run time (POST /__sim/faults) and by
# flag: errors, latency, timeouts, truncated and malformed bodies, bad records, changes between
# pages, deletions, 429 storms, per-provider targeting, reset; /__sim is never faulted.
# (expire_tokens_now is covered in sim_hubspot.sh with the OAuth flow.)
. tests/lib/common.sh
. tests/sim/testlib.sh

sim_start --scale 3000 --rate-limits off --hang-ms 1500 || { t_fail "simulator starts"; t_done; }
sim_headers
H="$T_TMP/h.harvest"

f=$(admin faults '{"error_rate":1}')
jqe "POST /__sim/faults answers the current settings" '.error_rate == 1 and .provider == "all"' "$f"
codes=""
for i in 1 2 3 4 5 6 7 8 9; do codes="$codes $(status -H @"$H" "$SIM_URL/v2/clients")"; done
bad=$(printf '%s\n' $codes | grep -cv '^50[023]$')
t_eq "error_rate=1: every Harvest request gets 500/502/503" 0 "$bad"
n=$(printf '%s\n' $codes | sort -u | wc -l | tr -d ' ')
[ "$n" -ge 2 ] && t_ok "errors vary between 500, 502, 503 ($codes)" || t_fail "errors vary" "$codes"
t_eq "HubSpot is faulted too" 5 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners" | cut -c1)"
jqe "5xx bodies are the provider's error shape" '.error == "server_error"' "$(hv /v2/clients)"
t_eq "/__sim endpoints are never faulted" 200 "$(status "$SIM_URL/__sim/stats")"
jqe "GET /__sim/faults shows the setting" '.error_rate == 1' "$(admin faults)"

admin faults '{"reset":true,"error_rate":0.5}' >/dev/null
ok=0; err=0
for i in $(seq 1 40); do
    c=$(status -H @"$H" "$SIM_URL/v2/tasks")
    if [ "$c" = 200 ]; then ok=$((ok + 1)); else err=$((err + 1)); fi
done
[ $ok -gt 5 ] && [ $err -gt 5 ] && t_ok "error_rate=0.5 fails some requests ($err of 40)" || t_fail "error_rate=0.5" "ok=$ok err=$err"

admin faults '{"reset":true,"error_rate":1,"provider":"hubspot"}' >/dev/null
t_eq "provider=hubspot: Harvest unaffected" 200 "$(status -H @"$H" "$SIM_URL/v2/clients")"
t_eq "provider=hubspot: HubSpot faulted" 5 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners" | cut -c1)"
jqe "reset clears everything" '.error_rate == 0 and .provider == "all" and .bad_records == 0' "$(admin faults '{"reset":true}')"
t_eq "after reset HubSpot answers" 200 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners")"
t_eq "unknown fault refused" 400 "$(status -d '{"nope":1}' "$SIM_URL/__sim/faults")"

admin faults '{"latency_ms":300}' >/dev/null
tt=$(curl -s -o /dev/null -w '%{time_total}' -H @"$H" "$SIM_URL/v2/tasks")
awk "BEGIN{exit !($tt >= 0.29)}" && t_ok "latency_ms=300 delays the answer (${tt}s)" || t_fail "latency_ms" "$tt"
admin faults '{"reset":true,"timeout_rate":1}' >/dev/null
curl -s -o /dev/null --max-time 0.5 -H @"$H" "$SIM_URL/v2/tasks"
t_eq "timeout_rate=1: a client with a 0.5 s timeout gives up (curl 28)" 28 $?
curl -s -o /dev/null --max-time 10 -H @"$H" "$SIM_URL/v2/tasks"
t_eq "timeout_rate=1: after --hang-ms the connection is closed without a reply (curl 52)" 52 $?
# both held requests are in the log with status 0 — also the one whose client gave up first
held=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
    held=$(grep -c ' GET /v2/tasks 0 ' "$T_TMP/sim.log")
    [ "$held" -ge 2 ] && break
    sleep 0.3
done
t_eq "the log has both held requests, the abandoned one too (status 0)" 2 "$held"
t_eq "/__sim still answers while requests hang" 200 "$(status "$SIM_URL/__sim/health")"

admin faults '{"reset":true,"truncate_rate":1}' >/dev/null
curl -s -o "$T_TMP/trunc.json" -H @"$H" "$SIM_URL/v2/clients"
t_eq "truncate_rate=1: transfer ends early (curl 18)" 18 $?
jq . "$T_TMP/trunc.json" >/dev/null 2>&1 && t_fail "truncated body is not valid JSON" || t_ok "truncated body is not valid JSON"
[ -s "$T_TMP/trunc.json" ] && t_ok "truncated body has a beginning" || t_fail "truncated body has a beginning"
admin faults '{"reset":true,"malformed_json_rate":1}' >/dev/null
t_eq "malformed_json_rate=1 still says 200" 200 "$(status -H @"$H" "$SIM_URL/v2/clients")"
hv /v2/clients | jq . >/dev/null 2>&1 && t_fail "malformed body does not parse" || t_ok "malformed body does not parse"
t_eq "errors are not mangled (401 still JSON)" invalid_token "$(curl -s -H 'User-Agent: x' -H 'Harvest-Account-Id: 1000001' "$SIM_URL/v2/clients" | jq -r .error)"

admin faults '{"reset":true,"rate_limit_storm":3}' >/dev/null
codes=""
for i in 1 2 3 4; do codes="$codes $(status -H @"$H" "$SIM_URL/v2/tasks")"; done
t_eq "rate_limit_storm=3: three 429s in a row, then normal" " 429 429 429 200" "$codes"
admin faults '{"rate_limit_storm":1,"provider":"hubspot"}' >/dev/null
t_eq "storm targeted at hubspot spares Harvest" 200 "$(status -H @"$H" "$SIM_URL/v2/tasks")"
t_eq "storm targeted at hubspot hits HubSpot" 429 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners")"
admin faults '{"reset":true}' >/dev/null

# what a hostile upstream may send (issue #12): any Retry-After, HubSpot's daily limit, 503s with
# Retry-After, huge bodies streamed without being held
admin faults '{"rate_limit_storm":1,"retry_after":"92233720368547758"}' >/dev/null
t_eq "retry_after: the storm's Retry-After is sent verbatim" "429 92233720368547758" \
    "$(curl -s -o /dev/null -D - -H @"$H" "$SIM_URL/v2/tasks" | tr -d '\r' | awk '/^HTTP/{c=$2} /^Retry-After:/{print c, $2}')"
admin faults '{"rate_limit_storm":1,"rate_limit_policy":"daily","retry_after":"Wed, 21 Oct 2099 07:28:00 GMT"}' >/dev/null
jqe "rate_limit_policy daily: HubSpot's daily-limit body" '.policyName == "DAILY" and .message == "You have reached your daily limit."' \
    "$(curl -s -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners")"
admin faults '{"reset":true,"unavailable_storm":2,"retry_after":86400}' >/dev/null
codes=""
for i in 1 2 3; do codes="$codes $(curl -s -o /dev/null -D - -H @"$H" "$SIM_URL/v2/tasks" | tr -d '\r' | awk '/^HTTP/{c=$2} /^Retry-After:/{r=$2} END{print c (r ? "/" r : "")}')"; done
t_eq "unavailable_storm=2: two 503s with Retry-After 86400, then normal" " 503/86400 503/86400 200" "$codes"
admin faults '{"reset":true,"huge_body":1,"huge_body_mib":64}' >/dev/null
curl -s -D "$T_TMP/huge.h" -o "$T_TMP/huge.body" -H @"$H" "$SIM_URL/v2/tasks"
t_eq "huge_body: 64 MiB of {\"pad\":\"x...x\"} (10 bytes besides the x)" "$((64 << 20))|{\"pad\":\"x|x\"}|10" \
    "$(wc -c <"$T_TMP/huge.body" | tr -d ' ')|$(head -c 9 "$T_TMP/huge.body")|$(tail -c 3 "$T_TMP/huge.body")|$(tr -d x <"$T_TMP/huge.body" | wc -c | tr -d ' ')"
rm -f "$T_TMP/huge.body"
grep -qi '^content-length' "$T_TMP/huge.h" && t_fail "chunked: no Content-Length" || t_ok "chunked: no Content-Length"
admin faults '{"huge_body":1,"huge_body_mib":2,"huge_body_length":1}' >/dev/null
t_eq "huge_body_length=1: announced by Content-Length" 2097152 \
    "$(curl -s -o /dev/null -D - -H @"$H" "$SIM_URL/v2/tasks" | tr -d '\r' | sed -n 's/^Content-Length: //Ip')"
t_eq "huge_body fires once per count" 200 "$(status -H @"$H" "$SIM_URL/v2/tasks")"
t_eq "bad retry_after refused" 400 "$(status -d '{"retry_after":"a\nb"}' "$SIM_URL/__sim/faults")"
admin faults '{"reset":true}' >/dev/null

# bad records: served consistently, excluded from truth
admin faults '{"bad_records":3}' >/dev/null
hv "/v2/time_entries?per_page=2000&page=1" >"$T_TMP/b1.json"
hv "/v2/time_entries?per_page=2000&page=2" >>"$T_TMP/b1.json"
hv "/v2/time_entries?per_page=2000&page=1" >"$T_TMP/b2.json"
hv "/v2/time_entries?per_page=2000&page=2" >>"$T_TMP/b2.json"
t_eq "bad records are served the same way every time" "$(cksum <"$T_TMP/b1.json")" "$(cksum <"$T_TMP/b2.json")"
bad=$(jq -s -c '[.[].time_entries[] | select(.spent_date == "2026-13-45" or (.hours|type) == "string" or .project == null)] | length' "$T_TMP/b1.json")
t_eq "3 bad records in the listing" 3 "$bad"
jqe "one of each: impossible date, string hours, missing project" '[.[].time_entries[]] | (map(select(.spent_date == "2026-13-45")) | length) == 1 and (map(select(.hours == "abc")) | length) == 1 and (map(select(.project == null)) | length) == 1' "$(jq -s -c . "$T_TMP/b1.json")"
tr=$(admin truth)
jqe "truth excludes them: bad_records 3, entries scale-3" '.bad_records == 3 and .totals.entries == 2997' "$tr"
admin faults '{"reset":true}' >/dev/null
jqe "reset brings the records back" '.bad_records == 0 and .totals.entries == 3000' "$(admin truth)"

# change between pages
admin faults '{"change_between_pages":1}' >/dev/null
p1=$(hv "/v2/time_entries?per_page=100&page=1")
id=$(printf '%s' "$p1" | jq '.time_entries[0].id')
h1=$(printf '%s' "$p1" | jq '.time_entries[0].hours')
again=$(hv "/v2/time_entries?per_page=100&page=1" | jq -c '.time_entries[0]')
jqe "after page 1 is served, its first record changes (hours and updated_at)" ".id == $id and .hours != $h1 and .updated_at > \"2026-09-01T00:00:00Z\"" "$again"
t_eq "the fault fires once per count" "$(printf '%s' "$again" | jq .hours)" "$(hv "/v2/time_entries?per_page=100&page=1" | jq '.time_entries[0].hours')"
jqe "the changed record shows up in updated_since after T0" "[.time_entries[].id] == [$id]" "$(hv '/v2/time_entries?updated_since=2026-09-01T00:00:00Z')"

# delete ids
ids=$(hv "/v2/time_entries?per_page=3&page=2" | jq -c '[.time_entries[].id][0:2]')
before=$(hv "/v2/time_entries?per_page=1" | jq .total_entries)
admin faults "{\"delete\":$ids}" >/dev/null
after=$(hv "/v2/time_entries?per_page=1" | jq .total_entries)
t_eq "delete ids: total_entries drops by 2" $((before - 2)) "$after"
all=$(hv "/v2/time_entries?per_page=2000" | jq -c '[.time_entries[].id]')
jqe "deleted ids are gone from the listing" "$ids - . == $ids" "$all"
t_eq "paging stays consistent after deletes (page 2 starts right after page 1)" \
    "$(hv '/v2/time_entries?per_page=10' | jq -c '[.time_entries[].id]')" \
    "$( (hv '/v2/time_entries?per_page=5&page=1'; hv '/v2/time_entries?per_page=5&page=2') | jq -s -c '[.[].time_entries[].id]')"
jqe "truth counts the deletes" '.totals.entries == 2998' "$(admin truth)"

# the same faults as flags
sim_start --scale 100 --error-rate 1 --fault-provider harvest --bad-records 2 --latency-ms 10 || t_fail "simulator starts with fault flags"
t_eq "--error-rate 1 --fault-provider harvest" 5 "$(status -H @"$H" "$SIM_URL/v2/clients" | cut -c1)"
t_eq "--fault-provider harvest spares HubSpot" 200 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners")"
jqe "flags show in GET /__sim/faults" '.error_rate == 1 and .provider == "harvest" and .bad_records == 2 and .latency_ms == 10' "$(admin faults)"
"$OD_SIM" --error-rate 2 >/dev/null 2>&1
t_eq "--error-rate 2 is refused with exit 2" 2 $?

# single records (dead-letter replay) and the token's own user (health probe); a bad record fixed
# upstream
sim_start --scale 2000 --bad-records 3 --rate-limits off || t_fail "simulator with bad records starts"
bid=$(hv "/v2/time_entries?per_page=2000" | jq '[.time_entries[] | select(.spent_date == "2026-13-45")][0].id')
jqe "GET /v2/time_entries/ID serves the bad record as listed" '.spent_date == "2026-13-45"' "$(hv "/v2/time_entries/$bid")"
jqe "mutate fix corrects it upstream" '.ok == true' "$(admin mutate "{\"action\":\"fix\",\"id\":$bid}")"
jqe "GET /v2/time_entries/ID now serves it valid" '(.spent_date | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")) and .spent_date != "2026-13-45" and .id == '"$bid" "$(hv "/v2/time_entries/$bid")"
jqe "truth counts the fixed record: bad_records 2, entries scale-2" '.bad_records == 2 and .totals.entries == 1998' "$(admin truth)"
t_eq "GET /v2/time_entries/ID of no entry: 404" 404 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/time_entries/1")"
jqe "GET /v2/users/me: the token's user" '.id > 0 and (.email | test("@"))' "$(hv /v2/users/me)"
pid=$(hv "/v2/projects?per_page=1" | jq '.projects[0].id')
jqe "GET /v2/projects/ID: one project" ".id == $pid and has(\"client\")" "$(hv "/v2/projects/$pid")"
t_eq "GET /v2/clients/ID of no client: 404" 404 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/clients/1")"
t_eq "GET /v2/users/me with a wrong token: 401" 401 "$(status -H 'Authorization: Bearer wrong' -H 'Harvest-Account-Id: 1000001' -H 'User-Agent: t (t@example.com)' "$SIM_URL/v2/users/me")"
did=$(hs "/crm/v3/objects/deals?limit=1" | jq -r '.results[0].id')
jqe "GET /crm/v3/objects/deals/ID: one deal with its properties" '.id == "'"$did"'" and (.properties | has("amount"))' "$(hs "/crm/v3/objects/deals/$did?properties=amount,dealstage")"
t_eq "GET /crm/v3/objects/deals/ID of no deal: 404" 404 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/objects/deals/1")"
t_eq "GET /crm/v3/owners?limit=1 with a wrong token: 401" 401 "$(status -H 'Authorization: Bearer wrong' "$SIM_URL/crm/v3/owners?limit=1")"
t_done
