# sim_harvest.sh — opsdeck-sim's Harvest v2 API: headers and auth, pagination envelope and
# links, filters, object shapes against the documented examples, hostile names, determinism,
# rate limit (429 + Retry-After).
. tests/lib/common.sh
. tests/sim/testlib.sh

sim_start --scale 5000 --rate-limits off || { t_fail "simulator starts"; t_done; }
sim_headers

# follow links.next from the first page: exactly scale entries, ids unique
url="$SIM_URL/v2/time_entries?per_page=2000"
pages=0
: >"$T_TMP/ids"
while [ -n "$url" ] && [ "$url" != null ] && [ $pages -lt 20 ]; do
    hv_url "$url" >"$T_TMP/page.json"
    jq -r '.time_entries[].id' "$T_TMP/page.json" >>"$T_TMP/ids"
    url=$(jq -r '.links.next' "$T_TMP/page.json")
    pages=$((pages + 1))
done
t_eq "links.next walk visits 3 pages at per_page=2000" 3 "$pages"
t_eq "links.next walk yields exactly 5000 entries" 5000 "$(wc -l <"$T_TMP/ids" | tr -d ' ')"
t_eq "entry ids are unique" 5000 "$(sort -u "$T_TMP/ids" | wc -l | tr -d ' ')"
last=$(cat "$T_TMP/page.json")
jqe "last page: next null, next_page null, page 3, total_entries 5000" \
    '.links.next == null and .next_page == null and .page == 3 and .total_entries == 5000 and .total_pages == 3 and .previous_page == 2' "$last"
jqe "links are absolute URLs built from the Host header" \
    ".links.first | startswith(\"$SIM_URL/v2/time_entries?page=1&per_page=2000\")" "$last"

p1=$(hv "/v2/time_entries?per_page=2")
jqe "first page envelope" '.per_page == 2 and .page == 1 and .previous_page == null and .next_page == 2 and .links.previous == null and (.links.next | test("page=2&per_page=2"))' "$p1"

