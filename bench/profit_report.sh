#!/bin/sh
# profit_report.sh — profitability from rollups vs the same aggregate over raw time entries.
#   bench/profit_report.sh [--quick]      (10M entries, 10 runs; --quick: 200k entries, 20 runs)
# Prints a Markdown section for bench/RESULTS.md. Needs the private cluster (bench/run.sh starts
# it) and build/bench/profit_report (`make benches`).
set -eu
B=${BUILD:-build}/bench/profit_report
if [ -z "${OPSDECK_TEST_PGHOST:-}" ]; then
    url=$(sh scripts/pg-dev.sh start)
    OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
    export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck
fi
echo "## Profitability report: rollups vs raw rows"
echo
if [ "${1:-}" = "--quick" ]; then
    set -- --entries 200000 --runs 20
else
    set -- --entries 10000000 --runs 10
fi
echo "Command: \`$B $*\`"
echo
"$B" "$@"
echo
