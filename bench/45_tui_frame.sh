#!/bin/sh
# Console table frame time at 100,000 rows (issue #7). --quick: 20,000 rows.
set -eu
echo "## Console table frame time"
echo
rows=100000
[ "${1:-}" = "--quick" ] && rows=20000
echo '```'
sh bench/tui_frame.sh "$rows"
echo '```'
echo
