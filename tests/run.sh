#!/bin/sh
# run.sh — run every test suite against a private PostgreSQL and print one summary line.
#
#   tests/run.sh [PATTERN]      suites whose path contains PATTERN (default: all)
# Variants: plain (build/, bin/), then ASan+UBSan (build-asan/) and TSan (build-tsan/) for the
# C suites, unless OPSDECK_TEST_SANITIZERS=0. Suites:
#   build*/tests/unit/*         cmocka, no database
#   build*/tests/integration/*  cmocka, real database (fresh one per test via tests/lib/testdb)
#   tests/integration/*.sh, tests/e2e/*.sh, tests/fuzz/smoke.sh   TAP from tests/lib/common.sh
#   checks:format, checks:layers  `make check-format` and `make check-layers`, one count each
# The last line is "N passed, N failed" over everything that ran.
# Every suite runs the same way in a terminal, in tmux and headless (CI): in a session of its
# own (setsid: no controlling terminal, so nothing can stop on SIGTTOU/SIGTTIN or read keys),
# with stdin from /dev/null, under `timeout`. Ctrl-C stops the running suite and the run.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
PATTERN=${1:-}
SUITE_TIMEOUT=${OPSDECK_SUITE_TIMEOUT:-600}
RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-results.XXXXXX")
PASSED=0
FAILED=0
FAILED_SUITES=""

# Stop the cluster at the end only if this run started it.
was_running=no
sh scripts/pg-dev.sh status >/dev/null 2>&1 && was_running=yes
url=$(sh scripts/pg-dev.sh start) || { echo "tests: cannot start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck
export CMOCKA_MESSAGE_OUTPUT=stdout
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98"
export TSAN_OPTIONS="suppressions=$ROOT/tests/tsan.supp:halt_on_error=0:exitcode=97:second_deadlock_stack=1"

CHILD=""
# detached LOG CMD...: CMD in its own session, stdin /dev/null, output to LOG; its status.
detached() {
    _log=$1; shift
    if command -v setsid >/dev/null 2>&1; then
        setsid timeout -k 5 "$SUITE_TIMEOUT" "$@" </dev/null >"$_log" 2>&1 &
    else
        timeout -k 5 "$SUITE_TIMEOUT" "$@" </dev/null >"$_log" 2>&1 &
    fi
    CHILD=$!
    wait "$CHILD"
    _rc=$?
    CHILD=""
    return $_rc
}
# timeout passes a signal on to the suite's whole process group.
interrupted() {
    [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
    echo
    echo "tests: interrupted"
    [ "$was_running" = no ] && [ -z "${OPSDECK_TEST_KEEP_PG:-}" ] && sh scripts/pg-dev.sh stop
    exit 130
}
trap interrupted INT TERM HUP

record() { # suite passed failed log
    PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
    if [ "$3" -gt 0 ]; then
        FAILED_SUITES="$FAILED_SUITES $1"
        printf '  FAIL  %-55s %d passed, %d failed (log: %s)\n' "$1" "$2" "$3" "$4"
    else
        printf '  ok    %-55s %d passed\n' "$1" "$2"
    fi
}

run_cmocka() { # label binary
    log="$RESULTS/$(echo "$1" | tr '/' '_').log"
    detached "$log" "$2"
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}; f=${f:-0}
    # a crash, a sanitizer report or a timeout after the summary still fails the suite
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if grep -qE '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: (Address|Undefined|Thread)Sanitizer)|runtime error:' "$log"; then
        [ "$f" -eq 0 ] && f=1
    fi
    record "$1" "$p" "$f" "$log"
}

run_tap() { # label script [env...]
    label=$1; script=$2; shift 2
    log="$RESULTS/$(echo "$label" | tr '/' '_').log"
    detached "$log" env "$@" sh "$script"
    rc=$?
    p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "# suite exited with status $rc" >>"$log"; fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "# suite ran no test" >>"$log"; fi
    record "$label" "$p" "$f" "$log"
}

run_check() { # label command...: one counted check, its output in the log
    label=$1; shift
    log="$RESULTS/$(echo "$label" | tr '/' '_').log"
    if "$@" >"$log" 2>&1; then record "$label" 1 0 "$log"; else record "$label" 0 1 "$log"; fi
}

matches() { [ -z "$PATTERN" ] || case "$1" in *"$PATTERN"*) return 0 ;; *) return 1 ;; esac; }

run_variant() { # name builddir bindir shell(yes/no) kinds
    name=$1; build=$2; bin=$3; shell=$4; kinds=$5
    echo "== $name"
    for kind in $kinds; do
        for t in "$build"/tests/"$kind"/*; do
            [ -x "$t" ] || continue
            matches "$t" || continue
            run_cmocka "$name:$kind/$(basename "$t")" "$t"
        done
    done
    [ "$shell" = yes ] || return 0
    for s in tests/integration/*.sh tests/e2e/*.sh tests/fuzz/smoke.sh; do
        [ -f "$s" ] || continue
        matches "$s" || continue
        run_tap "$name:$s" "$s" OD_BIN="$bin/opsdeck" OD_SIM="$bin/opsdeck-sim"
    done
}

start=$(date +%s)
# Layout and dependency rule first: cheap, and a failure names the files (docs/HACKING.md).
if matches checks:format || matches checks:layers; then
    echo "== checks"
    matches checks:format && run_check checks:format make --no-print-directory check-format
    matches checks:layers && run_check checks:layers make --no-print-directory check-layers
fi
run_variant plain build bin yes "unit integration"
if [ "${OPSDECK_TEST_SANITIZERS:-1}" != 0 ]; then
    if make --no-print-directory asan >"$RESULTS/build-asan.log" 2>&1; then
        run_variant asan build-asan build-asan/bin "${OPSDECK_TEST_SAN_SHELL:-no}" "unit integration"
    else
        record "asan:build" 0 1 "$RESULTS/build-asan.log"
    fi
    if make --no-print-directory tsan >"$RESULTS/build-tsan.log" 2>&1; then
        run_variant tsan build-tsan build-tsan/bin no "unit integration"
    else
        record "tsan:build" 0 1 "$RESULTS/build-tsan.log"
    fi
fi
end=$(date +%s)

if [ "$FAILED" -gt 0 ]; then
    echo
    echo "Failed suites:"
    for s in $FAILED_SUITES; do
        log="$RESULTS/$(echo "$s" | tr '/' '_').log"
        echo "--- $s"
        grep -E '^not ok|\[  FAILED  \]|\[  ERROR   \]|ERROR|error|Sanitizer|runtime error' "$log" 2>/dev/null | head -15
        [ -f "$log" ] && tail -5 "$log"
    done
fi
[ "$was_running" = no ] && [ -z "${OPSDECK_TEST_KEEP_PG:-}" ] && sh scripts/pg-dev.sh stop
echo "tests took $((end - start)) s; logs in $RESULTS"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
