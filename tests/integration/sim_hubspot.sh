# sim_hubspot.sh — opsdeck-sim's HubSpot CRM API: list paging with after cursors, properties,
# archived, owners, search of deals and companies (filters, sorts, total, paging, the 10,000-result
# cap, one search budget), company edits through /__sim/mutate, v4 association batch
# read (association types, Primary), deal pipelines, archiving deals and companies, auth errors,
# OAuth (code -> token -> refresh, rotation, expiry, PKCE), rate limits.
. tests/lib/common.sh
. tests/sim/testlib.sh

sim_start --scale 5000 --rate-limits off --oauth-code-ttl 1 --access-token-ttl 2 || { t_fail "simulator starts"; t_done; }
sim_headers

# page_ids FETCH OUT: FETCH AFTER prints one page (AFTER empty for the first); follow
# paging.next.after until it is absent (at most 100 pages), the ids of every page go to OUT.
# The last page stays in $T_TMP/page.json.
page_ids() {
    after="" pages=0
    : >"$2"
    while [ $pages -lt 100 ]; do
        "$1" "$after" >"$T_TMP/page.json"
        jq -r '.results[].id' "$T_TMP/page.json" >>"$2"
        pages=$((pages + 1))
        after=$(jq -r '.paging.next.after // empty' "$T_TMP/page.json")
        [ -n "$after" ] || break
    done
}

# list paging: follow paging.next.after until it is absent
deal_page() { hs "/crm/v3/objects/deals?limit=100${1:+&after=$1}"; }
page_ids deal_page "$T_TMP/deal_ids"
live=$(admin truth | jq '.deals.count')
t_eq "deal list paging visits every live deal once" "$live" "$(sort -u "$T_TMP/deal_ids" | wc -l | tr -d ' ')"
t_eq "no duplicates across pages" "$(wc -l <"$T_TMP/deal_ids" | tr -d ' ')" "$(sort -u "$T_TMP/deal_ids" | wc -l | tr -d ' ')"
d=$(hs "/crm/v3/objects/deals")
jqe "default limit is 10, paging.next has after and an absolute link" ".results | length == 10" "$d"
jqe "paging.next.link is absolute" ".paging.next.link | startswith(\"$SIM_URL/crm/v3/objects/deals?limit=10&after=\")" "$d"
jqe "every property value is a string or null" '[.results[].properties[] | (type == "string" or type == "null")] | all' "$d"
jqe "default deal properties and top-level createdAt/updatedAt/archived" '.results[0] | (.properties | has("dealname") and has("amount") and has("dealstage") and has("closedate") and has("pipeline") and has("hs_lastmodifieddate")) and (.createdAt|type)=="string" and (.updatedAt|type)=="string" and .archived == false and (.id|type)=="string"' "$d"
jqe "amounts are decimal strings like 12500.00" '[.results[].properties.amount | select(. != null) | test("^[0-9]+\\.[0-9]{2}$")] | all' "$d"
t_eq "limit=101 refused" 400 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/objects/deals?limit=101")"
p=$(hs "/crm/v3/objects/deals?limit=5&properties=dealname,hubspot_owner_id")
jqe "properties csv selects properties (plus the always-present ones)" '.results[0].properties | keys == ["createdate","dealname","hs_lastmodifieddate","hs_object_id","hubspot_owner_id"]' "$p"
a=$(hs "/crm/v3/objects/deals?limit=100&archived=true")
jqe "archived=true lists only archived deals, with archivedAt" '(.results | length) > 0 and ([.results[] | .archived and (.archivedAt|type)=="string"] | all)' "$a"
c=$(hs "/crm/v3/objects/companies?limit=100")
jqe "companies: name/domain strings, some domain-only (name null)" '(.results|length) > 20 and ([.results[] | select(.properties.name == null and .properties.domain != null)] | length) > 0' "$c"
jqe "company names differ from client names only by case/outer spaces" '[.results[].properties.name | select(. != null) | test("^ +| +$")] | any' "$c"
o=$(hs "/crm/v3/owners")
jqe "owners: id string, email, names, archived" '(.results | length) > 0 and ([.results[] | (.id|type)=="string" and (.email|type)=="string" and .archived == false and .type == "PERSON"] | all)' "$o"
want=$(jq -c '.results[0] | keys' tests/fixtures/hubspot_owners_list_response.json)
got=$(printf '%s' "$o" | jq -c '.results[0] | keys')
t_eq "owner objects carry the fields of the documented example (but teams)" '["teams"]' "$(jq -n -c --argjson w "$want" --argjson g "$got" '$w - $g')"

