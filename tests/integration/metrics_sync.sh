#!/bin/sh
# metrics_sync.sh — a worker's /metrics after syncs against the simulator: every sync family is
# there with sane values. The HTTP histogram's counts per provider equal the requests the
# simulator served (its /__sim/stats), 2xx exactly when nothing failed; 429s of a storm and
# retries of 5xx are counted; job durations, sync lag per resource and open dead letters too;
# histograms are cumulative and end with +Inf = _count.
. tests/lib/common.sh
export OPSDECK_HTTP_BACKOFF_MS=50

db_new || { t_fail "database"; t_done; }
sim_start --scale 800 --bad-records 2 --rate-limits off || { t_fail "simulator"; t_done; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$OD_BIN" worker --threads 2 --metrics-listen "127.0.0.1:$port" >"$T_TMP/worker.log" 2>&1 &
WPID=$!
i=0
until curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 100 ] && { t_fail "worker serves /metrics" "$(tail -5 "$T_TMP/worker.log")"; kill "$WPID"; t_done; }
    sleep 0.1
done

# wait_jobs: until no job is available, running or retryable (at most 180 s)
wait_jobs() {
    i=0
    while [ "$("$OD_BIN" jobs --json | python3 -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin)["jobs"] if j["state"] in ("available", "running", "retryable")))')" != 0 ]; do
        i=$((i + 1)); [ $i -gt 900 ] && { t_fail "jobs finish" "$("$OD_BIN" jobs)"; return 1; }
        sleep 0.2
    done
}
scrape() { curl -sS "http://127.0.0.1:$port/metrics"; }
# val METRICS NAME{LABELS}: the sample's value ("" when absent)
val() { printf '%s\n' "$1" | awk -v k="$2" 'index($0, k " ") == 1 { print $2 }'; }
count() { val "$1" "opsdeck_http_request_duration_seconds_count{provider=\"$2\",class=\"$3\"}"; }
simstat() { curl -sS "$SIM_URL/__sim/stats" | python3 -c "import json,sys; d=json.load(sys.stdin); print(int(d['$1']['$2']))"; }

"$OD_BIN" sync all >/dev/null || t_fail "queue the syncs"
wait_jobs
m=$(scrape)
for f in opsdeck_http_request_duration_seconds opsdeck_http_rate_limited_total opsdeck_http_retries_total \
         opsdeck_job_duration_seconds opsdeck_sync_lag_seconds opsdeck_dead_letters_open opsdeck_dead_letters_open_by_resource; do
    printf '%s\n' "$m" | grep -q "^# TYPE $f " && printf '%s\n' "$m" | grep -q "^$f" && t_ok "family $f" ||
        t_fail "family $f" "$(printf '%s\n' "$m" | grep "$f" | head -5)"
done
t_eq "harvest: 2xx count = requests the simulator served" "$(simstat harvest requests)" "$(count "$m" harvest 2xx)"
t_eq "hubspot: 2xx count = requests the simulator served" "$(simstat hubspot requests)" "$(count "$m" hubspot 2xx)"
t_eq "no errors, no 429s, no retries on a clean run" "0 0 0 0" \
    "$(count "$m" harvest 5xx) $(count "$m" harvest error) $(val "$m" 'opsdeck_http_rate_limited_total{provider="harvest"}') $(val "$m" 'opsdeck_http_retries_total{provider="hubspot"}')"
t_eq "histogram: cumulative buckets, +Inf = _count" "ok" "$(printf '%s\n' "$m" | python3 -c '
import sys, re, collections
b = collections.defaultdict(list); cnt = {}
for line in sys.stdin:
    m = re.match(r"(opsdeck_\w+)_bucket\{(.*),le=\"([^\"]+)\"\} (\d+)", line)
    if m: b[(m[1], m[2])].append((m[3], int(m[4])))
    m = re.match(r"(opsdeck_\w+)_count\{(.*)\} (\d+)", line)
    if m: cnt[(m[1], m[2])] = int(m[3])
