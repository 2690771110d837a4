#!/bin/sh
# Queue claim+complete throughput: one at a time vs batched vs the real worker runtime
# (issue #4). --quick: small sizes.
set -eu
B=${BUILD:-build}/bench/queue_claim
if [ "${1:-}" = "--quick" ]; then
    "$B" --jobs 2000 --threads 4 --batch 50 --runs 1
else
    "$B" --jobs 20000 --threads 4 --batch 50 --runs 3
fi
