#!/bin/sh
# Pace at the limit (issue #15): a full sync of 1M Harvest time entries (500 pages of 2000) from
# opsdeck-sim with its REAL limits on (Harvest: 100 requests in any 15 s, enforced as a sliding
# window, 429 + Retry-After beyond it) and opsdeck's client limiter at the same 100/15000,
# against the least time that limit allows for those 500 requests, with the simulator's count
# of 429 answers. Goal: <= 1.05x the limit's time, 0 answers of 429.
#
# The limit's time: requests 1..100 may all go at t = 0; request 101 not before request 1 is
# 15 s old, request 201 not before request 101 is, ... so request k goes at the earliest at
# floor((k - 1) / 100) * 15 s, and the 500th at 4 * 15 = 60 s. (A steady 100 per 15 s would
# say 75 s; the first burst of 100 is what makes it 60.) Whatever the client does, its sync
# cannot end before 60 s plus the time it needs to store the pages of the last burst, so the
# table also shows when request 401 went (the limiter's own cost) and the last burst's tail.
# Clients, projects, users and tasks are synced first (as in any first sync; they make a few
# requests of the same budget), then the bench waits for the window to empty, then times the
# time_entries job (started_at -> finished_at in sync_jobs). --quick: 60,000 entries at 10
# requests per 3 s (30 pages; the limit's time is 6 s).
set -u
. tests/lib/common.sh
N=1000000 L=100 S=15 RUNS=${PACE_RUNS:-1}
[ "${1:-}" = "--quick" ] && N=60000 L=10 S=3 RUNS=1
PAGES=$(((N + 1999) / 2000))
export OPSDECK_LOG_LEVEL=warn OPSDECK_SYNC_WORKERS=1 OPSDECK_HARVEST_PER_PAGE=2000
export OPSDECK_RATELIMIT_HARVEST="$L/$((S * 1000))"
sim_start --scale "$N" --seed 3 --harvest-limit "$L/$S" >&2 || exit 1
W=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-pace.XXXXXX")
trap 't_cleanup; rm -rf "$W"' EXIT
jget() { printf "SELECT (:'j')::json #>> '{%s}'\n" "$2" | psql_db -v j="$1"; }
stat() { jget "$(curl -sf "$SIM_URL/__sim/stats")" "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# seconds between two sim log times (HH:MM:SS.mmm)
secs() { printf "SELECT round(extract(epoch FROM '%s'::time - '%s'::time)::numeric, 2)\n" "$2" "$1" | psql_db; }

LIMIT_S=$((((PAGES - 1) / L) * S))
job_s="" r401_s="" tail_s="" n429="" stages=""
for run in $(seq "$RUNS"); do
    # A fresh database is a fresh limiter: let the simulator's window empty first, or the last
    # run's final burst and this run's first requests would meet in one window.
    [ "$run" -gt 1 ] && sleep $((S + 1))
    db_new "bench_pace_$run" >&2 || exit 1
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) SELECT 'harvest', r, '{\"full\":true}' FROM unnest(ARRAY['clients', 'projects', 'users', 'tasks']) AS r" >/dev/null
    "$OD_BIN" worker --once --threads 1 >"$W/refs.log" 2>&1 || { cat "$W/refs.log" >&2; exit 1; }
    sleep $((S + 1)) # the window (the simulator's and ours) empties: the job starts fresh
    before429=$(stat harvest,429)
    lines0=$(wc -l <"$T_TMP/sim.log")
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) VALUES ('harvest', 'time_entries', '{\"full\":true}')" >/dev/null
    OPSDECK_LOG_LEVEL=info "$OD_BIN" worker --once --threads 1 >"$W/worker.log" 2>&1 || { cat "$W/worker.log" >&2; exit 1; }
    rows=$(psql_db -c "SELECT count(*) FROM harvest_time_entries")
    [ "$rows" -eq "$N" ] || { echo "stored $rows of $N entries" >&2; exit 1; }
    job_s="$job_s $(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 2) FROM sync_jobs WHERE resource = 'time_entries'")"
    n429="$n429 $(($(stat harvest,429) - before429))"
    tail -n +"$((lines0 + 1))" "$T_TMP/sim.log" | grep ' /v2/time_entries' | cut -c12-23 >"$W/times"
    first=$(sed -n 1p "$W/times") k=$(((PAGES - 1) / L * L + 1))
    kth=$(sed -n "${k}p" "$W/times") last=$(tail -n 1 "$W/times")
    r401_s="$r401_s $(secs "$first" "$kth")"
    tail_s="$tail_s $(secs "$kth" "$last")"
    stages=$(grep -o '"msg":"harvest time_entries: [0-9][^"]*"' "$W/worker.log" | tail -1 | sed 's/^"msg":"//; s/"$//')
