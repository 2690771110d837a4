#!/bin/sh
# smoke.sh — the short fuzzing pass `make test` runs: every harness for a few seconds from its
# seeds (FUZZ_SMOKE_SECONDS, default 5). TAP lines come from run.sh.
exec sh "$(dirname "$0")/run.sh" "${FUZZ_SMOKE_SECONDS:-5}"
