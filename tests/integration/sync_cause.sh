#!/bin/sh
# sync_cause — the cause, always (issue #15). With the simulator answering 503 for HubSpot until
# the circuit breaker opens, every recorded job error (`opsdeck jobs --format json`) is the upstream
# failure — provider, method, path, HTTP 503 and the provider's message — and the breaker only
# adds context; a job waiting for its retry says "retry 2/8 in N s (HTTP 503)". While a request
# waits (a 429's Retry-After, a 5xx retry's backoff) the job's row says what it waits for.
. tests/lib/common.sh

export OPSDECK_HTTP_BACKOFF_MS=20 OPSDECK_LOG_LEVEL=error
db_new || { t_fail "database"; t_done; }
sim_start --scale 1000 --seed 9 || { t_fail "simulator"; t_done; }
faults() { curl -sf -X POST "$SIM_URL/__sim/faults" -d "$1" >/dev/null || t_fail "faults $1"; }
# jobs_q SQL: run SQL with the output of `opsdeck jobs --format json` as :'j' (read by PostgreSQL)
jobs_q() {
    "$OD_BIN" jobs --format json --limit 100 >"$T_TMP/jobs.json" &&
        printf '%s\n' "$1" | psql_db -v j="$(cat "$T_TMP/jobs.json")"
}

# 1. HubSpot answers 503 until the breaker opens ------------------------------------------------
faults '{"reset":true,"provider":"hubspot","unavailable_storm":100000}'
"$OD_BIN" sync hubspot >/dev/null || t_fail "sync hubspot queues"
"$OD_BIN" worker --once --threads 2 >"$T_TMP/w1.log" 2>&1
cat >"$T_TMP/errors.sql" <<'SQL'
SELECT e->>'error' FROM json_array_elements((:'j')::json->'jobs') j, json_array_elements(j->'errors') e
WHERE j->>'provider' = 'hubspot' ORDER BY 1
SQL
errs=$(jobs_q "$(cat "$T_TMP/errors.sql")")
echo "$errs" | sed 's/^/# error: /'
n=$(printf '%s\n' "$errs" | grep -c .)
t_check "the HubSpot jobs recorded errors ($n)" test "$n" -ge 2
t_eq "every error is the upstream failure: method, path, HTTP 503, the provider's message" "" \
    "$(printf '%s\n' "$errs" | grep -Ev '^hubspot GET /crm/v3/[a-z/]+: HTTP 503 Service Unavailable "[^"]+"')"
printf '%s\n' "$errs" >"$T_TMP/errs.txt"
t_check "the breaker opened and says so as context" \
    grep -Eq 'HTTP 503 Service Unavailable "[^"]+" \(circuit breaker open after [0-9]+ failures; next try in [0-9]+ s\)$' \
    "$T_TMP/errs.txt"
t_eq "no error is the breaker alone" 0 "$(printf '%s\n' "$errs" | grep -c '^hubspot circuit breaker')"
# Per job: its resource, the path its own requests go to, its first error.
cat >"$T_TMP/perjob.sql" <<'SQL'
SELECT j->>'resource', j->'errors'->0->>'error' FROM json_array_elements((:'j')::json->'jobs') j
WHERE j->>'provider' = 'hubspot' AND json_array_length(j->'errors') > 0 ORDER BY (j->>'id')::bigint
SQL
jobs_q "$(cat "$T_TMP/perjob.sql")" >"$T_TMP/perjob.txt"
sed 's/^/# job: /' "$T_TMP/perjob.txt"
# paths RESOURCE: the paths a HubSpot job of RESOURCE requests
paths() {
    case "$1" in
        owners) echo '/crm/v3/owners' ;;
        pipelines) echo '/crm/v3/pipelines/deals' ;;
        companies) echo '/crm/v3/objects/companies' ;;
        deals) echo '/crm/v3/objects/deals' ;;
        *) echo "/$1" ;;
    esac
}
own=0
bad=""
while IFS='|' read -r res err; do
    p=$(paths "$res")
    case "$err" in
        "hubspot GET $p"*": HTTP 503 "*) own=$((own + 1)) ;;
        # refused by the open breaker before its first request: the failure that opened it
        *": HTTP 503 "*"(not sent: circuit breaker open after "*) ;;
        *) bad="$bad $res: $err;" ;;
    esac
done <"$T_TMP/perjob.txt"
t_eq "each job's error names its own request's path, or says it was not sent and why" "" "$bad"
t_check "jobs that sent requests name their own paths ($own)" test "$own" -ge 2
st=$(jobs_q "SELECT j->>'status' FROM json_array_elements((:'j')::json->'jobs') j WHERE j->>'resource' = 'owners'")
case "$st" in
    "retry 2/8 in "[0-9]*" s (HTTP 503)") t_ok "a retryable job's status: $st" ;;
    *) t_fail "a retryable job's status says retry 2/8 in N s (HTTP 503)" "$st" ;;
esac
t_check "the table shows the 503 as last error" sh -c "'$OD_BIN' jobs | grep -q 'hubspot GET /crm/v3/owners: HTTP 503'"

# 2. A 429 wait shows in the job's row while it lasts ----------------------------------------------
db_new || t_fail "database 2"
faults '{"reset":true,"provider":"harvest","rate_limit_storm":1,"retry_after":"8"}'
"$OD_BIN" sync harvest --wait >"$T_TMP/s2.out" 2>&1 &
s2=$!
seen=""
i=0
while [ $i -lt 150 ] && [ -z "$seen" ]; do
    seen=$(psql_db -c "SELECT resource || '|' || wait_reason || '|' || (wait_until > now())
                       FROM sync_jobs WHERE wait_reason LIKE '429%' LIMIT 1" 2>/dev/null)
    [ -n "$seen" ] || sleep 0.1
    i=$((i + 1))
done
case "$seen" in
    *"|429, Retry-After|true") t_ok "a job waiting out a 429 says so in its row: $seen" ;;
    *) t_fail "a job waiting out a 429 says so in its row (wait_until, wait_reason)" "$seen" ;;
esac
st=$(jobs_q "SELECT j->>'status' FROM json_array_elements((:'j')::json->'jobs') j WHERE j->>'wait_reason' LIKE '429%'")
case "$st" in
    "waiting "[0-9]*" s (429, Retry-After)") t_ok "jobs --format json status: $st" ;;
    *) t_fail "jobs --format json status says waiting N s (429, Retry-After)" "$st" ;;
esac
wait "$s2"
t_eq "the sync then completes" 0 "$?"
t_check "sync --wait's progress showed the wait" grep -q 'waiting [0-9]* s (429, Retry-After)' "$T_TMP/s2.out"
t_eq "no job is left marked waiting" 0 "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE wait_until IS NOT NULL")"

# 3. A 5xx retry's backoff shows too ----------------------------------------------------------------
db_new || t_fail "database 3"
faults '{"reset":true,"provider":"harvest","unavailable_storm":1,"retry_after":"6"}'
"$OD_BIN" sync harvest --wait >"$T_TMP/s3.out" 2>&1 &
s3=$!
seen=""
i=0
while [ $i -lt 150 ] && [ -z "$seen" ]; do
    seen=$(psql_db -c "SELECT wait_reason FROM sync_jobs WHERE wait_reason LIKE 'HTTP 503%'
                         AND wait_until > now() LIMIT 1" 2>/dev/null)
    [ -n "$seen" ] || sleep 0.1
    i=$((i + 1))
done
t_eq "a request retrying after a 503 says so in its job's row" "HTTP 503, retry 2/4" "$seen"
wait "$s3"
t_eq "the sync then completes" 0 "$?"
t_done
