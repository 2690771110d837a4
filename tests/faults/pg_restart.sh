# pg_restart.sh — PostgreSQL restarted under a running sync and under the console (sourced by
# tests/faults/run.sh after lib.sh; needs f_pg, the private cluster's pg-dev.sh wrapper, and
# tests/lib/tui.sh).

# fcase_pg_restart: `pg-dev.sh restart` (fast shutdown: every connection is cut) while a worker
# and, separately, `sync --wait` are mid-page. The pool reconnects, the interrupted page is
# retried or rescued, and the sync finishes with the truth's numbers.
fcase_pg_restart() {
    L="PostgreSQL restart under a worker"
    f_setup "$L" --latency-ms "$F_LATENCY" || return
    "$F_OD" sync harvest >/dev/null 2>&1 || t_fail "$L: sync harvest queues jobs"
    "$F_OD" worker --threads 2 >"$T_TMP/pr.log" 2>&1 &
    wpid=$!
    f_wait_midsync || t_fail "$L: mid-sync" "$(f_jobs)"
    if f_pg restart >"$T_TMP/pgr.log" 2>&1; then t_ok "$L: the cluster restarted mid-page"
    else t_fail "$L: the cluster restarted mid-page" "$(cat "$T_TMP/pgr.log")"; fi
    if kill -0 "$wpid" 2>/dev/null; then t_ok "$L: the worker survives the restart"
    else wait "$wpid"; f_rc "$L: the worker survives the restart" running $? "$(tail -5 "$T_TMP/pr.log")"; fi
    if f_all_done 240; then t_ok "$L: the sync finishes after the restart"
    else t_fail "$L: the sync finishes after the restart" "$(f_jobs; grep -v '"http"' "$T_TMP/pr.log" | tail -8)"; fi
    kill -TERM "$wpid" 2>/dev/null; wait "$wpid"
    f_rc "$L: the worker stops cleanly on SIGTERM (exit 0)" 0 $? "$(tail -5 "$T_TMP/pr.log")"
    f_compare "$L"
    f_no_crash_log "$L" "$T_TMP/pr.log"

    L="PostgreSQL restart under sync --wait"
    f_setup "$L" --latency-ms "$F_LATENCY" || return
    "$F_OD" sync harvest --wait >"$T_TMP/ps.log" 2>&1 &
    spid=$!
    f_wait_midsync || t_fail "$L: mid-sync" "$(f_jobs)"
    f_pg restart >"$T_TMP/pgr.log" 2>&1 || t_fail "$L: restart" "$(cat "$T_TMP/pgr.log")"
    wait "$spid"; rc=$?
    f_rc "$L: sync --wait rides out the restart and exits 0" 0 "$rc" "$(tail -5 "$T_TMP/ps.log"; f_jobs)"
    if [ "$rc" != 0 ]; then # what a person would do next: run the worker, which must finish it
        f_worker_until_done "$L: a worker finishes what sync --wait left" "$T_TMP/ps2.log"
    fi
    f_compare "$L"
    f_no_crash_log "$L" "$T_TMP/ps.log"
    f_no_sanitizer "PostgreSQL restarts"
}

# fcase_pg_restart_console: the console (in tmux, its own sync worker on) loses PostgreSQL while
# it works a sync: the status line / a toast says so; once the server is back the console says
# "db ok · live" again, the sync completes, and q still quits with status 0.
fcase_pg_restart_console() {
    L="PostgreSQL restart under the console"
    if ! "$OD_BIN" help ui >"$T_TMP/helpui.txt" 2>&1 || ! grep -q 'usage: opsdeck \[ui\]' "$T_TMP/helpui.txt"; then
        t_fail "$L: the console exists" "bin/opsdeck help ui does not describe the console yet: $(head -3 "$T_TMP/helpui.txt")"
        return
    fi
    f_setup "$L" --latency-ms "$F_LATENCY" || return
    export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
    rm -f "$OPSDECK_SECRETS_KEY_FILE"
    "$OD_BIN" keygen >/dev/null 2>&1 || t_fail "$L: keygen"
    printf 'correct horse battery\ncorrect horse battery\n' |
        "$OD_BIN" user add ana@example.com --role admin --name Ana >/dev/null 2>&1 || t_fail "$L: user add"
    "$F_OD" sync harvest >/dev/null 2>&1
    tui_start 110 30 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
        OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=1 OPSDECK_UI_REFRESH_MS=300 \
        OPSDECK_LOG_FILE="$T_TMP/console.log" OPSDECK_LOG_LEVEL=info \
        ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" LSAN_OPTIONS="$LSAN_OPTIONS" \
        OPSDECK_HARVEST_BASE_URL="$SIM_URL" OPSDECK_HARVEST_TOKEN="$OPSDECK_HARVEST_TOKEN" \
        OPSDECK_HARVEST_ACCOUNT_ID="$OPSDECK_HARVEST_ACCOUNT_ID" OPSDECK_HARVEST_PER_PAGE="$F_PER_PAGE" \
        OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_SYNC_RESCUE_AFTER_S=3 OPSDECK_HTTP_BACKOFF_MS=20 \
        XDG_STATE_HOME="$XDG_STATE_HOME" -- "$F_OD" ui
    t_screen "$L: login form" 'Email' 20
    tui_type ana@example.com; tui_keys Tab; tui_type 'correct horse battery'; tui_keys Enter
    t_screen "$L: logged in, status says db ok · live" 'db ok · live' 20
    if f_wait_midsync time_entries 90; then t_ok "$L: the console's worker is mid-sync"
    else t_fail "$L: the console's worker is mid-sync" "$(f_jobs)"; fi
    f_pg stop >"$T_TMP/pgs.log" 2>&1 || t_fail "$L: cluster stops" "$(cat "$T_TMP/pgs.log")"
    t_screen "$L: the screen shows the database / listener loss" 'live: lost|live updates lost|db error|live: connecting' 30
    t_check "$L: the console is still running while the database is down" test ! -s "$TUI_STATUS"
    sleep 2  # a few refresh ticks with the database away
    f_pg start >"$T_TMP/pgs.log" 2>&1 || t_fail "$L: cluster starts again" "$(cat "$T_TMP/pgs.log")"
    t_screen "$L: it recovers: live updates are back, db ok" 'db ok · live( |$)' 60
    tui_keys 3
    t_screen "$L: Profitability loads after the restart" '^Client +Hours' 20
    tui_keys 1
    if f_all_done 240; then t_ok "$L: the console's worker finishes the sync after the restart"
    else t_fail "$L: the console's worker finishes the sync after the restart" "$(f_jobs; tail -5 "$T_TMP/console.log")"; fi
    tui_keys q
    t_eq "$L: q quits with status 0" 0 "$(tui_exit 20)"
    tmx kill-server >/dev/null 2>&1
    f_compare "$L"
    f_no_crash_log "$L" "$T_TMP/console.log"
    f_no_sanitizer "$L"
    unset OPSDECK_SECRETS_KEY_FILE
}
