#!/bin/sh
# The simulator at a million entries (issue #3): start-up time and resident memory.
set -eu
echo "## opsdeck-sim at scale"
echo
QUICK=${1:-} sh bench/sim_scale.sh
