#!/bin/sh
# smoke.sh — the short fuzzing pass `make test` runs: every harness for a few seconds from its
# seeds (FUZZ_SMOKE_SECONDS, default 3), two at a time (FUZZ_JOBS), so the whole pass stays
# under a minute with the builds cached. Replaying the seeds first re-checks every crash found
# so far (tests/fuzz/seeds/*/regression_*). TAP lines come from run.sh.
FUZZ_JOBS=${FUZZ_JOBS:-2} exec sh "$(dirname "$0")/run.sh" "${FUZZ_SMOKE_SECONDS:-3}"
