# terminal_run.sh — tests/run.sh behaves the same on a terminal as headless: run inside a real
# tmux pane (a controlling terminal, the runner in its foreground process group), the
# backup_roundtrip suite, whose `script -qec` used to stop on SIGTTOU under `timeout` until the
# suite timeout killed it, finishes with 0 failed. The nested run is one suite by name, so it
# never reaches this file; OPSDECK_TEST_NESTED stops any deeper nesting anyway.
. tests/lib/common.sh
. tests/lib/tui.sh

if [ -n "${OPSDECK_TEST_NESTED:-}" ]; then
    t_ok "terminal run # SKIP already inside a nested tests/run.sh"
    t_done
fi
if [ "$OD_BIN" != bin/opsdeck ]; then # the nested runner always uses the plain build
    t_ok "terminal run # SKIP only in the plain variant"
    t_done
fi

LOG="$T_TMP/nested.log"
TTY="$T_TMP/nested.tty"
start=$(date +%s)
tui_start 120 40 OPSDECK_TEST_SANITIZERS=0 OPSDECK_TEST_NESTED=1 OPSDECK_SUITE_TIMEOUT=300 -- \
    sh -c "tty >$TTY; exec sh tests/run.sh backup_roundtrip >$LOG 2>&1"
rc=$(tui_exit 420)
took=$(($(date +%s) - start))
echo "# nested run took $took s"

case "$(cat "$TTY" 2>/dev/null)" in
/dev/*) t_ok "the nested runner had a terminal ($(cat "$TTY"))" ;;
*) t_fail "the nested runner had a terminal" "$(cat "$TTY" 2>&1)" ;;
esac
t_eq "nested tests/run.sh exits 0 on a terminal" 0 "$rc"
last=$(tail -n 1 "$LOG" 2>/dev/null)
case "$last" in
[1-9]*" passed, 0 failed") t_ok "nested run: $last" ;;
*) t_fail "nested run ends with N passed, 0 failed" "$(tail -n 15 "$LOG" 2>&1)" ;;
esac
t_check "the suite ran (backup_roundtrip listed)" grep -q 'ok .*backup_roundtrip' "$LOG"

t_done