# search
s=$(hs_post /crm/v3/objects/deals/search '{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"0"}]}],"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}],"properties":["dealname","amount"],"limit":200}')
jqe "search: total, 200 results, sorted by hs_lastmodifieddate ascending" '.total > 0 and (.results | length) == ([.total,200]|min) and ([.results[].properties.hs_lastmodifieddate] | . == sort)' "$s"
jqe "search never returns archived deals" '[.results[].archived] | any | not' "$s"
t_eq "search total = live deals" "$live" "$(printf '%s' "$s" | jq .total)"
ms=$(printf '%s' "$s" | jq -r ".results[10].properties.hs_lastmodifieddate | sub(\"\\\\.[0-9]+Z\$\"; \"Z\") | fromdate * 1000")
s2=$(hs_post /crm/v3/objects/deals/search "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GT\",\"value\":\"$ms\"}]}],\"sorts\":[{\"propertyName\":\"hs_lastmodifieddate\",\"direction\":\"DESCENDING\"}],\"limit\":50}")
jqe "GT filter on epoch ms, DESCENDING sort" "[.results[].properties.hs_lastmodifieddate] as \$d | (\$d == (\$d | sort | reverse)) and ([\$d[] | sub(\"\\\\.[0-9]+Z\$\"; \"Z\") | fromdate * 1000 >= $ms] | all) and (\$d | length) > 0" "$s2"
s3=$(hs_post /crm/v3/objects/deals/search '{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"BETWEEN","value":"0","highValue":"1"}]},{"filters":[{"propertyName":"dealstage","operator":"EQ","value":"closedwon"}]}],"limit":10}')
jqe "filterGroups are ORed; EQ on dealstage" '.total > 0 and ([.results[].properties.dealstage == "closedwon"] | all)' "$s3"
pg2=$(hs_post /crm/v3/objects/deals/search '{"limit":10,"after":"10"}')
jqe "search after cursor pages on" '.paging.next.after == "20" and (.results|length) == 10' "$pg2"
cap=$(hs_post /crm/v3/objects/deals/search '{"limit":200,"after":"9900"}')
t_eq "search past 10,000 results -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -H 'Content-Type: application/json' -d '{"limit":200,"after":"9900"}' "$SIM_URL/crm/v3/objects/deals/search")"
jqe "10k error has HubSpot's error body" '.status == "error" and .category == "VALIDATION_ERROR" and (.correlationId|length) == 36 and (.message|test("10000"))' "$cap"
t_eq "search limit 201 -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":201}' "$SIM_URL/crm/v3/objects/deals/search")"
t_eq "search on an unknown property -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d '{"filterGroups":[{"filters":[{"propertyName":"nope","operator":"EQ","value":"1"}]}]}' "$SIM_URL/crm/v3/objects/deals/search")"

# companies search: the same search on companies, checked against the company list
cl=$(hs "/crm/v3/objects/companies?limit=100")
jqe "all companies fit one list page" '.paging == null and (.results | length) > 20' "$cl"
# jq: ISO timestamp with milliseconds -> epoch ms
JQMS='def ms: (.[:19] + "Z" | fromdate) * 1000 + (.[20:23] | tonumber);'
csearch() { hs_post /crm/v3/objects/companies/search "$1"; }
cs=$(csearch '{"limit":200}')
t_eq "companies search: no filter = every listed company, by hs_object_id (no unused slots)" \
    "$(printf '%s' "$cl" | jq -c '[.results[].id]')" "$(printf '%s' "$cs" | jq -c '[.results[].id]')"
