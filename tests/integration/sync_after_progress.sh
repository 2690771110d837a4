#!/bin/sh
# sync_after_progress — `opsdeck sync --wait` shows the progress the handlers report page by
# page. Plain output (not a terminal): harvest/time_entries prints running lines with a
# non-zero done/total (one per tenth of the total reached, or every 5 s) before its completed
# line; on a terminal (script(1)) the bar shows done/total, a rate and an ETA while running.
# The simulator adds latency so a 20,000-entry sync lasts a few seconds.
. tests/lib/common.sh

db_new || { t_fail "fresh database"; t_done; }
sim_start --scale 20000 --rate-limits off --latency-ms 150 || { t_fail "simulator"; t_done; }
export OPSDECK_HARVEST_PER_PAGE=1000

"$OD_BIN" sync harvest --wait >"$T_TMP/plain.txt" 2>&1
t_eq "sync harvest --wait exits 0" 0 "$?"
run=$(grep '^harvest/time_entries .* running$' "$T_TMP/plain.txt" | grep -v ' 0/' |
      grep -E ' [1-9][0-9]*/20000 ' | head -1)
if [ -n "$run" ]; then t_ok "plain output shows non-zero progress: $run"
else t_fail "plain output shows non-zero progress for time_entries" "$(cat "$T_TMP/plain.txt")"; fi
t_eq "no running line shows 0/N (a job that has not reported yet shows just \"running\")" 0 \
    "$(grep -c ' 0/[0-9]* .*running$' "$T_TMP/plain.txt")"
t_check "and ends completed 20000/20000" grep -q '^harvest/time_entries .*100% 20000/20000 completed$' "$T_TMP/plain.txt"
n=$(grep -c '^harvest/time_entries .*running' "$T_TMP/plain.txt")
t_check "several progress lines while it ran ($n)" test "$n" -ge 3

if command -v script >/dev/null 2>&1; then
    psql_db -c "DELETE FROM sync_jobs" >/dev/null # a fresh full run: every page again
    script -qfec "$OD_BIN sync harvest --full --wait" "$T_TMP/tty.txt" >/dev/null 2>&1 </dev/null
    t_eq "on a terminal: exits 0" 0 "$?"
    bar=$(tr '\r' '\n' <"$T_TMP/tty.txt" | grep -a 'harvest/time_entries *\[#*-*\] .*[1-9][0-9]*/20000 [0-9]*/s ETA [0-9]*:[0-9][0-9] running' | head -1)
    if [ -n "$bar" ]; then t_ok "bar with done/total, rate and ETA: $(printf '%s' "$bar" | tr -d '\033')"
    else t_fail "bar with done/total, rate and ETA" "$(tr '\r' '\n' <"$T_TMP/tty.txt" | grep -a time_entries | tail -5)"; fi
else
    t_ok "# SKIP script(1) not installed"
fi
t_done
