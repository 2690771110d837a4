# sim_truth.sh — /__sim/truth agrees with what the API serves (recomputed here from the listing
# with integer arithmetic), follows mutations, links deals to clients by trim+casefold name or
# domain; the command line (help, bad flags, env secrets, log without tokens, clean stop) and a
# valgrind run with every endpoint.
. tests/lib/common.sh
. tests/sim/testlib.sh

sim_start --scale 20000 --rate-limits off || { t_fail "simulator starts"; t_done; }
sim_headers

url="$SIM_URL/v2/time_entries?per_page=2000"
while [ "$url" != null ]; do hv_url "$url" >"$T_TMP/page.json"; cat "$T_TMP/page.json"; url=$(jq -r .links.next "$T_TMP/page.json"); done |
    jq -s -c '{time_entries: [.[].time_entries[]]}' >"$T_TMP/entries.json"
# Recompute per client from the served entries: hours and rates -> integer hundredths/cents,
# products in 1/10000, round half away from zero once per row.
RECOMPUTE='def c: (. * 100 | round);
  def money: (if . >= 0 then ((. + 50) / 100 | floor) else -((-. + 50) / 100 | floor) end) as $c
    | ($c / 100 | floor | tostring) + "." + (($c % 100) + 100 | tostring | .[1:]);
  def hrs: (. / 100 | floor | tostring) + "." + ((. % 100) + 100 | tostring | .[1:]);
  [.time_entries[] | {client: .client.id, h: (.hours | c), r: (.rounded_hours | c), b: .billable,
     br: (if .billable_rate == null then null else (.billable_rate | c) end),
     cr: (if .cost_rate == null then null else (.cost_rate | c) end)}]
  | group_by(.client) | map({id: .[0].client, entries: length,
      hours: (map(.h) | add | hrs),
      billable_hours: (map(select(.b) | .r) | add // 0 | hrs),
      revenue: (map(select(.b and .br != null) | .r * .br) | add // 0 | money),
      cost: (map(select(.cr != null) | .h * .cr) | add // 0 | money)})'
jq -c "$RECOMPUTE" "$T_TMP/entries.json" >"$T_TMP/mine.json"
admin truth >"$T_TMP/truth.json"
jq -c '[.clients[] | select(.entries > 0) | {id, entries, hours, billable_hours, revenue, cost}] | sort_by(.id)' "$T_TMP/truth.json" >"$T_TMP/theirs.json"
t_eq "truth per client = recomputed from the listing (entries, hours, revenue, cost)" "$(cat "$T_TMP/mine.json")" "$(cat "$T_TMP/theirs.json")"
jqe "truth totals add up over clients" '(.totals.entries == ([.clients[].entries] | add)) and (.totals.entries == 20000)' "$(cat "$T_TMP/truth.json")"
jqe "truth has projects, users, months with string amounts" '(.projects|length) > 0 and (.users|length) > 0 and (.months|length) >= 17 and (.months[0].key | test("^[0-9]{4}-[0-9]{2}$")) and (.totals.revenue | test("^[0-9]+\\.[0-9]{2}$"))' "$(cat "$T_TMP/truth.json")"
jqe "deal_amount: null for clients without a company, strings otherwise" '([.clients[] | select(.deal_amount == null)] | length) > 0 and ([.clients[] | select(.deal_amount != null) | .deal_amount | test("^[0-9]+\\.[0-9]{2}$")] | all)' "$(cat "$T_TMP/truth.json")"

# deal_amount from the HubSpot side: trim+casefold name (or domain) match; won = a closed stage
# with probability 1.0 of the deal's pipeline; each deal once, for its Primary company (typeId
# 5), else its only company; not archived
hs "/crm/v3/objects/companies?limit=100" >"$T_TMP/companies.json"
hs "/crm/v3/pipelines/deals" >"$T_TMP/pipelines.json"
after=""
while :; do
    hs "/crm/v3/objects/deals?limit=100&properties=amount,dealstage,pipeline${after:+&after=$after}" >"$T_TMP/dpage.json"
    cat "$T_TMP/dpage.json"
    after=$(jq -r '.paging.next.after // empty' "$T_TMP/dpage.json")
    [ -n "$after" ] || break
done | jq -s -c '{results: [.[].results[]]}' >"$T_TMP/deals.json"
ids=$(jq -c '[.results[].id | {id: .}]' "$T_TMP/deals.json")
hs_post /crm/v4/associations/deals/companies/batch/read "{\"inputs\":$ids}" >"$T_TMP/assoc.json"
hv "/v2/clients" >"$T_TMP/clients.json"
jq -n -c --slurpfile co "$T_TMP/companies.json" --slurpfile de "$T_TMP/deals.json" \
    --slurpfile asc "$T_TMP/assoc.json" --slurpfile cl "$T_TMP/clients.json" --slurpfile pl "$T_TMP/pipelines.json" '
  def norm: sub("^\\s+"; "") | sub("\\s+$"; "") | ascii_downcase;
  def cents: (. * 100 | round);
  def money: (. / 100 | floor | tostring) + "." + ((. % 100) + 100 | tostring | .[1:]);
  ([$pl[0].results[] | .id as $p | .stages[] | select(.metadata.isClosed == "true" and .metadata.probability == "1.0")
    | "\($p)/\(.id)"]) as $wonstages
  | ($asc[0].results | map({key: .from.id, value: (.to as $to
      | [$to[] | select(any(.associationTypes[]; .category == "HUBSPOT_DEFINED" and .typeId == 5))] as $prim
      | if ($prim | length) == 1 then ($prim[0].toObjectId | tostring)
        elif ($prim | length) == 0 and ($to | length) == 1 then ($to[0].toObjectId | tostring)
        else null end)}) | from_entries) as $d2c
  | ($de[0].results | map(select(("\(.properties.pipeline)/\(.properties.dealstage)" as $k | $wonstages | index($k)) and .properties.amount != null))
     | map({c: $d2c[.id], a: (.properties.amount | tonumber | cents)})) as $won
  | [$cl[0].clients[] | .name as $n
     | ([$co[0].results[] | select(((.properties.name // "") | norm) == ($n | norm) or ((.properties.domain // "") | norm) == ($n | norm)) | .id] | first) as $cid
     | {id, deal_amount: (if $cid == null then null else ([$won[] | select(.c == $cid) | .a] | add // 0 | money) end)}]
  | sort_by(.id)' >"$T_TMP/mine_deals.json"
jq -c '[.clients[] | {id, deal_amount}] | sort_by(.id)' "$T_TMP/truth.json" >"$T_TMP/theirs_deals.json"
t_eq "deal_amount per client = won deals (any pipeline) of the name/domain-matched Primary company" "$(cat "$T_TMP/mine_deals.json")" "$(cat "$T_TMP/theirs_deals.json")"
jqe "the second pipeline's won stage is not closedwon and has won deals" \
    '[.results[] | select(.properties.pipeline != "default" and .properties.dealstage == "58123403")] | length > 0' "$(cat "$T_TMP/deals.json")"
jqe "some deals have two companies, one labelled Primary, some two without" \
    '[.results[] | select((.to | length) == 2)] as $two | ($two | map(select(any(.to[].associationTypes[]; .typeId == 5))) | length) > 0
     and ($two | map(select(all(.to[].associationTypes[]; .typeId != 5))) | length) > 0' "$(cat "$T_TMP/assoc.json")"
jqe "truth: won deals without a primary are listed and count for no client" \
    '(.deals.won_without_primary | length) > 0 and .deals.won_without_company >= 0' "$(cat "$T_TMP/truth.json")"
r=$(admin "truth?from=2026-01-01&to=2026-03-31")
jqe "truth for a range: fewer entries and won deals, the range echoed" \
    ".from == \"2026-01-01\" and .to == \"2026-03-31\" and .totals.entries < 20000 and .deals.won_count < $(jq .deals.won_count "$T_TMP/truth.json")" "$r"
t_eq "truth refuses a backwards range" 400 "$(status "$SIM_URL/__sim/truth?from=2026-03-01&to=2026-02-01")"
jqe "some clients link only by domain" '[.results[] | select(.properties.name == null)] | length > 0' "$(cat "$T_TMP/companies.json")"

# mutations change the truth
e=$(jq -c '.time_entries[] | select(.billable and .billable_rate != null and .cost_rate != null)' "$T_TMP/entries.json" | head -1)
id=$(printf '%s' "$e" | jq .id)
m=$(admin mutate "{\"action\":\"edit\",\"resource\":\"time_entries\",\"id\":$id,\"fields\":{\"hours\":2.5}}")
jqe "mutate edit answers ok with a fresh updated_at" ".ok and .ids == [$id]" "$m"
t1=$(admin truth)
old_h=$(printf '%s' "$e" | jq '.hours * 100 | round'); 
h0=$(jq '.totals.hours | tonumber * 100 | round' "$T_TMP/truth.json"); h1=$(printf '%s' "$t1" | jq '.totals.hours | tonumber * 100 | round')
t_eq "truth hours follow the edit" $((h0 - old_h + 250)) "$h1"
[ "$(printf '%s' "$t1" | jq -r .totals.revenue)" != "$(jq -r .totals.revenue "$T_TMP/truth.json")" ] && t_ok "truth revenue changes after mutate" || t_fail "truth revenue changes after mutate"
ed=$(hv "/v2/time_entries?updated_since=2026-09-01T00:00:00Z")
jqe "edited entry comes back with updated_since > T0, rounded to 2.50" ".total_entries == 1 and .time_entries[0].id == $id and .time_entries[0].hours == 2.5 and .time_entries[0].rounded_hours == 2.5 and .time_entries[0].updated_at > \"2026-09-01\"" "$ed"
admin mutate "{\"action\":\"delete\",\"resource\":\"time_entries\",\"id\":$id}" >/dev/null
jqe "delete: one entry fewer in truth and listing" '.totals.entries == 19999' "$(admin truth)"
t_eq "deleted entry gone from listing" 19999 "$(hv '/v2/time_entries?per_page=1' | jq .total_entries)"
pid=$(jq '.time_entries[0].project.id' "$T_TMP/entries.json"); uid=$(jq '.time_entries[0].user.id' "$T_TMP/entries.json"); tid=$(jq '.time_entries[0].task.id' "$T_TMP/entries.json")
a=$(admin mutate "{\"action\":\"add\",\"resource\":\"time_entries\",\"fields\":{\"project_id\":$pid,\"user_id\":$uid,\"task_id\":$tid,\"hours\":1.25,\"spent_date\":\"2026-05-04\",\"notes\":\"added\"}}")
nid=$(printf '%s' "$a" | jq '.ids[0]')
jqe "add: new entry listed (last page) and counted" "[.time_entries[] | select(.id == $nid and .notes == \"added\" and .spent_date == \"2026-05-04\")] | length == 1" "$(hv '/v2/time_entries?per_page=2000&page=10')"
jqe "add: truth has 20000 entries again" '.totals.entries == 20000' "$(admin truth)"
jqe "add: from/to filters find it" "[.time_entries[].id] | index($nid) != null" "$(hv '/v2/time_entries?from=2026-05-04&to=2026-05-04')"
r=$(admin mutate '{"action":"random","count":5}')
jqe "random edits 5 entries" '.ids | length == 5' "$r"
n=$(hv "/v2/time_entries?updated_since=2026-09-01T00:00:00Z" | jq .total_entries)
[ "$n" -ge 3 ] && [ "$n" -le 7 ] && t_ok "updated_since > T0 lists only the overlay ($n)" || t_fail "updated_since > T0 lists only the overlay" "$n"
t_eq "bad mutation refused" 400 "$(status -d '{"action":"edit","id":1,"fields":{"hours":1}}' "$SIM_URL/__sim/mutate")"
did=$(jq -r '[.results[] | select(.properties.dealstage == "closedwon" and .properties.amount != null)][0].id' "$T_TMP/deals.json")
w0=$(admin truth | jq -r .deals.won_amount)
admin mutate "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":$did,\"fields\":{\"amount\":\"0.00\"}}" >/dev/null
w1=$(admin truth | jq -r .deals.won_amount)
[ "$w0" != "$w1" ] && t_ok "deal edit changes won_amount ($w0 -> $w1)" || t_fail "deal edit changes won_amount"
t_eq "mutated deal's hs_lastmodifieddate is after T0" 1 "$(hs_post /crm/v3/objects/deals/search '{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"1788220800000"}]}]}' | jq .total)"
admin mutate "{\"action\":\"delete\",\"resource\":\"deals\",\"id\":$did}" >/dev/null
jqe "deleted deal is archived: out of search, in archived=true" "[.results[].id] | index(\"$did\") != null" "$(hs '/crm/v3/objects/deals?archived=true&limit=100')"

# command line
out=$("$OD_SIM" --help); rc=$?
t_eq "--help exits 0" 0 "$rc"
case "$out" in *"--listen"*"--port-file"*"--rate-limits"*"--error-rate"*) t_ok "--help lists flags" ;; *) t_fail "--help lists flags" "$out" ;; esac
for bad in "--bogus 1" "--scale 0" "--rate-limits maybe" "--harvest-limit 10" "--listen nope" "--seed"; do
    # shellcheck disable=SC2086
    "$OD_SIM" $bad >/dev/null 2>"$T_TMP/err"; rc=$?
    t_eq "bad flag '$bad' exits 2" 2 "$rc"
done
grep -q "opsdeck-sim" "$T_TMP/err" && t_ok "errors name the program" || t_fail "errors name the program"

OPSDECK_SIM_HARVEST_TOKEN=env-secret-token sim_start --scale 50 || t_fail "env-token simulator starts"
t_eq "token from the environment replaces the default" 401 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/clients")"
t_eq "the environment token works" 200 "$(status -H 'Authorization: Bearer env-secret-token' -H 'Harvest-Account-Id: 1000001' -H "User-Agent: $SIM_UA" "$SIM_URL/v2/clients?access_token=zzz")"
curl -s -o /dev/null "$SIM_URL/oauth/authorize?client_id=sim-client-id&redirect_uri=http://x/cb&code_challenge=abc"
curl -s -o /dev/null -d 'grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=na1-sim-secretvalue' "$SIM_URL/oauth/v1/token"
grep -q 'GET /v2/clients?access_token=REDACTED 200 [0-9]*ms' "$T_TMP/sim.log" && t_ok "log line: time, method, path, redacted query, status, latency" || t_fail "log line format" "$(tail -3 "$T_TMP/sim.log")"
if grep -q 'env-secret-token\|sim-harvest-token\|zzz\|secretvalue\|sim-client-secret' "$T_TMP/sim.log"; then t_fail "no secrets in the log"; else t_ok "no secrets in the log"; fi
kill -TERM "$SIM_PID"; wait "$SIM_PID"; rc=$?
t_eq "SIGTERM stops cleanly with exit 0" 0 "$rc"

# valgrind: every endpoint once, then SIGINT; no leaks, no errors
if command -v valgrind >/dev/null && ! ldd "$OD_SIM" 2>/dev/null | grep -q -e libasan -e libtsan; then
    pf="$T_TMP/vg.port"
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --error-exitcode=33 --suppressions=tests/valgrind.supp "$OD_SIM" --listen 127.0.0.1:0 --port-file "$pf" \
        --scale 300 --harvest-limit 3/60 --hang-ms 200 --log "$T_TMP/vg.log" 2>"$T_TMP/vg.err" &
    vg=$!
    i=0; while [ ! -s "$pf" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    SIM_URL="http://127.0.0.1:$(cat "$pf")"
    for p in /v2/clients /v2/projects /v2/users /v2/tasks "/v2/time_entries?per_page=7&updated_since=2020-01-01T00:00:00Z"; do hv "$p" >/dev/null; done
    hs /crm/v3/objects/companies >/dev/null; hs "/crm/v3/objects/deals?properties=amount" >/dev/null; hs /crm/v3/owners >/dev/null
    hs_post /crm/v3/objects/deals/search '{"filterGroups":[{"filters":[{"propertyName":"dealstage","operator":"EQ","value":"closedwon"}]}],"sorts":[{"propertyName":"createdate","direction":"DESCENDING"}]}' >/dev/null
    hs_post /crm/v4/associations/deals/companies/batch/read '{"inputs":[{"id":"7000000001"},{"id":"9"}]}' >/dev/null
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$SIM_URL/oauth/authorize?client_id=sim-client-id&redirect_uri=http://x/cb&state=s")
    code=$(printf '%s' "$loc" | sed -n 's/.*code=\([^&]*\).*/\1/p')
    rt=$(curl -s -d "grant_type=authorization_code&client_id=sim-client-id&client_secret=sim-client-secret&redirect_uri=http://x/cb&code=$code" "$SIM_URL/oauth/v1/token" | jq -r .refresh_token)
    curl -s -o /dev/null -d "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt" "$SIM_URL/oauth/v1/token"
    admin mutate '{"action":"random","count":3}' >/dev/null; admin mutate '{"action":"delete","id":3000000005}' >/dev/null
    admin mutate '{"action":"add","fields":{"hours":1}}' >/dev/null
    admin faults '{"bad_records":2,"change_between_pages":1,"delete":[3000000009],"expire_tokens_now":true}' >/dev/null
    admin truth >/dev/null; admin stats >/dev/null
    admin faults '{"reset":true,"truncate_rate":1}' >/dev/null; hv /v2/clients >/dev/null 2>&1
    admin faults '{"reset":true,"timeout_rate":1}' >/dev/null; curl -s --max-time 0.1 "$SIM_URL/v2/tasks" >/dev/null
    admin faults '{"reset":true,"malformed_json_rate":1,"rate_limit_storm":1}' >/dev/null; hv /v2/tasks >/dev/null; hv /v2/tasks >/dev/null
    kill -INT $vg; wait $vg; rc=$?
    t_eq "valgrind: no leaks or memory errors after serving every endpoint (exit 0)" 0 "$rc"
    [ $rc -eq 0 ] || cat "$T_TMP/vg.err" | head -30
else
    t_ok "valgrind run skipped (no valgrind, or a sanitizer build) # SKIP"
fi
t_done