done
MAXW=$(stat harvest,max_in_window)
TOTAL429=$(stat harvest,429)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# Anchor, same machine and load: the same job with every limit off (the simulator's and ours):
# what the client alone needs. The last burst's share of it is what any client adds to the
# limit's time (the pages it may only fetch after 60 s still have to be stored).
sim_stop
sim_start --scale "$N" --seed 3 --rate-limits off >&2 || exit 1
db_new bench_pace_anchor >&2 || exit 1
psql_db -c "INSERT INTO sync_jobs (provider, resource, args) SELECT 'harvest', r, '{\"full\":true}' FROM unnest(ARRAY['clients', 'projects', 'users', 'tasks']) AS r" >/dev/null
OPSDECK_RATELIMIT_HARVEST=100000/1000 "$OD_BIN" worker --once --threads 1 >"$W/refs.log" 2>&1 || { cat "$W/refs.log" >&2; exit 1; }
psql_db -c "INSERT INTO sync_jobs (provider, resource, args) VALUES ('harvest', 'time_entries', '{\"full\":true}')" >/dev/null
OPSDECK_RATELIMIT_HARVEST=100000/1000 "$OD_BIN" worker --once --threads 1 >"$W/anchor.log" 2>&1 || { cat "$W/anchor.log" >&2; exit 1; }
A=$(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 2) FROM sync_jobs WHERE resource = 'time_entries'")
LAST=$((PAGES - ((PAGES - 1) / L * L)))
BOUND=$(awk -v a="$A" -v l="$LIMIT_S" -v p="$PAGES" -v k="$LAST" 'BEGIN { b = l + a * k / p; if (a > b) b = a; printf "%.2f", b }')
J=$(echo $job_s | tr ' ' '\n' | median)
R=$(echo $r401_s | tr ' ' '\n' | median)
T=$(echo $tail_s | tr ' ' '\n' | median)

k=$(((PAGES - 1) / L * L + 1))
echo "## Pace at the limit: $N Harvest entries under $L requests / $S s"
echo
echo "Command: \`sh bench/60_pace.sh${1:+ $1}\` — opsdeck-sim with its real limits on (\`--harvest-limit $L/$S\`, a sliding window: 429 + Retry-After beyond it), opsdeck's client limiter at $OPSDECK_RATELIMIT_HARVEST (requests/ms), per_page 2000 ($PAGES requests), one \`opsdeck worker --once --threads 1\` after the reference resources and an empty window; median of $RUNS run(s)."
echo
echo "The limit's time: $L requests may go at once, and request k not before request k-$L is $S s old, so request k goes at the earliest at floor((k-1)/$L) x $S s and the ${PAGES}th at **$LIMIT_S s** (a steady $L per $S s would say $((PAGES * S / L)) s; the first burst makes it $LIMIT_S)."
echo
echo "| figure | value |"
echo "|---|---:|"
echo "| time_entries job, started_at -> finished_at | $J s |"
echo "| the limit's time for $PAGES requests | $LIMIT_S s |"
echo "| **ratio job / limit** | **$(awk -v j="$J" -v l="$LIMIT_S" 'BEGIN { printf "%.3f", j / l }')x** (goal <= 1.05) |"
echo "| request $k (first of the last burst) after request 1, from the simulator's log (limit: $LIMIT_S s) | $R s |"
echo "| request $k to the last request (the client storing the last burst) | $T s |"
echo "| anchor: the same job with every limit off (the client alone, same machine and load) | $A s |"
echo "| least this client could take under the limit: max(limit + the last $LAST pages' share of the anchor, anchor) | $BOUND s |"
echo "| ratio job / that bound | $(awk -v j="$J" -v b="$BOUND" 'BEGIN { printf "%.3f", j / b }')x |"
echo "| responses 429 during the jobs / during the whole bench | $(echo $n429 | awk '{ for (i = 1; i <= NF; i++) s += $i; print s + 0 }') / $TOTAL429 |"
echo "| most Harvest requests the simulator saw inside one $S s window | $MAXW (limit $L) |"
echo
echo "Runs: job$job_s s; request $k at$r401_s s. Load average (1/5/15 min) at the end of the limited runs: $LOAD on $(nproc) cores. Worker stages of the last run: $stages."
echo
