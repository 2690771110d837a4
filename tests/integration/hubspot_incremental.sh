#!/bin/sh
# hubspot_incremental — HubSpot companies sync incrementally, like deals: the first
# `opsdeck sync hubspot` lists companies in full (GET /crm/v3/objects/companies, every page)
# and sets the companies cursor; after a company is edited upstream (/__sim/mutate), the next
# sync asks POST /crm/v3/objects/companies/search from the cursor and lists no live company (only
# the archived ones: archived=true, which search never returns), the edit arrives, no company is lost or doubled and the cursor moves to the edit's time; `--full`
# lists in full again; `--reconcile` still re-lists companies and soft-deletes one that is
# gone upstream. Which endpoints were asked comes from the simulator's request log.
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
# --scale 30000: 146 company slots, so a full list is two pages of 100.
sim_start --scale 30000 --seed 5 --rate-limits off || { t_fail "simulator"; t_done; }
export OPSDECK_RATELIMIT_HUBSPOT=100000/1000 OPSDECK_RATELIMIT_HUBSPOT_SEARCH=100000/1000
printf 'Authorization: Bearer %s\n' "$OPSDECK_SIM_HUBSPOT_TOKEN" >"$T_TMP/h.hubspot"

# sim_companies: how many companies the simulator lists (paged list, independent of search).
sim_companies() {
    after="" n=0
    while :; do
        curl -sf -H @"$T_TMP/h.hubspot" "$SIM_URL/crm/v3/objects/companies?limit=100${after:+&after=$after}" >"$T_TMP/c.json" || return 1
        n=$((n + $(jq '.results | length' "$T_TMP/c.json")))
        after=$(jq -r '.paging.next.after // empty' "$T_TMP/c.json")
        [ -n "$after" ] || break
    done
    echo "$n"
}
db_companies() { psql_db -c "SELECT count(*) FROM hubspot_companies WHERE deleted_at IS NULL"; }
# sync_logged NAME ARGS...: run `opsdeck sync hubspot ARGS --wait`; the simulator's request
# log lines of that run go to $T_TMP/NAME.sim.log. Returns the sync's exit status.
sync_logged() {
    name=$1; shift
    before=$(wc -l <"$T_TMP/sim.log")
    "$OD_BIN" sync hubspot "$@" --wait >"$T_TMP/$name.log" 2>&1
    rc=$?
    tail -n +"$((before + 1))" "$T_TMP/sim.log" >"$T_TMP/$name.sim.log"
    return $rc
}
lists() { grep 'GET /crm/v3/objects/companies[?]' "$T_TMP/$1.sim.log" | grep -c 'archived=false'; }
archived_lists() { grep 'GET /crm/v3/objects/companies[?]' "$T_TMP/$1.sim.log" | grep -c 'archived=true'; }
searches() { grep -c 'POST /crm/v3/objects/companies/search ' "$T_TMP/$1.sim.log"; }
cursor() { psql_db -c "SELECT cursor FROM sync_cursors WHERE provider = 'hubspot' AND resource = 'companies'"; }

# 1. First sync: a full list --------------------------------------------------------------------
live=$(sim_companies)
t_check "the simulator lists more than one page of companies ($live)" test "${live:-0}" -gt 100
sync_logged first
t_eq "first HubSpot sync completes" 0 "$?"
t_check "first sync lists companies in full ($(lists first) GET pages)" test "$(lists first)" -ge 2
t_eq "first sync does not search companies" 0 "$(searches first)"
t_eq "every company stored" "$live" "$(db_companies)"
c1=$(cursor)
t_check "the companies cursor is set ($c1)" test -n "$c1"

# 2. An edit upstream, then an incremental sync -------------------------------------------------
# The highest id is a prospect (no client): renaming it leaves every client link alone.
id=$(psql_db -c "SELECT max(id) FROM hubspot_companies")
out=$(curl -sf -X POST "$SIM_URL/__sim/mutate" \
    -d "{\"action\":\"edit\",\"resource\":\"companies\",\"id\":\"$id\",\"fields\":{\"name\":\"Renamed Prospect Ltd\",\"domain\":\"renamed.example\"}}")
t_eq "mutate edits company $id" true "$(printf '%s' "$out" | jq .ok)"
edited_at=$(printf '%s' "$out" | jq -r .updated_at)
mark=$(psql_db -c "SELECT now()")
sync_logged second
t_eq "second HubSpot sync completes" 0 "$?"
t_check "second sync fetches companies by search ($(searches second) requests)" test "$(searches second)" -ge 1
t_eq "second sync lists no live companies" 0 "$(lists second)"
t_eq "second sync lists the archived companies (one page: none archived)" 1 "$(archived_lists second)"
t_eq "the edited name and domain arrived" "Renamed Prospect Ltd|renamed.example" \
    "$(psql_db -c "SELECT name || '|' || domain FROM hubspot_companies WHERE id = $id")"
t_eq "company count unchanged" "$live" "$(db_companies)"
changed=$(psql_db -c "SELECT count(*) FROM hubspot_companies WHERE synced_at >= '$mark'")
t_check "the search rewrote only recent companies ($changed of $live)" test "$changed" -lt "$((live / 2))"
cp=$(psql_db -c "SELECT (checkpoint->>'archived')::bool AND (checkpoint->>'from_ms')::bigint > 0
                 FROM sync_jobs WHERE resource = 'companies' ORDER BY id DESC LIMIT 1")
t_eq "the companies job searched from the cursor, then listed the archived (checkpoint)" t "$cp"
t_eq "the cursor moved to the edit's time" t \
    "$(psql_db -c "SELECT cursor::timestamptz = '$edited_at'::timestamptz FROM sync_cursors WHERE provider = 'hubspot' AND resource = 'companies'")"

# 3. --full lists again ---------------------------------------------------------------------------
sync_logged full --full
t_eq "full HubSpot sync completes" 0 "$?"
t_check "--full lists companies in full ($(lists full) GET pages)" test "$(lists full)" -ge 2
t_eq "--full does not search companies" 0 "$(searches full)"
t_eq "company count unchanged after --full" "$live" "$(db_companies)"

# 4. Reconcile still lists companies and soft-deletes one gone upstream --------------------------
psql_db -c "INSERT INTO hubspot_companies (id, name, updated_at, synced_at)
            VALUES (4999999999, 'Gone Upstream', now() - interval '1 day', now() - interval '1 day')" >/dev/null
sync_logged reconcile --reconcile
t_eq "HubSpot reconcile completes" 0 "$?"
t_check "reconcile lists companies in full ($(lists reconcile) GET pages)" test "$(lists reconcile)" -ge 2
t_eq "reconcile soft-deleted the company gone upstream, only it" "4999999999" \
    "$(psql_db -c "SELECT string_agg(id::text, ',') FROM hubspot_companies WHERE deleted_at IS NOT NULL")"
t_eq "live companies equal the simulator's after reconcile" "$live" "$(db_companies)"
t_done
