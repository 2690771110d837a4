# lib.sh — fault cases for opsdeck (issue #8 "Proof"), sourced after tests/lib/common.sh by
# tests/faults/run.sh (`make faults`, every case) and tests/integration/faults_quick.sh (a few
# cases, small scales, inside `make test`).
#
# Every case is a function `fcase_NAME` that makes its own database and simulator, breaks
# something while a sync runs, and ends with f_compare: the database equals /__sim/truth per
# client (entries, hours, billable hours, revenue, cost) over the raw rows of
# harvest_time_entries AND through `opsdeck report profitability --by client --format json`,
# with no duplicate row and clean rollups. "No crash" is each process's exit status (a signal
# other than our own kill -9 fails) and no sanitizer report; "no leak" comes from running the
# processes that exit normally from build-asan/bin (LeakSanitizer at exit; reports go to files
# under $F_SAN, see f_no_sanitizer) — F_ASAN=0 uses $OD_BIN instead. Timings are never asserted:
# waits poll until a generous deadline.
#
#   F_SCALE    time entries in the simulator's world (default 3000)
#   F_PER_PAGE Harvest page size (default 100: many pages, so "mid-sync" exists)
#   F_LATENCY  ms the sim waits per request in the kill/restart cases (default 150: the
#              time-entries job lasts seconds even when pages are fetched ahead and committed 4 at
#              a time, so the fault lands mid-sync)
#   F_STORM    429s in the storm of fcase_weather (default 30; each costs a Retry-After of 1 s)
. tests/lib/truth.sh # truth_clients, raw_clients

F_SCALE=${F_SCALE:-3000}
F_PER_PAGE=${F_PER_PAGE:-100}
F_LATENCY=${F_LATENCY:-150}
F_SAN="$T_TMP/san"
mkdir -p "$F_SAN"
ROOT_DIR=$(pwd)
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT_DIR/tests/lsan.supp:print_suppressions=0}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$F_SAN/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$F_SAN/ubsan"

# The binary for processes whose exit is checked: the ASan+UBSan build when it exists.
# A build-asan older than any source is stale (another schema, fixed bugs): not used.
F_OD=$OD_BIN
if [ "${F_ASAN:-1}" != 0 ] && [ -x build-asan/bin/opsdeck ] && [ "$OD_BIN" = bin/opsdeck ] &&
    [ -z "$(find core cmd screens tui sql themes -newer build-asan/bin/opsdeck -type f 2>/dev/null | head -1)" ]; then
    F_OD=build-asan/bin/opsdeck
