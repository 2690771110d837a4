#!/bin/sh
# run.sh — the fault suite (`make faults`, issue #8): every case of tests/faults/lib.sh plus the
# PostgreSQL restarts of tests/faults/pg_restart.sh, on a PRIVATE PostgreSQL cluster made for
# this run (OPSDECK_PG_DIR under the run's temp dir), so restarting it never disturbs the shared
# cluster of other suites. TAP output; the last line is "N passed, N failed"; exit 1 on a failure.
#
#   sh tests/faults/run.sh [CASE...]     cases: kill9_worker kill9_sync weather timeouts
#                                        change_between_pages deleted_upstream token_expiry
#                                        disk_full pg_restart pg_restart_console valgrind
# Variables: F_SCALE, F_PER_PAGE (see lib.sh), F_ASAN=0 (plain binary only).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/common.sh
. tests/lib/tui.sh

F_PG_DIR="$T_TMP/pg"
f_pg() { OPSDECK_PG_DIR="$F_PG_DIR" sh scripts/pg-dev.sh "$@"; }
f_suite_cleanup() {
    f_unmount_all 2>/dev/null
    tmx kill-server >/dev/null 2>&1
    sim_stop
    f_pg stop >/dev/null 2>&1
    rm -rf "$T_TMP"
}
trap f_suite_cleanup EXIT

make --no-print-directory all >"$T_TMP/build.log" 2>&1 || { cat "$T_TMP/build.log"; echo "build failed"; exit 1; }
if [ "${F_ASAN:-1}" != 0 ] && ! make --no-print-directory asan >"$T_TMP/build-asan.log" 2>&1; then
    echo "# make asan failed (tail below); the plain binary is checked instead"; tail -5 "$T_TMP/build-asan.log" | sed 's/^/# /'
fi
url=$(f_pg start) || { echo "not ok 1 - private PostgreSQL cluster starts"; echo "0 passed, 1 failed"; exit 1; }
OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck
. tests/faults/lib.sh
. tests/faults/pg_restart.sh
echo "# private cluster: $F_PG_DIR; checked binary: $F_OD"

# valgrind: a short case under valgrind's leak checker (reconcile of a small world).
fcase_valgrind() {
    L="valgrind"
    if ! command -v valgrind >/dev/null; then t_ok "$L: skipped (valgrind not installed)"; return; fi
    F_SCALE_SAVE=$F_SCALE; F_SCALE=400
    f_setup "$L" --error-rate 0.1 --malformed-json-rate 0.05 || { F_SCALE=$F_SCALE_SAVE; return; }
    F_SCALE=$F_SCALE_SAVE
    "$OD_BIN" sync harvest >/dev/null 2>&1
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=97 \
        --suppressions=tests/valgrind.supp "$OD_BIN" worker --once --threads 2 >"$T_TMP/vg.log" 2>&1
    f_rc "$L: worker --once under valgrind: no error, no definite leak (exit 0)" 0 $? "$(grep -v '"http"' "$T_TMP/vg.log" | tail -15)"
    f_all_done 5 || "$OD_BIN" worker --once >/dev/null 2>&1 # retryable leftovers (5xx) finish here
    f_all_done 60 && f_compare "$L"
}

CASES=${*:-"kill9_worker kill9_sync weather timeouts change_between_pages deleted_upstream token_expiry disk_full pg_restart pg_restart_console valgrind"}
for c in $CASES; do
    echo "# --- $c"
    case $c in
        kill9_worker) fcase_kill9 worker ;;
        kill9_sync) fcase_kill9 sync ;;
        *) "fcase_$c" ;;
    esac
done
echo "$((T_N - T_FAILED)) passed, $T_FAILED failed"
t_done
