#!/bin/sh
# Pool under 1000 concurrent requesters (issue: foundation). --quick: 200 threads.
set -eu
B=${BUILD:-build}/bench/pool
if [ "${1:-}" = "--quick" ]; then "$B" --threads 200 --queries 10 --pool 8; else "$B" --threads 1000 --queries 50 --pool 8; fi
