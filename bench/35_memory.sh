#!/bin/sh
# Resident memory of the sync (issue #4): a real `opsdeck worker --once --threads 1` works one
# full Harvest time_entries job against opsdeck-sim (rate limits off) with 10k, 100k and 1M
# entries; VmRSS and VmHWM (peak) come from /proc/PID/status, sampled every 50 ms, the last
# sample before the process exits. Anchor: the 10k figure of the same run. Goals: peak under
# 64 MB at 1M, growth 10k -> 1M under 5 MB. Median of RUNS runs per size (1M: one run).
# --quick: 10k and 100k, one run each.
set -u
. tests/lib/common.sh
SIZES="10000 100000 1000000" RUNS=3 ARG=${1:-}
[ "$ARG" = "--quick" ] && SIZES="10000 100000" RUNS=1
export OPSDECK_LOG_LEVEL=warn OPSDECK_SYNC_WORKERS=1 OPSDECK_HARVEST_PER_PAGE=2000
# opsdeck's own limiter off as well (see bench/40_ingest.sh): the fetch thread then runs ahead
# of the store thread and the prefetch queue is full, the worst case for memory.
export OPSDECK_RATELIMIT_HARVEST=${OPSDECK_RATELIMIT_HARVEST:-100000/1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-mem.XXXXXX")
trap 't_cleanup; rm -rf "$W"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# measure: one `worker --once` over the full sync of the simulator's entries; /proc/PID/status
# is sampled every 50 ms and the last sample before exit is kept. Prints "rss_kb hwm_kb ms".
# Clients, projects and users are synced first by another worker (as in any first sync), so the
# entries' references are known and the measured worker runs the time-entry job alone.
measure() {
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) SELECT 'harvest', r, '{\"full\":true}' FROM unnest(ARRAY['clients', 'projects', 'users']) AS r" >/dev/null
    "$OD_BIN" worker --once --threads 1 >"$W/refs.log" 2>&1 || { cat "$W/refs.log" >&2; return 1; }
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) VALUES ('harvest', 'time_entries', '{\"full\":true}')" >/dev/null
    "$OD_BIN" worker --once --threads 1 >"$W/worker.log" 2>&1 &
    pid=$!
    rss=0 hwm=0
    while s=$(cat "/proc/$pid/status" 2>/dev/null) && ! printf '%s\n' "$s" | grep -q '^State:.*zombie'; do
        r=$(printf '%s\n' "$s" | awk '$1 == "VmRSS:" {print $2}')
        h=$(printf '%s\n' "$s" | awk '$1 == "VmHWM:" {print $2}')
        [ -n "$r" ] && rss=$r && hwm=$h
        sleep 0.05
    done
    wait "$pid" || { cat "$W/worker.log" >&2; return 1; }
    st=$(psql_db -c "SELECT state FROM sync_jobs WHERE resource = 'time_entries'")
    [ "$st" = completed ] || { echo "job $st" >&2; cat "$W/worker.log" >&2; return 1; }
    ms=$(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at) * 1000) FROM sync_jobs WHERE resource = 'time_entries'")
    echo "$rss $hwm $ms"
}

rows=""
for n in $SIZES; do
    runs=$RUNS
    [ "$n" -ge 1000000 ] && runs=1
    sim_start --rate-limits off --scale "$n" --seed 3 >&2 || exit 1
    r_all="" h_all="" m_all=""
    for run in $(seq "$runs"); do
        db_new "bench_mem_${n}_$run" >&2 || exit 1
        set -- $(measure) || exit 1
        [ $# -eq 3 ] || exit 1
        r_all="$r_all $1" h_all="$h_all $2" m_all="$m_all $3"
        psql "$(pg_url postgres)" -qAtc "DROP DATABASE \"bench_mem_${n}_$run\" WITH (FORCE)" >/dev/null 2>&1
    done
    sim_stop
    R=$(echo $r_all | tr ' ' '\n' | median) H=$(echo $h_all | tr ' ' '\n' | median)
    M=$(echo $m_all | tr ' ' '\n' | median)
    rows="$rows$n $R $H $M $runs
"
done
anchor_h=$(echo "$rows" | awk 'NR == 1 {print $3}')
echo "## Sync memory: worker RSS after a full Harvest sync"
echo
echo "Command: \`sh bench/35_memory.sh${ARG:+ $ARG}\` — \`opsdeck worker --once --threads 1\`, one full time_entries job, per_page 2000, simulator rate limits off; VmRSS / VmHWM from /proc/PID/status (the last 50 ms sample before exit). Median of $RUNS runs (1M: 1 run). Anchor: 10k entries."
echo
echo "| entries | VmRSS MB | VmHWM (peak) MB | peak vs 10k | sync ms | runs |"
echo "|---:|---:|---:|---:|---:|---:|"
echo "$rows" | while read -r n r h m k; do
    [ -n "$n" ] || continue
    echo "| $n | $(mb "$r") | $(mb "$h") | $(awk -v h="$h" -v a="$anchor_h" 'BEGIN { printf "%+.1f MB", (h - a) / 1024 }') | $m | $k |"
done
last_h=$(echo "$rows" | awk 'NF {h = $3} END {print h}')
echo
echo "Growth of the peak, 10k -> $(echo "$rows" | awk 'NF {n = $1} END {print n}'): $(awk -v h="$last_h" -v a="$anchor_h" 'BEGIN { printf "%.1f MB", (h - a) / 1024 }') (goal: under 5 MB; peak under 64 MB)."
echo
