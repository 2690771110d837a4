#!/bin/sh
# Soak (issue #8): the console on live screens + a worker under a sync loop for 1 minute
# (--quick: 20 s); prints tests/soak/run.sh's Markdown section (RSS and fds, start -> end).
# `make soak MINUTES=N` runs the same thing longer and fails unless both stay flat; here the
# verdict is reported in the table (a minute is short: pooled connections still open lazily),
# and the bench fails only when the soak produced no figures.
set -u
if [ "${1:-}" = "--quick" ]; then s=20; else s=60; fi
out=$(SOAK_SECONDS=$s SOAK_CMD="sh bench/50_soak.sh ${1:-}" sh tests/soak/run.sh 1)
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q '^| console'