jqe "companies search: total counts them, no paging on the last page" "(.total == (.results | length)) and .paging == null" "$cs"
jqe "companies search: default properties are the company ones" '.results[0].properties | keys == ["createdate","domain","hs_lastmodifieddate","hs_object_id","name"]' "$cs"
jqe "companies search: properties selects (plus the always-present ones)" '.results[0].properties | keys == ["createdate","hs_lastmodifieddate","hs_object_id","name"]' "$(csearch '{"properties":["name"],"limit":1}')"
cms=$(printf '%s' "$cl" | jq -r "$JQMS [.results[].properties.hs_lastmodifieddate | ms] | sort | .[length / 2 | floor]")
want=$(printf '%s' "$cl" | jq -c "$JQMS [.results[] | select((.properties.hs_lastmodifieddate | ms) > $cms) | .properties.hs_lastmodifieddate] | sort | reverse")
got=$(csearch "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GT\",\"value\":\"$cms\"}]}],\"sorts\":[{\"propertyName\":\"hs_lastmodifieddate\",\"direction\":\"DESCENDING\"}],\"limit\":200}")
t_eq "companies search: GT on hs_lastmodifieddate (epoch ms), DESCENDING = the listed companies modified later" \
    "$want" "$(printf '%s' "$got" | jq -c '[.results[].properties.hs_lastmodifieddate]')"
got=$(csearch '{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"0"}]}],"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}],"limit":200}')
t_eq "companies search: GTE 0 sorted by hs_lastmodifieddate ascending" \
    "$(printf '%s' "$cl" | jq -c '[.results[].properties.hs_lastmodifieddate] | sort')" \
    "$(printf '%s' "$got" | jq -c '[.results[].properties.hs_lastmodifieddate]')"
id0=$(printf '%s' "$cl" | jq -r '.results | max_by(.properties.createdate) | .id') # created last
cc=$(printf '%s' "$cl" | jq -r "$JQMS [.results[].properties.createdate | ms] | sort | .[length / 3 | floor]")
want=$(printf '%s' "$cl" | jq -c "$JQMS [.results[] | select(.id == \"$id0\" or (.properties.createdate | ms) < $cc) | .id]")
got=$(csearch "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"$id0\"}]},{\"filters\":[{\"propertyName\":\"createdate\",\"operator\":\"LT\",\"value\":\"$cc\"}]}],\"limit\":200}")
t_eq "companies search: filterGroups ORed (hs_object_id EQ or createdate LT)" "$want" "$(printf '%s' "$got" | jq -c '[.results[].id]')"
iso=$(printf '%s' "$cl" | jq -r '[.results[].properties.hs_lastmodifieddate] | sort | .[5]')
idm=$(printf '%s' "$cl" | jq -r '.results | .[length / 2 | floor].id')
want=$(printf '%s' "$cl" | jq -c "[.results[] | select(.properties.hs_lastmodifieddate >= \"$iso\" and (.id | tonumber) < $idm) | .id]")
got=$(csearch "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"$iso\"},{\"propertyName\":\"hs_object_id\",\"operator\":\"LT\",\"value\":\"$idm\"}]}],\"limit\":200}")
t_eq "companies search: filters in a group ANDed; an ISO datetime value works on dates" "$want" "$(printf '%s' "$got" | jq -c '[.results[].id]')"
company_page() { csearch "{\"limit\":7${1:+,\"after\":\"$1\"}}"; }
page_ids company_page "$T_TMP/company_ids"
t_eq "companies search: paging.next.after visits every company once, in order" \
    "$(printf '%s' "$cl" | jq -r '.results[].id')" "$(cat "$T_TMP/company_ids")"
jqe "companies search: after is the offset" '.paging.next.after == "20" and (.results | length) == 10' "$(csearch '{"limit":10,"after":"10"}')"
cap=$(csearch '{"limit":200,"after":"9900"}')
jqe "companies search past 10,000 results -> HubSpot's 400" '.status == "error" and .category == "VALIDATION_ERROR" and (.message | test("10000"))' "$cap"
t_eq "companies search past 10,000 results -> status 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":200,"after":"9900"}' "$SIM_URL/crm/v3/objects/companies/search")"
t_eq "companies search up to exactly 10,000 results is allowed" 200 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":200,"after":"9800"}' "$SIM_URL/crm/v3/objects/companies/search")"
t_eq "companies search limit 201 -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":201}' "$SIM_URL/crm/v3/objects/companies/search")"
for p in dealstage closedate nope; do
    t_eq "companies search filter on $p -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"$p\",\"operator\":\"EQ\",\"value\":\"1\"}]}]}" "$SIM_URL/crm/v3/objects/companies/search")"