fi
f_leakcheck_label() { case $F_OD in build-asan/*) echo "ASan+LSan" ;; *) echo "no sanitizer build" ;; esac; }

# Defaults for every case: fast retries, quick rescue, short HTTP deadline, all days reconciled.
export OPSDECK_HTTP_BACKOFF_MS=${OPSDECK_HTTP_BACKOFF_MS:-20} OPSDECK_BREAKER_OPEN_MS=${OPSDECK_BREAKER_OPEN_MS:-1000}
export OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=3
export OPSDECK_SYNC_HTTP_TIMEOUT_S=${OPSDECK_SYNC_HTTP_TIMEOUT_S:-2}
export OPSDECK_SYNC_RECONCILE_DAYS=3650 OPSDECK_SYNC_WORKERS=2
export OPSDECK_HARVEST_PER_PAGE=$F_PER_PAGE

sim() { curl -sf -X POST "$SIM_URL/__sim/$1" -d "$2"; }
faults() { sim faults "$1" >/dev/null || t_fail "POST /__sim/faults $1"; }

# f_wait SQL WANT [SECS]: poll until the query prints WANT (1 when the deadline passes).
f_wait() {
    deadline=$(($(date +%s) + ${3:-120}))
    while [ "$(date +%s)" -le "$deadline" ]; do
        [ "$(psql_db -c "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.2
    done
    return 1
}

# f_wait_midsync [RESOURCE]: the resource's job (default time_entries) is running and has
# committed at least one page but not the last.
f_wait_midsync() {
    f_wait "SELECT count(*) > 0 FROM sync_jobs WHERE resource = '${1:-time_entries}'
              AND state = 'running' AND checkpoint ? 'next' AND checkpoint->>'next' IS NOT NULL" t "${2:-90}" ||
        f_wait "SELECT count(*) > 0 FROM sync_jobs WHERE resource = '${1:-time_entries}' AND state = 'running'
              AND (checkpoint ? 'after' OR checkpoint ? 'next')" t 5
}

# f_all_done: every job completed (none pending, running, dead or cancelled).
f_all_done() { f_wait "SELECT count(*) FILTER (WHERE state <> 'completed') || '/' || (count(*) > 0) FROM sync_jobs" "0/true" "${1:-180}"; }
f_jobs() { psql_db -c "SELECT id, provider || '/' || resource, state, attempts, left(coalesce(last_error, ''), 120) FROM sync_jobs ORDER BY id"; }

# f_rc DESC WANT GOT: exit-status check that names a signal.
f_rc() {
    if [ "$3" -gt 128 ] && [ "$3" -lt 160 ]; then
        t_fail "$1" "killed by signal $(($3 - 128)) ($(kill -l $(($3 - 128)) 2>/dev/null))${4:+
$4}"
    else
        t_eq "$1" "$2" "$3"
    fi
}

# Per client: id|entries|hours|billable_hours|revenue|cost, from the truth and from the raw
# rows (tests/lib/truth.sh) ...
f_truth_clients() {
    # the file is read again by f_truth_totals and the HubSpot checks
    curl -sf "$SIM_URL/__sim/truth" >"$T_TMP/truth.json" || { echo "no truth"; return; }
    truth_clients
}
f_raw_clients() { raw_clients; }
# ... and what a person sees: the report command's JSON.
f_report_clients() {
    "$F_OD" report profitability --by client --format json >"$T_TMP/report.json" 2>"$T_TMP/report.err" ||
        { echo "report failed: $(head -3 "$T_TMP/report.err")"; return; }
    python3 - "$T_TMP/report.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
for r in sorted(rows, key=lambda r: int(r["key"])):
    if r["entries"]:
        print("|".join(str(r[k]) for k in ("key", "entries", "hours", "billable_hours", "revenue", "cost")))
PY
}
f_truth_totals() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print("|".join(str(t[k]) for k in ("entries","hours","revenue","cost")))' "$T_TMP/truth.json"; }
f_report_totals() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print("|".join(str(t[k]) for k in ("entries","hours","revenue","cost")))' "$T_TMP/report.json"; }

# f_compare LABEL: the database equals the truth, three ways, and holds no duplicate.
f_compare() {
    want=$(f_truth_clients)
    if [ -z "$want" ] || [ "$want" = "no truth" ]; then t_fail "$1: the simulator reports its truth"; return; fi
    t_eq "$1: raw time entries equal /__sim/truth per client (entries, hours, revenue, cost)" "$want" "$(f_raw_clients)"
    t_eq "$1: report profitability --by client equals /__sim/truth per client" "$want" "$(f_report_clients)"
    t_eq "$1: report totals equal the truth's totals" "$(f_truth_totals)" "$(f_report_totals 2>&1)"
    t_eq "$1: no duplicate time entry" "0" \
        "$(psql_db -c 'SELECT count(*) - count(DISTINCT id) FROM harvest_time_entries')"
    t_check "$1: rollup rebuild --check finds no difference" "$F_OD" rollup rebuild --check
}

# f_no_sanitizer LABEL: no ASan/UBSan/LSan report was written by any process so far.
f_no_sanitizer() {
    reports=$(ls "$F_SAN" 2>/dev/null)
    if [ -z "$reports" ]; then t_ok "$1: no sanitizer or leak report ($(f_leakcheck_label))"
    else t_fail "$1: no sanitizer or leak report" "$(for f in "$F_SAN"/*; do head -30 "$f"; done)"
        mkdir -p "$T_TMP/san.seen"; mv "$F_SAN"/* "$T_TMP/san.seen/"; fi
}

# f_no_crash_log LABEL FILE...: the logs show no crash message.
f_no_crash_log() {
    label=$1; shift
    if grep -lE 'Segmentation fault|core dumped|runtime error:|AddressSanitizer|LeakSanitizer|Aborted|BUG:' "$@" 2>/dev/null; then
        t_fail "$label: no crash in the logs" "$(grep -hE 'Segmentation|runtime error|Sanitizer|Aborted|BUG:' "$@" | head -5)"
    else t_ok "$label: no crash in the logs"; fi
}

# f_setup LABEL [SIM ARGS]: fresh database + simulator for one case.
f_setup() {
    label=$1; shift
    sim_stop
    db_new || { t_fail "$label: fresh database"; return 1; }
    sim_start --scale "$F_SCALE" --seed "${F_SEED:-5}" --rate-limits off "$@" ||
        { t_fail "$label: simulator starts"; return 1; }
    : >"$T_TMP/sim.log"
}

# f_sync LABEL LOG [sync args]: `opsdeck sync ARGS --wait` with the checked binary; status checked.
f_sync() {
    label=$1; log=$2; shift 2
    "$F_OD" sync "$@" --wait >"$log" 2>&1
    rc=$?
    f_rc "$label: sync $* --wait exits 0" 0 "$rc" "$(tail -5 "$log"; f_jobs)"
}

# f_worker_until_done LABEL LOG: run a worker until every job completed, then SIGTERM it.
f_worker_until_done() {
    "$F_OD" worker --threads 2 >"$2" 2>&1 &
    wpid=$!
    if f_all_done 240; then t_ok "$1: every job completed"
    else t_fail "$1: every job completed" "$(f_jobs; grep -v '"http"' "$2" | tail -5)"; fi
    kill -TERM "$wpid" 2>/dev/null
    wait "$wpid"
    f_rc "$1: the worker stops cleanly on SIGTERM (exit 0)" 0 $? "$(tail -5 "$2")"
}

# ----------------------------------------------------------------------------------------------
# kill -9 mid-sync, then another process finishes: MODE worker | sync
fcase_kill9() {
    mode=${1:-worker}; L="kill -9 $mode"
    f_setup "$L" --latency-ms "$F_LATENCY" || return
    if [ "$mode" = worker ]; then
        "$F_OD" sync harvest >"$T_TMP/k.q" 2>&1 || t_fail "$L: sync harvest queues jobs" "$(cat "$T_TMP/k.q")"
        "$OD_BIN" worker --threads 2 >"$T_TMP/k1.log" 2>&1 &
    else
        "$OD_BIN" sync harvest --wait >"$T_TMP/k1.log" 2>&1 &
    fi
    victim=$!
    if f_wait_midsync; then t_ok "$L: the time entries job is mid-sync (pages committed, more to come)"
    else t_fail "$L: the time entries job is mid-sync" "$(f_jobs)"; fi
    done_before=$(psql_db -c "SELECT count(*) FROM harvest_time_entries")
    kill -9 "$victim"; wait "$victim" 2>/dev/null
    t_eq "$L: after kill -9 its job is left running (stale heartbeat)" running \
        "$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'time_entries'")"
    f_worker_until_done "$L: a new worker rescues and finishes" "$T_TMP/k2.log"
    t_check "$L: the rescue is recorded in the job's errors" sh -c \
        "psql '$OPSDECK_DATABASE_URL' -qAtc \"SELECT errors::text FROM sync_jobs WHERE resource = 'time_entries'\" | grep -q rescued"
    firsts=$(grep 'GET /v2/time_entries' "$T_TMP/sim.log" | grep -v 'from=' | grep -cv '[?&]page=')
    t_eq "$L: the job resumed from its checkpoint: page 1 of time entries was fetched once ($done_before rows kept)" 1 "$firsts"
    f_compare "$L"
    f_no_crash_log "$L" "$T_TMP/k2.log"
    f_no_sanitizer "$L"
}

# 5xx bursts (an outage of a few seconds, then a steady 20 %), cut and garbled bodies, a 429
# storm: through all of it the sync completes and the numbers are right.
fcase_weather() {
    L="5xx+truncated+malformed+429"
    f_setup "$L" --latency-ms $((F_LATENCY / 2)) || return
    "$F_OD" sync all --wait >"$T_TMP/w.log" 2>&1 &
    spid=$!
    f_wait_midsync || t_fail "$L: mid-sync" "$(f_jobs)"
    faults '{"error_rate":1.0}'            # a burst: every request fails for a while
    sleep 2
    faults '{"reset":true,"error_rate":0.1,"truncate_rate":0.05,"malformed_json_rate":0.05,"rate_limit_storm":'"${F_STORM:-30}"',"latency_ms":5}'
    wait "$spid"; rc=$?
    f_rc "$L: sync all --wait completes through the weather" 0 "$rc" "$(tail -5 "$T_TMP/w.log"; f_jobs)"
    st=$(curl -sf "$SIM_URL/__sim/stats")
    n429=$(printf '%s' "$st" | jq '.harvest["429"] + .hubspot["429"]')
    t_check "$L: the 429 storm was met (429s answered: $n429)" test "${n429:-0}" -ge 1
    n5xx=$(grep -c ' 50[0-9] [0-9]*ms$' "$T_TMP/sim.log")
    # the breaker opens after a few failures and then nothing is sent until it half-opens, so
    # how many 5xx the 2 s burst gets depends on timing; at least one shows it was met
    t_check "$L: the 5xx burst was met (5xx answered: $n5xx)" test "$n5xx" -ge 1
    faults '{"reset":true}'
    f_compare "$L"
    tj=$(cat "$T_TMP/truth.json")
    t_eq "$L: HubSpot deals: live count and won amount equal the truth" \
        "$(printf '%s' "$tj" | jq -r '"\(.deals.count)|\(.deals.won_amount)"')" \
        "$(psql_db -c "SELECT count(*) || '|' || (SELECT coalesce(sum(amount), 0) FROM hubspot_won_deals) FROM hubspot_deals WHERE NOT archived AND deleted_at IS NULL")"
    f_no_crash_log "$L" "$T_TMP/w.log"
    f_no_sanitizer "$L"
}

# Requests that hang (no answer) past sync.http_timeout_s.
fcase_timeouts() {
    L="timeouts"
    f_setup "$L" --hang-ms 4000 || return
    faults '{"timeout_rate":0.15,"provider":"harvest"}'
    old=$OPSDECK_SYNC_HTTP_TIMEOUT_S lvl=$OPSDECK_LOG_LEVEL
    export OPSDECK_SYNC_HTTP_TIMEOUT_S=1 OPSDECK_LOG_LEVEL=info
    f_sync "$L" "$T_TMP/t.log" harvest
    export OPSDECK_SYNC_HTTP_TIMEOUT_S=$old OPSDECK_LOG_LEVEL=$lvl
    # the sim does not log a held request the client gave up on; opsdeck's request log does
    hung=$(grep '"msg":"http"' "$T_TMP/t.log" | grep -c '"status":"error","latency_ms":"1[0-9][0-9][0-9]"')
    t_check "$L: requests were held with no answer and given up after http_timeout_s ($hung)" test "$hung" -gt 0
    faults '{"reset":true}'
    f_compare "$L"
    f_no_sanitizer "$L"
}

# A page changes between page 1 and page 2 (an entry edited while we page).
fcase_change_between_pages() {
    L="change between pages"
    f_setup "$L" --change-between-pages 3 || return
    f_sync "$L" "$T_TMP/c.log" harvest
    # the edit landed after page 1 was read: an incremental sync picks it up
    f_sync "$L (incremental)" "$T_TMP/c2.log" harvest
    f_compare "$L"
    f_no_sanitizer "$L"
}

# Records deleted upstream after a full sync; the reconcile job soft-deletes them.
fcase_deleted_upstream() {
    L="deleted upstream + reconcile"
    f_setup "$L" || return
    f_sync "$L" "$T_TMP/d.log" harvest
    ids=$(psql_db -c "SELECT string_agg(id::text, ',') FROM (SELECT id FROM harvest_time_entries ORDER BY id LIMIT 5 OFFSET 10) s")
    faults "{\"delete\":[$ids]}"
    hit=$(psql_db -c "SELECT count(*) FROM harvest_time_entries WHERE id IN ($ids)")
    t_eq "$L: the 5 entries are stored before the delete" 5 "$hit"
    # no CLI enqueues a reconcile (the leader does nightly); queue one as the leader would
    psql_db -c "INSERT INTO sync_jobs (provider, resource, max_attempts) VALUES ('harvest', 'reconcile', 3)" >/dev/null
    for try in 1 2 3; do # worker --once can exit before seeing a job inserted just before it
        "$F_OD" worker --once >>"$T_TMP/r.log" 2>&1
        rc=$?
        [ "$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'reconcile'")" = completed ] && break
        sleep 1
    done
    f_rc "$L: worker --once exits 0" 0 "$rc" "$(tail -5 "$T_TMP/r.log")"
    t_eq "$L: reconcile completed" completed "$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'reconcile'")"
    t_eq "$L: the deleted entries are soft-deleted (kept, deleted_at set)" "5|5" \
        "$(psql_db -c "SELECT count(*) || '|' || count(deleted_at) FROM harvest_time_entries WHERE id IN ($ids)")"
    t_eq "$L: nothing else was soft-deleted" 5 "$(psql_db -c 'SELECT count(deleted_at) FROM harvest_time_entries')"
    f_compare "$L (soft-deleted excluded)"
    f_no_sanitizer "$L"
}

# HubSpot OAuth: the access token expires in the middle of a deals sync; opsdeck refreshes it
# (once after the 401) and goes on. Needs the encrypted store (keygen + connect hubspot).
fcase_token_expiry() {
    L="OAuth token expiry"
    F_SCALE_SAVE=$F_SCALE; F_SCALE=60000 # deals = scale/100, companies ~ scale/200: many pages
    f_setup "$L" --latency-ms 30 || { F_SCALE=$F_SCALE_SAVE; return; }
    F_SCALE=$F_SCALE_SAVE
    export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
    rm -f "$OPSDECK_SECRETS_KEY_FILE"
    "$OD_BIN" keygen >/dev/null 2>&1 || t_fail "$L: keygen"
    export OPSDECK_HUBSPOT_REDIRECT_URI="http://localhost:53682/hubspot/callback"
    fifo="$T_TMP/paste.fifo"; rm -f "$fifo"; mkfifo "$fifo"
    env -u OPSDECK_HUBSPOT_TOKEN "$OD_BIN" connect hubspot <"$fifo" >"$T_TMP/oauth.out" 2>"$T_TMP/oauth.err" &
    cpid=$!
    exec 3>"$fifo"
    auth_url=$(oauth_auth_url "$T_TMP/oauth.err")
    printf '%s\n' "$(curl -s -o /dev/null -w '%{redirect_url}' "$auth_url")" >&3
    exec 3>&-
    wait $cpid
    f_rc "$L: connect hubspot (OAuth paste flow against the sim)" 0 $? "$(cat "$T_TMP/oauth.err")"
    (
        unset OPSDECK_HUBSPOT_TOKEN
        "$F_OD" sync hubspot --wait >"$T_TMP/o.log" 2>&1
        echo $? >"$T_TMP/o.rc"
    ) &
    spid=$!
    i=0 # mid-sync: a few CRM pages served, the sync still running
    while [ "$(grep -c ' /crm/.* 200 ' "$T_TMP/sim.log")" -lt 4 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    if [ ! -s "$T_TMP/o.rc" ]; then t_ok "$L: the HubSpot sync is mid-way ($(grep -c ' /crm/' "$T_TMP/sim.log") requests)"
    else t_fail "$L: the HubSpot sync is mid-way" "$(f_jobs)"; fi
    faults '{"expire_tokens_now":true}'
    wait $spid
    f_rc "$L: sync hubspot --wait completes after the token expired" 0 "$(cat "$T_TMP/o.rc")" "$(tail -5 "$T_TMP/o.log"; f_jobs)"
    n401=$(grep -c ' /crm/.* 401 ' "$T_TMP/sim.log")
    refreshes=$(grep -c 'POST /oauth/v1/token' "$T_TMP/sim.log")
    t_check "$L: the expired token was refused ($n401 × 401) and refreshed ($refreshes token calls)" \
        test "$n401" -ge 1 -a "$refreshes" -ge 2
    t_eq "$L: the stored HubSpot credential is OAuth (access + refresh token, no private app)" "access_token refresh_token" \
        "$(psql_db -c "SELECT string_agg(name, ' ' ORDER BY name) FROM credentials WHERE provider = 'hubspot'")"
    curl -sf "$SIM_URL/__sim/truth" >"$T_TMP/truth.json"
    t_eq "$L: live deals and won amount equal the truth" \
        "$(jq -r '"\(.deals.count)|\(.deals.won_count)|\(.deals.won_amount)"' "$T_TMP/truth.json")" \
        "$(psql_db -c "SELECT count(*) || '|' || (SELECT count(*) || '|' || coalesce(sum(amount), 0) FROM hubspot_won_deals) FROM hubspot_deals WHERE NOT archived AND deleted_at IS NULL")"
    unset OPSDECK_SECRETS_KEY_FILE OPSDECK_HUBSPOT_REDIRECT_URI
    f_no_sanitizer "$L"
}

# The log file's disk is full: the sync finishes and nothing crashes.
fcase_disk_full() {
    L="log disk full"
    f_setup "$L" || return
    dir="$T_TMP/tiny"; mkdir -p "$dir"
    if mount -t tmpfs -o size=64k tmpfs "$dir" 2>/dev/null; then
        F_MOUNTED="$F_MOUNTED $dir"
        logf="$dir/opsdeck.log"; how="64 KiB tmpfs"
        dd if=/dev/zero of="$dir/filler" bs=1k count=56 2>/dev/null # 8 KiB left: fills mid-sync
    else
        logf=/dev/full; how="/dev/full (mount refused)"
    fi
    lvl=$OPSDECK_LOG_LEVEL
    export OPSDECK_LOG_FILE=$logf OPSDECK_LOG_LEVEL=debug OPSDECK_LOG_MAX_KB=16 OPSDECK_LOG_KEEP=5
    f_sync "$L ($how)" "$T_TMP/df.log" harvest
    unset OPSDECK_LOG_FILE OPSDECK_LOG_MAX_KB OPSDECK_LOG_KEEP; export OPSDECK_LOG_LEVEL=$lvl
    df -k "$dir" | tail -1 | awk '{exit !($4 <= 4)}' && t_ok "$L: the disk did fill up ($how)" ||
        { [ "$logf" = /dev/full ] && t_ok "$L: every log write failed ($how)" || t_fail "$L: the disk did fill up" "$(df -k "$dir")"; }
    f_compare "$L"
    f_no_sanitizer "$L"
    if [ "$logf" != /dev/full ]; then umount "$dir" && F_MOUNTED=$(echo "$F_MOUNTED" | sed "s|$dir||"); fi
}
F_MOUNTED=""
f_unmount_all() { for d in $F_MOUNTED; do umount "$d" 2>/dev/null; done; F_MOUNTED=""; }
