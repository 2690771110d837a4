#!/bin/sh
# run.sh — the soak test (`make soak MINUTES=N`, issue #8): the console runs in tmux on live
# screens (switching screen every 2 s, drilling into Profitability now and then) while syncs
# run in a loop (`/__sim/mutate` random edits, then `opsdeck sync all`, worked by a headless
# `opsdeck worker` and the console's own sync worker; every 5th round `--full`). The RSS
# (/proc/PID/status VmRSS) and open fds (/proc/PID/fd) of the console and the worker are taken
# after a warm-up round and at the end; a Markdown section with both, their growth and a verdict
# goes to stdout (bench/50_soak.sh includes it in bench/RESULTS.md), progress to stderr.
#
#   sh tests/soak/run.sh [MINUTES]     default 10; SOAK_SECONDS=N overrides (bench --quick: 20)
# Flat: no upward trend between the two halves of the run (see flat() below); exit 1 if not
# flat, a process died or a job ended dead. Uses the shared private cluster (scripts/pg-dev.sh start).
cd "$(dirname "$0")/../.." || exit 1
MINUTES=${1:-10}
SECONDS_TOTAL=${SOAK_SECONDS:-$((MINUTES * 60))}
if [ -z "${OPSDECK_TEST_PGHOST:-}" ]; then
    url=$(sh scripts/pg-dev.sh start) || { echo "soak: cannot start PostgreSQL" >&2; exit 1; }
    OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
    export OPSDECK_TEST_PGHOST
fi
. tests/lib/common.sh
. tests/lib/tui.sh
make --no-print-directory all >"$T_TMP/build.log" 2>&1 || { cat "$T_TMP/build.log" >&2; exit 1; }
say() { echo "soak: $*" >&2; }

db_new || { say "database failed"; exit 1; }
sim_start --scale "${SOAK_SCALE:-3000}" --seed 21 --rate-limits off --latency-ms 2 || exit 1
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key" OPSDECK_HARVEST_PER_PAGE=200
export OPSDECK_SYNC_HEARTBEAT_S=1 OPSDECK_LOG_LEVEL=warn
"$OD_BIN" keygen >/dev/null 2>&1 || { say "keygen failed"; exit 1; }
printf 'correct horse battery\ncorrect horse battery\n' |
    "$OD_BIN" user add ana@example.com --role admin --name Ana >/dev/null 2>&1 || { say "user add failed"; exit 1; }
"$OD_BIN" sync all --wait >"$T_TMP/sync0.log" 2>&1 || { say "first sync failed"; tail -5 "$T_TMP/sync0.log" >&2; exit 1; }

"$OD_BIN" worker --threads 2 >"$T_TMP/worker.log" 2>&1 &
WORKER=$!
tui_start 120 32 OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" \
    OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" OPSDECK_SYNC_WORKERS=1 OPSDECK_UI_REFRESH_MS=300 \
    OPSDECK_HARVEST_BASE_URL="$SIM_URL" OPSDECK_HARVEST_TOKEN="$OPSDECK_HARVEST_TOKEN" \
    OPSDECK_HARVEST_ACCOUNT_ID="$OPSDECK_HARVEST_ACCOUNT_ID" OPSDECK_HARVEST_PER_PAGE=200 \
    OPSDECK_HUBSPOT_BASE_URL="$SIM_URL" OPSDECK_HUBSPOT_TOKEN="$OPSDECK_HUBSPOT_TOKEN" \
    OPSDECK_LOG_FILE="$T_TMP/console.log" OPSDECK_LOG_LEVEL=warn \
    XDG_STATE_HOME="$XDG_STATE_HOME" -- "$OD_BIN" ui