done
t_eq "companies search sort on closedate -> 400" 400 "$(status -H @"$T_TMP/h.hubspot" -d '{"sorts":[{"propertyName":"closedate","direction":"ASCENDING"}]}' "$SIM_URL/crm/v3/objects/companies/search")"
# mutate a company: found by a search on hs_lastmodifieddate, in the list with the new values
cmax=$(printf '%s' "$cl" | jq -r "$JQMS [.results[].properties.hs_lastmodifieddate | ms] | max")
m=$(admin mutate "{\"action\":\"edit\",\"resource\":\"companies\",\"id\":\"$id0\",\"fields\":{\"name\":\"Édition Nouvelle\",\"domain\":null}}")
jqe "mutate edits a company" '.ok == true and .ids == [('"$id0"')]' "$m"
at=$(printf '%s' "$m" | jq -r .updated_at)
got=$(csearch "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GT\",\"value\":\"$cmax\"}]}]}")
jqe "an edited company: the only one modified since, new name, domain null, hs_lastmodifieddate = updatedAt = the edit" \
    ".total == 1 and .results[0].id == \"$id0\" and .results[0].properties.name == \"Édition Nouvelle\" and .results[0].properties.domain == null and (.results[0].updatedAt | sub(\"\\\\.000Z\$\"; \"Z\")) == \"$at\" and .results[0].properties.hs_lastmodifieddate == .results[0].updatedAt" "$got"
jqe "the company list shows the edit too" "[.results[] | select(.id == \"$id0\") | .properties.name] == [\"Édition Nouvelle\"]" "$(hs "/crm/v3/objects/companies?limit=100")"
jqe "mutate refuses a company field it cannot edit" '.error | test("cannot be edited")' "$(admin mutate "{\"action\":\"edit\",\"resource\":\"companies\",\"id\":\"$id0\",\"fields\":{\"industry\":\"x\"}}")"
jqe "mutate refuses an unknown company" '.error | test("no company")' "$(admin mutate '{"action":"edit","resource":"companies","id":"123","fields":{"name":"x"}}')"

# associations
ids=$(head -3 "$T_TMP/deal_ids" | jq -R . | jq -s -c 'map({id: .})')
as=$(hs_post /crm/v4/associations/deals/companies/batch/read "{\"inputs\":$ids}")
jqe "association batch read: one result per deal, each company with its types, at most one Primary" '.status == "COMPLETE" and (.results|length) == 3 and ([.results[] | (.from.id|type)=="string" and (.to|length) >= 1 and (.to[0].toObjectId|type)=="number" and ([.to[].associationTypes[] | select(.typeId == 5 and .category == "HUBSPOT_DEFINED" and .label == "Primary")] | length) <= 1 and ([.to[].associationTypes[] | select(.typeId == 341 and .label == null)] | length) == (.to | length)] | all)' "$as"
want=$(jq -c 'keys' tests/fixtures/hubspot_associations_batch_read_response.json)
t_eq "association response has the documented top-level keys" "$want" "$(printf '%s' "$as" | jq -c keys)"
cid=$(printf '%s' "$as" | jq '.results[0].to[0].toObjectId')
cs=$(hs_post /crm/v3/objects/companies/search "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"$cid\"}]}]}")
jqe "associated company exists (found by id through company search)" ".total == 1 and .results[0].id == \"$cid\"" "$cs"
all_ids=$(jq -R . "$T_TMP/deal_ids" | jq -s -c 'map({id: .})')
hs_post /crm/v4/associations/deals/companies/batch/read "{\"inputs\":$all_ids}" >"$T_TMP/assoc_all.json"
jqe "deals: one company with Primary, one without, two with one Primary, two without" '[.results[] | [(.to | length), ([.to[].associationTypes[] | select(.typeId == 5)] | length)]] as $k
    | ($k | index([[1,1]]) != null) and ($k | index([[1,0]]) != null) and ($k | index([[2,1]]) != null) and ($k | index([[2,0]]) != null)' "$(cat "$T_TMP/assoc_all.json")"

