#!/bin/sh
# coverage.sh — `make coverage`: line and branch coverage of core/ from every test suite.
#
#   scripts/coverage.sh [--no-build] [PATTERN]
# Builds everything with --coverage into build-cov/ (binaries in build-cov/bin), clears old
# counters, starts the private PostgreSQL (scripts/pg-dev.sh), runs the cmocka suites under
# build-cov/tests/ and the shell suites (tests/integration/*.sh, tests/e2e/*.sh,
# tests/fuzz/smoke.sh) with OD_BIN/OD_SIM pointing at build-cov/bin, then writes
#   a summary to stdout (gcovr --filter core/ --print-summary)
#   an HTML report to build-cov/coverage/index.html
# PATTERN keeps only suites whose path contains it. Exit status: 1 when a suite failed or the
# report could not be made (the report is still written when it can be), else 0.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=build-cov
BIN=$BUILD/bin
OUT=$BUILD/coverage
TIMEOUT=${OPSDECK_SUITE_TIMEOUT:-900}
build=yes
[ "${1:-}" = --no-build ] && { build=no; shift; }
PATTERN=${1:-}

if [ $build = yes ]; then
    echo "coverage: building into $BUILD/ ..."
    make --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" BUILD=$BUILD BIN=$BIN OPT='-O0 -g --coverage' tests \
        >"$BUILD.log" 2>&1 || { tail -30 "$BUILD.log"; echo "coverage: build failed (log: $BUILD.log)"; exit 1; }
fi
command -v gcovr >/dev/null 2>&1 || { echo "coverage: gcovr not found; run scripts/deps.sh"; exit 1; }
[ -x "$BIN/opsdeck" ] || { echo "coverage: $BIN/opsdeck missing; run without --no-build"; exit 1; }
find "$BUILD" -name '*.gcda' -delete

url=$(sh scripts/pg-dev.sh start) || { echo "coverage: cannot start PostgreSQL"; exit 1; }
OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck CMOCKA_MESSAGE_OUTPUT=stdout
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-coverage.XXXXXX")
passed=0
failed=0

matches() { [ -z "$PATTERN" ] || case "$1" in *"$PATTERN"*) return 0 ;; *) return 1 ;; esac; }

# suite LABEL PASSED FAILED: add up and print one line per suite
suite() {
    passed=$((passed + $2)); failed=$((failed + $3))
    if [ "$3" -gt 0 ]; then printf '  FAIL  %-50s %d passed, %d failed\n' "$1" "$2" "$3"
    else printf '  ok    %-50s %d passed\n' "$1" "$2"; fi
}

for t in "$BUILD"/tests/unit/* "$BUILD"/tests/integration/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    matches "$t" || continue
    log="$LOGS/$(basename "$t").log"
    timeout -k 5 "$TIMEOUT" "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}; f=${f:-0}
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    suite "${t#"$BUILD"/}" "$p" "$f"
done

for s in tests/integration/*.sh tests/e2e/*.sh tests/fuzz/smoke.sh; do
    [ -f "$s" ] || continue
    matches "$s" || continue
    log="$LOGS/$(echo "$s" | tr / _).log"
    OD_BIN="$ROOT/$BIN/opsdeck" OD_SIM="$ROOT/$BIN/opsdeck-sim" timeout -k 5 "$TIMEOUT" sh "$s" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    suite "$s" "$p" "$f"
done
echo "coverage: $passed passed, $failed failed (logs in $LOGS)"

mkdir -p "$OUT"
report=0
gcovr --root . --filter 'core/' --object-directory "$BUILD" --print-summary \
    --html-details "$OUT/index.html" --html-title "opsdeck core coverage" "$BUILD" || report=1
if [ $report -eq 0 ]; then echo "coverage: HTML report in $OUT/index.html"
else echo "coverage: gcovr failed"; fi
[ "$failed" -eq 0 ] && [ $report -eq 0 ]
