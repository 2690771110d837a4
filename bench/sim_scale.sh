#!/bin/sh
# sim_scale.sh — opsdeck-sim at a million time entries: time from exec to the first answered
# request, then every page of /v2/time_entries (per_page=2000) through links.next, then
# /__sim/truth; prints RSS (current and peak) after each. Prints a Markdown section.
#   bench/sim_scale.sh [SCALE]     (default 1000000; QUICK=--quick uses 100000)
# Figures only; nothing here is asserted.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
SIM=${OD_SIM:-bin/opsdeck-sim}
SCALE=${1:-1000000}
[ "${QUICK:-}" = "--quick" ] && SCALE=100000
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sim-bench.XXXXXX")
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
ms() { date +%s%3N; }
rss() { awk -v k="$1" '$1 == k":" {printf "%.1f", $2 / 1024}' "/proc/$PID/status"; }

t0=$(ms)
"$SIM" --listen 127.0.0.1:0 --port-file "$TMP/port" --scale "$SCALE" --rate-limits off \
    --log /dev/null 2>"$TMP/err" &
PID=$!
while [ ! -s "$TMP/port" ]; do sleep 0.005; done
URL="http://127.0.0.1:$(cat "$TMP/port")"
printf 'Authorization: Bearer sim-harvest-token\nHarvest-Account-Id: 1000001\nUser-Agent: bench (dev@example.com)\n' >"$TMP/h"
until curl -sf -o /dev/null -H @"$TMP/h" "$URL/v2/time_entries?per_page=1"; do sleep 0.005; done
t_first=$(($(ms) - t0))
rss_start=$(rss VmRSS)

t1=$(ms)
url="$URL/v2/time_entries?per_page=2000"
pages=0
entries=0
while [ "$url" != null ]; do
    curl -sS -H @"$TMP/h" "$url" >"$TMP/page.json"
    entries=$((entries + $(grep -o '"hours_without_timer"' "$TMP/page.json" | wc -l)))
    url=$(grep -o '"next":[^,}]*' "$TMP/page.json" | tail -1 | sed 's/^"next"://; s/"//g')
    pages=$((pages + 1))
done
t_pages=$(($(ms) - t1))
rss_pages=$(rss VmRSS)
hwm_pages=$(rss VmHWM)
t2=$(ms)
curl -sS -o /dev/null "$URL/__sim/truth"
t_truth=$(($(ms) - t2))

echo "## opsdeck-sim at scale $SCALE"
echo
echo "Command: \`bench/sim_scale.sh $SCALE\` (OD_SIM=$SIM)."
echo
echo "| figure | value |"
echo "| --- | --- |"
echo "| exec to first answered request | ${t_first} ms |"
echo "| RSS after the first request | ${rss_start} MiB |"
echo "| pages of /v2/time_entries (per_page=2000) via links.next | $pages pages, $entries entries, ${t_pages} ms (one curl per page, sequential) |"
echo "| RSS after serving every page (peak) | ${rss_pages} MiB (${hwm_pages} MiB) |"
echo "| GET /__sim/truth | ${t_truth} ms |"
echo