# deal pipelines: two, stage metadata as strings; the second pipeline's won stage is not closedwon
pl=$(hs /crm/v3/pipelines/deals)
jqe "pipelines: two, every stage with isClosed/probability strings" '(.results | length) == 2 and ([.results[].stages[].metadata | (.isClosed | type) == "string" and (.probability | type) == "string"] | all)' "$pl"
jqe "pipelines: a won stage (closed, 1.0) in each, the second one's id is not closedwon" '[.results[] | [.stages[] | select(.metadata.isClosed == "true" and .metadata.probability == "1.0") | .id]] as $w | ($w | length) == 2 and $w[0] == ["closedwon"] and ($w[1] | length) == 1 and $w[1][0] != "closedwon"' "$pl"
jqe "pipelines: a stage with probability 1.0 that is not closed (not won)" '[.results[].stages[] | select(.metadata.probability == "1.0" and .metadata.isClosed == "false")] | length == 1' "$pl"
t_eq "pipelines: the documented keys (fixture)" "$(jq -c '.results[0] | keys' tests/fixtures/hubspot_deal_pipelines_response.json)|$(jq -c '.results[0].stages[0] | keys' tests/fixtures/hubspot_deal_pipelines_response.json)" \
    "$(printf '%s' "$pl" | jq -c '.results[0] | keys')|$(printf '%s' "$pl" | jq -c '.results[0].stages[0] | keys')"
dl=$(hs "/crm/v3/objects/deals?limit=100&properties=pipeline,dealstage")
jqe "deals in both pipelines" '[.results[].properties.pipeline] | unique | length == 2' "$dl"
p2=$(printf '%s' "$pl" | jq -r '.results[1].id')
s2=$(printf '%s' "$pl" | jq -c '[.results[1].stages[].id]')
jqe "every deal of the second pipeline has one of its stages" "[.results[] | select(.properties.pipeline == \"$p2\") | .properties.dealstage | IN($s2[])] | all" "$dl"

# mutate: dealstage moves a deal to that stage's pipeline; closedate; archive (deals, companies)
did=$(printf '%s' "$dl" | jq -r '[.results[] | select(.properties.pipeline == "default")][0].id')
won2=$(printf '%s' "$pl" | jq -r '.results[1].stages[] | select(.metadata.isClosed == "true" and .metadata.probability == "1.0") | .id')
m=$(admin mutate "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$did\",\"fields\":{\"dealstage\":\"$won2\",\"closedate\":\"2026-02-03\"}}")
jqe "mutate dealstage/closedate answers ok" '.ok' "$m"
jqe "the deal moved to the second pipeline, closedate set" ".results[] | select(.id == \"$did\") | .properties.pipeline == \"$p2\" and .properties.dealstage == \"$won2\" and (.properties.closedate | startswith(\"2026-02-03T00:00:00\"))" "$(hs "/crm/v3/objects/deals?limit=100&properties=pipeline,dealstage,closedate")"
jqe "an unknown stage is refused" '.error | test("stage")' "$(admin mutate "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$did\",\"fields\":{\"dealstage\":\"nope\"}}")"
jqe "a deal field it cannot edit is refused" '.error | test("cannot be edited")' "$(admin mutate "{\"action\":\"edit\",\"resource\":\"deals\",\"id\":\"$did\",\"fields\":{\"dealname\":\"x\"}}")"
mod0=$(hs "/crm/v3/objects/deals?limit=100" | jq -r ".results[] | select(.id == \"$did\") | .properties.hs_lastmodifieddate")
n0=$(admin truth | jq .deals.count)
jqe "mutate archive answers ok" '.ok' "$(admin mutate "{\"action\":\"archive\",\"resource\":\"deals\",\"id\":\"$did\"}")"
jqe "an archived deal: out of search" ".total == 0" "$(hs_post /crm/v3/objects/deals/search "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"$did\"}]}]}")"
jqe "an archived deal: in archived=true with archivedAt, hs_lastmodifieddate unchanged" "[.results[] | select(.id == \"$did\") | .archived and (.archivedAt | type) == \"string\" and .properties.hs_lastmodifieddate == \"$mod0\"] == [true]" "$(hs "/crm/v3/objects/deals?limit=100&archived=true")"
t_eq "an archived deal leaves the truth's live count" "$((n0 - 1))" "$(admin truth | jq .deals.count)"
jqe "archive is refused for time entries" '.error | test("archive")' "$(admin mutate '{"action":"archive","resource":"time_entries","id":3000000001}')"
co=$(printf '%s' "$as" | jq -r '.results[0].to[0].toObjectId')
d0=$(printf '%s' "$as" | jq -r '.results[0].from.id')
jqe "mutate archives a company" '.ok' "$(admin mutate "{\"action\":\"archive\",\"resource\":\"companies\",\"id\":\"$co\"}")"
jqe "an archived company: out of the list, in archived=true" "([.results[].id] | index(\"$co\")) == null" "$(hs "/crm/v3/objects/companies?limit=100")"
jqe "an archived company: archived=true lists it (and only archived ones)" "([.results[] | select(.id == \"$co\")] | length) == 1 and ([.results[].archived] | all)" "$(hs "/crm/v3/objects/companies?limit=100&archived=true")"
jqe "an archived company: out of company search" ".total == 0" "$(hs_post /crm/v3/objects/companies/search "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"$co\"}]}]}")"
jqe "an archived company: no longer among its deals' associations" "[.results[].to[].toObjectId] | index($co) == null" "$(hs_post /crm/v4/associations/deals/companies/batch/read "{\"inputs\":[{\"id\":\"$d0\"}]}")"
t_eq "unknown deal ids -> 207 multi-status" 207 "$(status -H @"$T_TMP/h.hubspot" -d '{"inputs":[{"id":"1"}]}' "$SIM_URL/crm/v4/associations/deals/companies/batch/read")"