# object shapes: every key of the documented examples is present
for pair in "time_entries:harvest_time_entry" "projects:harvest_project" "clients:harvest_client" "users:harvest_user"; do
    res=${pair%%:*}; fx=${pair#*:}
    want=$(jq -c 'keys' "tests/fixtures/$fx.json")
    got=$(hv "/v2/$res?per_page=1" | jq -c ".${res}[0] | keys")
    missing=$(jq -n -c --argjson w "$want" --argjson g "$got" '$w - $g')
    t_eq "$res objects carry every field of $fx.json" "[]" "$missing"
done
te=$(hv "/v2/time_entries?per_page=1" | jq -c '.time_entries[0]')
jqe "nested refs on a time entry" '(.client.id|type)=="number" and (.project.name|type)=="string" and (.task.id|type)=="number" and (.user.name|type)=="string" and (.user_assignment.id|type)=="number" and (.task_assignment.billable|type)=="boolean"' "$te"

all=$(hv "/v2/time_entries?per_page=2000&page=1")
jqe "some entries have cost_rate null" '[.time_entries[] | select(.cost_rate == null)] | length > 0' "$all"
jqe "some billable entries have billable_rate null" '[.time_entries[] | select(.billable and .billable_rate == null)] | length > 0' "$all"
jqe "non-billable tasks give billable=false entries" '[.time_entries[] | select(.task_assignment.billable == false and .billable == false)] | length > 0' "$all"
jqe "rounded_hours is hours rounded up to 0.25" '[.time_entries[] | ((.hours*100|round) as $h | (.rounded_hours*100|round) == ((($h + 24) / 25 | floor) * 25))] | all' "$all"
last3=$(hv "/v2/time_entries?is_running=true")
jqe "a few running timers (is_running, timer_started_at set, no ended_time)" '.total_entries >= 1 and ([.time_entries[] | .is_running and .timer_started_at != null and .ended_time == null and ((.rounded_hours*100|round) % 25 == 0)] | all)' "$last3"

# headers and auth
t_eq "missing User-Agent -> 400" 400 "$(status -H 'Authorization: Bearer sim-harvest-token' -H 'Harvest-Account-Id: 1000001' -H 'User-Agent:' "$SIM_URL/v2/clients")"
body=$(curl -s -H 'User-Agent:' -H 'Harvest-Account-Id: 1000001' "$SIM_URL/v2/clients")
jqe "400 body names the User-Agent problem" '.error == "bad_request" and (.error_description | test("User-Agent"))' "$body"
t_eq "wrong token -> 401" 401 "$(status -H 'Authorization: Bearer nope' -H 'Harvest-Account-Id: 1000001' -H "User-Agent: $SIM_UA" "$SIM_URL/v2/clients")"
body=$(curl -s -H 'Authorization: Bearer nope' -H 'Harvest-Account-Id: 1000001' -H "User-Agent: $SIM_UA" "$SIM_URL/v2/clients")
jqe "401 body is Harvest's invalid_token" '.error == "invalid_token" and (.error_description|length) > 0' "$body"
t_eq "wrong Harvest-Account-Id -> 404" 404 "$(status -H 'Authorization: Bearer sim-harvest-token' -H 'Harvest-Account-Id: 42' -H "User-Agent: $SIM_UA" "$SIM_URL/v2/clients")"
t_eq "per_page=0 -> 422" 422 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/time_entries?per_page=0")"
t_eq "per_page=2001 -> 422" 422 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/time_entries?per_page=2001")"
jqe "422 body has a message" '.message | test("per_page")' "$(hv '/v2/time_entries?per_page=2001')"
t_eq "per_page=2000 accepted" 200 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/clients?per_page=2000")"
jqe "default per_page is 2000" '.per_page == 2000' "$(hv /v2/clients)"

# filters
r=$(hv "/v2/time_entries?from=2025-01-01&to=2025-01-31")
jqe "from/to filter on spent_date" '.total_entries > 0 and ([.time_entries[].spent_date | . >= "2025-01-01" and . <= "2025-01-31"] | all)' "$r"
jqe "from/to kept in links" '.links.first | test("from=2025-01-01") and test("to=2025-01-31")' "$r"
t0=2026-09-01T00:00:00Z # after every seed's T0
jqe "updated_since after T0 gives nothing before any mutation" '.total_entries == 0 and .links.next == null' "$(hv "/v2/time_entries?updated_since=$t0")"
r=$(hv "/v2/time_entries?updated_since=2026-01-01T00:00:00Z&per_page=2000")
jqe "updated_since filters updated_at >=" '.total_entries > 0 and .total_entries < 5000 and ([.time_entries[].updated_at >= "2026-01-01T00:00:00Z"] | all)' "$r"
t_eq "bad updated_since -> 422" 422 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/time_entries?updated_since=yesterday")"
act=$(hv "/v2/clients?is_active=true" | jq '[.clients[].is_active] | all')
t_eq "is_active=true filter" true "$act"
jqe "tasks: a fixed dozen, some not billable" '.total_entries == 12 and ([.tasks[] | select(.billable_by_default == false)] | length) > 0' "$(hv /v2/tasks)"
uid=$(hv "/v2/users?per_page=1" | jq '.users[0].id')
cr=$(hv "/v2/users/$uid/cost_rates")
jqe "users/{id}/cost_rates envelope and amounts" '(.cost_rates|type)=="array" and .total_entries == (.cost_rates|length) and .page == 1' "$cr"
t_eq "cost_rates of an unknown user -> 404" 404 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/users/1/cost_rates")"
t_eq "unknown Harvest path -> 404" 404 "$(status -H @"$T_TMP/h.harvest" "$SIM_URL/v2/nothing")"

# hostile and non-ASCII names are served JSON-escaped, never as raw control bytes
hv "/v2/clients" >"$T_TMP/clients.raw"
hv "/v2/projects?per_page=2000" >"$T_TMP/projects.raw"
t_check "ESC sequence is escaped as \\u001b in clients" grep -q '\\u001b\[2J\\u001b\]0;pwned\\u0007' "$T_TMP/clients.raw"
esc=$(printf '\033')
t_check "no raw ESC byte in any body" sh -c "! grep -q '$esc' '$T_TMP/clients.raw' '$T_TMP/projects.raw'"
t_check "tab and newline in a project name are escaped" grep -q 'Phase\\t1\\nLaunch' "$T_TMP/projects.raw"
jqe "bidi override U+202E present in a client name" '[.clients[].name | test("\u202e")] | any' "$(cat "$T_TMP/clients.raw")"
jqe "non-ASCII names (Müller & Søn, 東京デザイン, emoji)" '[.clients[].name] | (index("Müller & Søn") != null) and (map(test("東京デザイン")) | any) and (map(test("🚀")) | any)' "$(cat "$T_TMP/clients.raw")"

# determinism: a second simulator with the same seed serves identical bytes
URL1=$SIM_URL
sim_start --scale 5000 --rate-limits off || t_fail "second simulator starts"
same=yes
for p in "/v2/time_entries?per_page=2000&page=2" "/v2/clients" "/v2/projects" "/v2/users"; do
    a=$(curl -sS -H @"$T_TMP/h.harvest" "$URL1$p" | sed "s#$URL1##g" | cksum)
    b=$(hv "$p" | sed "s#$SIM_URL##g" | cksum)
    [ "$a" = "$b" ] || same="no: $p"
done
t_eq "same seed and scale -> byte-identical Harvest responses" yes "$same"
same=yes
for p in "/crm/v3/objects/deals?limit=100&properties=amount,dealstage,hubspot_owner_id" "/crm/v3/objects/companies?limit=100" "/crm/v3/owners"; do
    a=$(curl -sS -H @"$T_TMP/h.hubspot" "$URL1$p" | sed "s#$URL1##g" | cksum)
    b=$(hs "$p" | sed "s#$SIM_URL##g" | cksum)
    [ "$a" = "$b" ] || same="no: $p"
done
a=$(curl -sS -H @"$T_TMP/h.hubspot" -d '{"limit":100,"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"DESCENDING"}]}' "$URL1/crm/v3/objects/deals/search" | cksum)
b=$(hs_post /crm/v3/objects/deals/search '{"limit":100,"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"DESCENDING"}]}' | cksum)
[ "$a" = "$b" ] || same="no: search"
t_eq "same seed and scale -> byte-identical HubSpot responses" yes "$same"
jqe "truth is identical too" "true" "$( [ "$(curl -sS "$URL1/__sim/truth" | cksum)" = "$(admin truth | cksum)" ] && echo true || echo false)"
sim_start --scale 5000 --seed 2 --rate-limits off || t_fail "third simulator starts"
a=$(curl -sS -H @"$T_TMP/h.harvest" "$URL1/v2/time_entries?per_page=50" | jq -c '.time_entries | map(.hours)')
b=$(hv "/v2/time_entries?per_page=50" | jq -c '.time_entries | map(.hours)')
[ "$a" != "$b" ] && t_ok "another seed gives another world" || t_fail "another seed gives another world"

# rate limit: 110 quick requests -> 429 with Retry-After and Harvest's body
sim_start --scale 100 --harvest-limit 100/15 || t_fail "limited simulator starts"
n429=0
for i in $(seq 1 110); do
    c=$(curl -s -o "$T_TMP/rl.json" -D "$T_TMP/rl.h" -w '%{http_code}' -H @"$T_TMP/h.harvest" "$SIM_URL/v2/tasks")
    if [ "$c" = 429 ]; then n429=$((n429 + 1)); cp "$T_TMP/rl.h" "$T_TMP/429.h"; cp "$T_TMP/rl.json" "$T_TMP/429.json"; fi
done
t_eq "110 requests in 15 s -> exactly 10 refused" 10 "$n429"
ra=$(tr -d '\r' <"$T_TMP/429.h" | sed -n 's/^Retry-After: *//Ip')
case "$ra" in [1-9]|1[0-5]) t_ok "429 carries Retry-After in seconds ($ra)" ;; *) t_fail "429 carries Retry-After" "got '$ra'" ;; esac
jqe "429 body" '.error == "rate_limit_exceeded" and (.error_description | test("100 requests per 15 seconds"))' "$(cat "$T_TMP/429.json")"
st=$(admin stats)
jqe "stats: 10 harvest 429s, max 110 requests seen in one window" '.harvest["429"] == 10 and .harvest.max_in_window == 110 and .harvest.accounts["1000001"].refused == 10' "$st"
jqe "stats: requests by path" '.paths["/v2/tasks"] == 110' "$st"
t_done
