#!/bin/sh
# run.sh — run every benchmark on the private cluster and the simulator; rewrite bench/RESULTS.md.
#   bench/run.sh [--quick]
# Each bench/NN_*.sh prints a Markdown section (figures with their command, medians, and a
# ratio against an anchor measured in the same run). --quick runs small sizes (CI uses it so the
# harness never rots; its figures are not the published ones).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
QUICK=""
[ "${1:-}" = "--quick" ] && QUICK=--quick
url=$(sh scripts/pg-dev.sh start) || exit 1
OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck QUICK
OUT=bench/RESULTS.md
[ -n "$QUICK" ] && OUT=${TMPDIR:-/tmp}/opsdeck-bench-quick.md
TMP=$(mktemp)
{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` (bench/run.sh$([ -n "$QUICK" ] && echo " --quick")) on $(date -u +%Y-%m-%dT%H:%MZ)."
    echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB memory, $(uname -sr),"
    echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'). PostgreSQL: $(psql "$url" -qAtc 'SHOW server_version')."
    echo "Every figure is a median of several runs where the bench says so, next to an anchor measured in the same run."
    echo
} >"$TMP"
status=0
for b in bench/[0-9][0-9]_*.sh; do
    [ -f "$b" ] || continue
    echo "bench: $b" >&2
    if ! sh "$b" $QUICK >>"$TMP" 2>"$TMP.err"; then
        status=1
        echo "bench: $b failed:" >&2; tail -20 "$TMP.err" >&2
        printf '\n**%s failed**\n\n' "$b" >>"$TMP"
    fi
done
mv "$TMP" "$OUT"
rm -f "$TMP.err"
echo "bench: wrote $OUT" >&2
exit $status
