#!/bin/sh
# Ingest rate of the Harvest time-entry connector (issue #4) against a plain COPY of the very
# same rows into the very same table: after clients, projects and users are synced (as in any
# first sync), the real `opsdeck worker` runs a full time_entries job
# against opsdeck-sim with its rate limits off (HTTP, JSON parsing, validation, staging COPY,
# upsert, partition moves and the four rollups, page by page with checkpoints), then the rows
# it stored are exported and COPYed back into the emptied table. Goal: ratio >= 0.5.
# "Limits off" means both sides: the simulator's (--rate-limits off) and opsdeck's own client
# limiter (OPSDECK_RATELIMIT_HARVEST, default Harvest's 100 requests / 15 s), which would
# otherwise pace 100 pages of 2000 to ~15 s and measure nothing but the limiter.
# Median of RUNS runs of each. --quick: small sizes.
# Day rollups (sql/0014) are kept only for dense months; the simulator's months are small (about
# 11,000 entries over some 4,000 projects), so none is listed at the default policy. With
# INGEST_DAILY=all the policy lists every month as the sync writes it: the cost of keeping day
# rows where they do not pay off (about one day row per entry and table), for comparison.
set -u
. tests/lib/common.sh
N=200000 RUNS=3
[ "${1:-}" = "--quick" ] && N=20000 RUNS=1
export OPSDECK_LOG_LEVEL=warn OPSDECK_SYNC_WORKERS=1 OPSDECK_HARVEST_PER_PAGE=2000
export OPSDECK_RATELIMIT_HARVEST=${OPSDECK_RATELIMIT_HARVEST:-100000/1000}
sim_start --rate-limits off --scale "$N" --seed 3 >&2 || exit 1
COLS="id, spent_date, user_id, client_id, project_id, task_id, hours, rounded_hours, billable, billable_rate, cost_rate, is_running, is_locked, notes, created_at, updated_at"
W=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-ingest.XXXXXX")
trap 't_cleanup; rm -rf "$W"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sync_ms="" copy_ms="" cpu_ms="" stages=""
for run in $(seq "$RUNS"); do
    db_new "bench_ingest_$run" >&2 || exit 1
    if [ "${INGEST_DAILY:-}" = all ]; then
        psql_db -c "UPDATE profit_rollup_daily_policy SET min_entries = 0, min_entries_per_project = 0" >/dev/null || exit 1
    fi
    # what a real first sync has before its time entries: clients, projects and users (the
    # entries' references are then known, as in production)
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) SELECT 'harvest', r, '{\"full\":true}' FROM unnest(ARRAY['clients', 'projects', 'users']) AS r" >/dev/null
    "$OD_BIN" worker --once --threads 1 >"$W/refs.log" 2>&1 || { cat "$W/refs.log" >&2; exit 1; }
    psql_db -c "INSERT INTO sync_jobs (provider, resource, args) VALUES ('harvest', 'time_entries', '{\"full\":true}')" >/dev/null
    # info level for the worker alone: its one-line per-stage summary of the pass
    OPSDECK_LOG_LEVEL=info /usr/bin/time -f '%U %S' -o "$W/cpu" "$OD_BIN" worker --once --threads 1 \
        >"$W/worker.log" 2>&1 || { cat "$W/worker.log" >&2; exit 1; }
    cpu_ms="$cpu_ms $(awk '{printf "%d", ($1 + $2) * 1000}' "$W/cpu")"
    stages=$(grep -o '"msg":"harvest time_entries: [0-9][^"]*"' "$W/worker.log" | tail -1 | sed 's/^"msg":"//; s/"$//')
    ms=$(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at) * 1000) FROM sync_jobs WHERE state = 'completed' AND resource = 'time_entries'")
    rows=$(psql_db -c "SELECT count(*) FROM harvest_time_entries")
    [ "$rows" -gt 0 ] || { echo "no rows stored" >&2; exit 1; }
    sync_ms="$sync_ms $ms"
    psql_db -c "\\copy (SELECT $COLS FROM harvest_time_entries) TO '$W/rows.copy'"
    psql_db -c "TRUNCATE harvest_time_entries" >/dev/null
    t0=$(date +%s%N)
    psql_db -c "\\copy harvest_time_entries ($COLS) FROM '$W/rows.copy'"
    t1=$(date +%s%N)
    copy_ms="$copy_ms $(((t1 - t0) / 1000000))"
done
S=$(echo $sync_ms | tr ' ' '\n' | median)
U=$(echo $cpu_ms | tr ' ' '\n' | median)
C=$(echo $copy_ms | tr ' ' '\n' | median)
echo "## Ingest: Harvest time entries vs plain COPY"
echo
echo "Command: \`${INGEST_DAILY:+INGEST_DAILY=$INGEST_DAILY }sh bench/40_ingest.sh${1:+ $1}\` — $rows entries, per_page 2000, simulator rate limits off, opsdeck's client limiter at $OPSDECK_RATELIMIT_HARVEST (requests/ms; Harvest's real 100/15000 caps any client at 100 pages per 15 s = 13,333 rows/s at per_page 2000), median of $RUNS."
echo
echo "| path | ms | rows/s |"
echo "|---|---:|---:|"
echo "| connector: HTTP + JSON + validation + stage COPY + upsert + rollups + checkpoints | $S | $((rows * 1000 / (S > 0 ? S : 1))) |"
echo "| plain \`COPY\` of the same rows into the same (partitioned) table | $C | $((rows * 1000 / (C > 0 ? C : 1))) |"
echo
echo "Ratio connector/COPY: $(awk -v s="$S" -v c="$C" 'BEGIN { printf "%.2f", c / s }') (goal >= 0.5). Runs: sync$sync_ms ms; copy$copy_ms ms."
echo
echo "Worker CPU (user + system, median): $U ms. Stages of the last run (the worker's own log line; the fetch thread and the store thread overlap, so the stages add up to more than the wall time): $stages."
echo