# auth errors
body=$(curl -s -H 'Authorization: Bearer wrong' "$SIM_URL/crm/v3/objects/deals")
jqe "wrong token -> HubSpot 401 body" '.status == "error" and .category == "INVALID_AUTHENTICATION" and (.correlationId|length) == 36' "$body"
want=$(jq -c '[keys[] | select(. != "errors")]' tests/fixtures/hubspot_error_response.json)
t_eq "error body has the documented keys" "$want" "$(printf '%s' "$body" | jq -c keys)"

# OAuth: authorize -> code -> token -> refresh
ver="verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
chal=$(python3 -c 'import base64, hashlib, sys; print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())' "$ver")
CB="http://127.0.0.1:9/callback"
authz() { curl -s -o /dev/null -w '%{redirect_url}' "$SIM_URL/oauth/authorize?client_id=sim-client-id&redirect_uri=$CB&scope=crm.objects.deals.read&state=st%201$1"; }
code_of() { printf '%s' "$1" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p'; }
loc=$(authz "&code_challenge=$chal&code_challenge_method=S256")
case "$loc" in "$CB?code="*"&state=st%201") t_ok "authorize redirects with code and state" ;; *) t_fail "authorize redirects with code and state" "$loc" ;; esac
code=$(code_of "$loc")
tok() { curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$1" "$SIM_URL/oauth/v1/token"; }
form="grant_type=authorization_code&client_id=sim-client-id&client_secret=sim-client-secret&redirect_uri=$CB"
r=$(tok "$form&code=$code&code_verifier=wrong-verifier")
jqe "wrong PKCE verifier -> BAD_AUTH_CODE" '.status == "BAD_AUTH_CODE" and .error == "invalid_grant" and (.error_description|length) > 0' "$r"
r=$(tok "$form&code=$code&code_verifier=$ver")
jqe "code + verifier -> tokens" '.token_type == "bearer" and .expires_in == 2 and (.access_token|length) > 20 and (.refresh_token|length) > 20' "$r"
want=$(jq -c '[keys[] | select(. != "hub_id" and . != "scopes")]' tests/fixtures/hubspot_token_response.json)
t_eq "token response has the documented keys" "$want" "$(printf '%s' "$r" | jq -c keys)"
at=$(printf '%s' "$r" | jq -r .access_token); rt=$(printf '%s' "$r" | jq -r .refresh_token)
jqe "code is single use" '.status == "BAD_AUTH_CODE"' "$(tok "$form&code=$code&code_verifier=$ver")"
printf 'Authorization: Bearer %s\n' "$at" >"$T_TMP/h.oauth"
t_eq "OAuth access token is accepted" 200 "$(status -H @"$T_TMP/h.oauth" "$SIM_URL/crm/v3/owners")"
r=$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt")
jqe "refresh without rotation keeps the refresh token" ".refresh_token == \"$rt\" and (.access_token|length) > 20" "$r"
jqe "bad refresh token -> BAD_REFRESH_TOKEN" '.status == "BAD_REFRESH_TOKEN" and .error == "invalid_grant"' "$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=na1-sim-nope")"
jqe "wrong client secret refused" '.status == "BAD_CLIENT_SECRET"' "$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=x&refresh_token=$rt")"
loc=$(authz "")
code2=$(code_of "$loc")
sleep 2
jqe "expired code -> BAD_AUTH_CODE" '.status == "BAD_AUTH_CODE" and (.message | test("expired"))' "$(tok "$form&code=$code2")"
body=$(curl -s -H @"$T_TMP/h.oauth" "$SIM_URL/crm/v3/owners")
jqe "expired access token -> 401 EXPIRED_AUTHENTICATION" '.category == "EXPIRED_AUTHENTICATION" and .status == "error"' "$body"
r=$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt")
printf 'Authorization: Bearer %s\n' "$(printf '%s' "$r" | jq -r .access_token)" >"$T_TMP/h.oauth"
t_eq "fresh access token works" 200 "$(status -H @"$T_TMP/h.oauth" "$SIM_URL/crm/v3/owners")"
admin faults '{"expire_tokens_now":true}' >/dev/null
t_eq "expire_tokens_now -> 401" 401 "$(status -H @"$T_TMP/h.oauth" "$SIM_URL/crm/v3/owners")"