bad = [k for k, v in b.items() if [x[1] for x in v] != sorted(x[1] for x in v) or v[-1][0] != "+Inf" or v[-1][1] != cnt.get(k)]
print("ok" if b and not bad else bad[:3])')"
lat_sum=$(val "$m" 'opsdeck_http_request_duration_seconds_sum{provider="harvest",class="2xx"}')
t_eq "latency sum is positive and below 60 s a request" "yes" \
    "$(python3 -c "n=$(count "$m" harvest 2xx); s=$lat_sum; print('yes' if 0 < s < 60 * n else 'no (%s s for %s)' % (s, n))")"
done_te=$(val "$m" 'opsdeck_job_duration_seconds_count{provider="harvest",resource="time_entries",outcome="completed"}')
# The worker's scheduler may queue its own periodic sync beside `sync all` (another unique key),
# so the histogram counts what the queue says completed: at least one, and no more.
te_done=$("$OD_BIN" jobs --json --state completed --limit 10000 | python3 -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin)["jobs"] if j["provider"] == "harvest" and j["resource"] == "time_entries"))')
t_eq "job duration: one sample per completed time_entries job (>= 1)" "$te_done yes" "$done_te $([ "${te_done:-0}" -ge 1 ] && echo yes || echo no)"
lag=$(val "$m" 'opsdeck_sync_lag_seconds{provider="harvest",resource="time_entries"}')
t_eq "sync lag of harvest/time_entries is fresh (< 600 s)" "yes" "$([ -n "$lag" ] && [ "$lag" -lt 600 ] && echo yes || echo "no: '$lag'")"
t_eq "dead letters: the 2 bad records, by resource" "2 2" \
    "$(val "$m" opsdeck_dead_letters_open) $(val "$m" 'opsdeck_dead_letters_open_by_resource{provider="harvest",resource="time_entries"}')"

# a 429 storm on Harvest and 5xx on HubSpot: counted as the simulator answered them
curl -sS -H 'Content-Type: application/json' -d '{"rate_limit_storm":3,"provider":"harvest"}' "$SIM_URL/__sim/faults" >/dev/null
"$OD_BIN" sync harvest --full >/dev/null
wait_jobs
curl -sS -H 'Content-Type: application/json' -d '{"reset":true}' "$SIM_URL/__sim/faults" >/dev/null
curl -sS -H 'Content-Type: application/json' -d '{"error_rate":0.2,"provider":"hubspot"}' "$SIM_URL/__sim/faults" >/dev/null
"$OD_BIN" sync hubspot --full >/dev/null
wait_jobs
curl -sS -H 'Content-Type: application/json' -d '{"reset":true}' "$SIM_URL/__sim/faults" >/dev/null
m=$(scrape)
t_eq "429s counted: as many as the simulator sent" "$(simstat harvest 429)" "$(val "$m" 'opsdeck_http_rate_limited_total{provider="harvest"}')"
t_eq "the storm's 429s are in the 4xx class" "3" "$(count "$m" harvest 4xx)"
total() { echo $(( $(count "$m" "$1" 2xx) + $(count "$m" "$1" 3xx) + $(count "$m" "$1" 4xx) + $(count "$m" "$1" 5xx) + $(count "$m" "$1" error) )); }
t_eq "harvest: every request counted once" "$(simstat harvest requests)" "$(total harvest)"
t_eq "hubspot: every request counted once" "$(simstat hubspot requests)" "$(total hubspot)"
h5=$(count "$m" hubspot 5xx); hr=$(val "$m" 'opsdeck_http_retries_total{provider="hubspot"}')
# A 5xx is retried unless it was the request's last attempt or the breaker opened on it (the
# job then retries with its backoff), so retries lie between 1 and the number of 5xx answers.
t_eq "hubspot 5xx answers were retried (5xx > 0, 1 <= retries <= 5xx)" "yes" \
    "$([ "$h5" -gt 0 ] && [ "$hr" -ge 1 ] && [ "$hr" -le "$h5" ] && echo yes || echo "no: 5xx=$h5 retries=$hr")"

kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
t_done