tui_wait 'Email' 20 || { say "no login form"; tui_screen >&2; exit 1; }
tui_type ana@example.com; tui_keys Tab; tui_type 'correct horse battery'; tui_keys Enter
tui_wait 'db ok · live' 20 || { say "no login"; tui_screen >&2; exit 1; }
CONSOLE=$(ps -o pid=,comm= --ppid "$(tmx list-panes -t "$TUI_SESSION" -F '#{pane_pid}')" | awk '$2 == "opsdeck" {print $1}')
[ -n "$CONSOLE" ] || { say "console pid not found"; exit 1; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
pending() { psql_db -c "SELECT count(*) FROM sync_jobs WHERE state IN ('available', 'running', 'retryable')"; }

ROUNDS=0
# one_round [--full]: edits upstream, a sync queued, then wait (bounded) until it is worked.
one_round() {
    curl -sf -X POST "$SIM_URL/__sim/mutate" -d '{"action":"random","count":25}' >/dev/null
    "$OD_BIN" sync all "$@" >>"$T_TMP/rounds.log" 2>&1
    i=0
    while [ "$(pending)" != 0 ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
    ROUNDS=$((ROUNDS + 1))
}
SWITCHES=0
KEYS="1 2 3 4 5"
# screens_for SECS: switch screens every 2 s; on Profitability drill in and back out.
screens_for() {
    end=$(($(date +%s) + $1))
    while [ "$(date +%s)" -lt "$end" ]; do
        for k in $KEYS; do
            tui_keys "$k"; SWITCHES=$((SWITCHES + 1))
            if [ "$k" = 3 ]; then sleep 1; tui_keys Enter; sleep 0.5; tui_keys Escape; fi
            sleep 2
            [ "$(date +%s)" -lt "$end" ] || break
        done
    done
}

# warm-up: a full and two incremental rounds and every screen, then the start figures (pools
# and per-thread HTTP connections are opened on demand, so the first rounds add fds legitimately)
one_round --full
one_round
one_round
screens_for 10
# fd_kinds PID: its fds by kind; sockets split into unix (PostgreSQL) and tcp (HTTP)
fd_kinds() {
    for f in /proc/"$1"/fd/*; do readlink "$f"; done 2>/dev/null | while read -r l; do
        case $l in
            socket:*) ino=${l#socket:[}; ino=${ino%]}
                if awk -v i="$ino" '$7 == i {f = 1} END {exit !f}' /proc/net/unix 2>/dev/null; then echo unix-socket
                elif cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v i="$ino" '$10 == i {f = 1} END {exit !f}'; then echo tcp-socket
                else echo socket; fi ;;
            /*) echo file ;;
            *) echo "${l%%:*}" ;;
        esac
    done | sort | uniq -c | awk '{printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1}'
}
say "start fds: console $(fd_kinds "$CONSOLE"); worker $(fd_kinds "$WORKER")"
C0=$(rss_kb "$CONSOLE"); CF0=$(fds "$CONSOLE"); W0=$(rss_kb "$WORKER"); WF0=$(fds "$WORKER")
say "start: console rss ${C0} kB fds $CF0; worker rss ${W0} kB fds $WF0; running ${SECONDS_TOTAL}s"

(   # the sync loop, in the background while the screens switch
    n=0; end=$(($(date +%s) + SECONDS_TOTAL))
    while [ "$(date +%s)" -lt "$end" ]; do
        n=$((n + 1))
        if [ $((n % 5)) = 0 ]; then one_round --full; else one_round; fi
        echo "$n" >"$T_TMP/rounds.n"
    done
) &
LOOP=$!
CMAX=$C0; WMAX=$W0; SERIES=""
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f MiB (%+.1f %%)", (b - a) / 1024, a ? (b - a) * 100 / a : 0}'; }
t_end=$(($(date +%s) + SECONDS_TOTAL))
while [ "$(date +%s)" -lt "$t_end" ]; do
    left=$((t_end - $(date +%s)))
    screens_for $((left < 10 ? left : 10))
    c=$(rss_kb "$CONSOLE"); w=$(rss_kb "$WORKER")
    SERIES="$SERIES $(mib "$c")/$(fds "$CONSOLE") $(mib "$w")/$(fds "$WORKER");"
    echo "$c $(fds "$CONSOLE")" >>"$T_TMP/console.samples"
    echo "$w $(fds "$WORKER")" >>"$T_TMP/worker.samples"
    say "sample: console $(mib "$c") MiB $(fd_kinds "$CONSOLE"); worker $(mib "$w") MiB $(fd_kinds "$WORKER")"
    [ "${c:-0}" -gt "$CMAX" ] && CMAX=$c
    [ "${w:-0}" -gt "$WMAX" ] && WMAX=$w
    kill -0 "$CONSOLE" 2>/dev/null && kill -0 "$WORKER" 2>/dev/null || break
done
wait "$LOOP"
tui_keys 1
sleep 2
C1=$(rss_kb "$CONSOLE"); CF1=$(fds "$CONSOLE"); W1=$(rss_kb "$WORKER"); WF1=$(fds "$WORKER")
alive_c=yes; kill -0 "$CONSOLE" 2>/dev/null || alive_c=no
alive_w=yes; kill -0 "$WORKER" 2>/dev/null || alive_w=no
say "end: console rss ${C1} kB fds $CF1; worker rss ${W1} kB fds $WF1"
say "end fds: console $(fd_kinds "$CONSOLE"); worker $(fd_kinds "$WORKER")"
tui_keys q
console_rc=$(tui_exit 20)
kill -TERM "$WORKER" 2>/dev/null; wait "$WORKER"; worker_rc=$?
ROUNDS=$(cat "$T_TMP/rounds.n" 2>/dev/null || echo 0)
jobs_done=$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE state = 'completed'")
jobs_bad=$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE state IN ('dead', 'cancelled')")

# flat SAMPLES RSS0 RSS1 FD0 FD1 -> "flat" or the reason. Sockets come and go with the work in
# flight (pooled PostgreSQL connections, one kept-alive HTTP connection per thread), and the
# allocator warms up, so the verdict looks for a trend: the second half of the run against the
# first half (fds: the second half's lowest count <= the first half's lowest + 2; RSS: end - the middle
# sample <= max(2 MiB, 10 %)), plus end vs start (fds <= +8, RSS <= max(8 MiB, 50 %)).
flat() {
    n=$(wc -l <"$1" 2>/dev/null || echo 0); h=$(((n + 1) / 2))
    [ "$n" -ge 2 ] || { echo "too short to judge"; return; }
    mid=$(sed -n "${h}p" "$1" | cut -d' ' -f1)
    # the floor of each half: a sample taken mid-request counts sockets that close a moment
    # later (the console's sync worker, pooled connections), while a leaked fd stays open and
    # lifts every later sample, the lowest too
    f1=$(head -n "$h" "$1" | cut -d' ' -f2 | sort -n | head -1)
    f2=$(tail -n +"$((h + 1))" "$1" | cut -d' ' -f2 | sort -n | head -1)
    lim=$((mid / 10)); [ $lim -lt 2048 ] && lim=2048
    lim0=$(($2 / 2)); [ $lim0 -lt 8192 ] && lim0=8192
    if [ "$f2" -gt $((f1 + 2)) ] || [ $(($5 - $4)) -gt 8 ]; then echo "fds grew ($f1 -> $f2)"
    elif [ $(($3 - mid)) -gt $lim ] || [ $(($3 - $2)) -gt $lim0 ]; then echo "RSS grew"
    else echo flat; fi
}
vc=$(flat "$T_TMP/console.samples" "$C0" "$C1" "$CF0" "$CF1"); vw=$(flat "$T_TMP/worker.samples" "$W0" "$W1" "$WF0" "$WF1")
[ "$alive_c" = yes ] || vc="died"; [ "$alive_w" = yes ] || vw="died"

cat <<MD
## Soak: console + worker under a sync loop

\`${SOAK_CMD:-make soak MINUTES=$MINUTES}\` (tests/soak/run.sh; $SECONDS_TOTAL s after a warm-up round):
the console (120x32, in tmux, its own sync worker on, refresh floor 300 ms) switching screens
every 2 s ($SWITCHES switches, Profitability drilled into and out each pass) while a loop of
\`/__sim/mutate\` (25 random edits) + \`opsdeck sync all\` (every 5th \`--full\`) ran $ROUNDS rounds,
worked by \`opsdeck worker --threads 2\` and the console (simulator scale ${SOAK_SCALE:-3000}; jobs
completed $jobs_done, dead or cancelled $jobs_bad). RSS = VmRSS, fds = entries of /proc/PID/fd,
start taken after the warm-up.

| process | RSS start | RSS end | RSS max | growth | fds start | fds end | verdict |
|---|---:|---:|---:|---:|---:|---:|---|
| console (\`opsdeck ui\`) | $(mib "$C0") MiB | $(mib "$C1") MiB | $(mib "$CMAX") MiB | $(delta "$C0" "$C1") | $CF0 | $CF1 | $vc |
| worker (\`opsdeck worker\`) | $(mib "$W0") MiB | $(mib "$W1") MiB | $(mib "$WMAX") MiB | $(delta "$W0" "$W1") | $WF0 | $WF1 | $vw |

Verdict: the second half of the run against the first (lowest fds count +2 at most; RSS end vs the middle
sample at most max(2 MiB, 10 %)). Samples every ~10 s, console RSS MiB/fds then worker RSS
MiB/fds:$SERIES

Exit: console \`q\` → $console_rc, worker SIGTERM → $worker_rc.
MD
[ "$vc" = flat ] && [ "$vw" = flat ] && [ "$console_rc" = 0 ] && [ "$worker_rc" = 0 ] && [ "$jobs_bad" = 0 ]