# rotation
sim_start --scale 100 --rotate-refresh-tokens || t_fail "rotating simulator starts"
code=$(code_of "$(authz "")")
rt=$(tok "$form&code=$code" | jq -r .refresh_token)
r=$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt")
rt2=$(printf '%s' "$r" | jq -r .refresh_token)
[ -n "$rt2" ] && [ "$rt2" != "$rt" ] && [ "$rt2" != null ] && t_ok "rotation returns a new refresh token" || t_fail "rotation returns a new refresh token" "$r"
jqe "rotated-out refresh token is refused" '.status == "BAD_REFRESH_TOKEN"' "$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt")"
jqe "the new refresh token works" '.access_token | length > 20' "$(tok "grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=$rt2")"

# rate limits: general bucket and the search bucket (secondly)
sim_start --scale 100 --hubspot-limit 20/10 || t_fail "limited simulator starts"
n429=0
for i in $(seq 1 25); do
    c=$(curl -s -o "$T_TMP/rl.json" -D "$T_TMP/rl.h" -w '%{http_code}' -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/owners")
    [ "$c" = 429 ] && n429=$((n429 + 1)) && cp "$T_TMP/rl.json" "$T_TMP/429.json" && cp "$T_TMP/rl.h" "$T_TMP/429.h"
done
t_eq "25 requests against 20/10 s -> 5 refused" 5 "$n429"
jqe "HubSpot 429 body" '.status == "error" and .errorType == "RATE_LIMIT" and .policyName == "TEN_SECONDLY_ROLLING" and (.correlationId|length) == 36' "$(cat "$T_TMP/429.json")"
t_check "HubSpot 429 has Retry-After" grep -qi '^Retry-After: [0-9]' "$T_TMP/429.h"
n429=0
for i in 1 2 3 4 5 6 7 8; do
    c=$(curl -s -o "$T_TMP/rl.json" -w '%{http_code}' -H @"$T_TMP/h.hubspot" -d '{"limit":1}' "$SIM_URL/crm/v3/objects/deals/search")
    [ "$c" = 429 ] && n429=$((n429 + 1)) && cp "$T_TMP/rl.json" "$T_TMP/429s.json"
done
[ "$n429" -ge 1 ] && t_ok "search limited to 5/s ($n429 of 8 refused)" || t_fail "search limited to 5/s"
jqe "search 429 is the secondly limit body" '.message == "You have reached your secondly limit." and .policyName == "SECONDLY"' "$(cat "$T_TMP/429s.json")"
jqe "stats: hubspot 429s counted, search window max" '.hubspot["429"] >= 6 and .hubspot.search.max_in_window >= 6' "$(admin stats)"
sim_start --scale 100 --search-limit 1/60 || t_fail "search-limited simulator starts"
t_eq "companies search on the search budget: first allowed" 200 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":1}' "$SIM_URL/crm/v3/objects/companies/search")"
t_eq "companies and deals search share one budget (1/60 s): deals search refused" 429 "$(status -H @"$T_TMP/h.hubspot" -d '{"limit":1}' "$SIM_URL/crm/v3/objects/deals/search")"
t_eq "the company list is not on the search budget" 200 "$(status -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/objects/companies")"
t_done
