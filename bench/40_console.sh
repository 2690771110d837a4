#!/bin/sh
# 40_console.sh — the console in a pseudo-terminal, measured with util-linux `script`
# (--log-timing, advanced format: every input and output chunk with its time):
#   - key-to-screen latency: from a key (switching screens 2 <-> 1) to the first output byte
#     after it, median over the presses;
#   - bytes written to the terminal per minute while idle on a live screen (Sync, logged in,
#     listener up, nothing happening), and during a live sync (`opsdeck sync all --full --wait`
#     run from another process: NOTIFY progress -> the Sync screen redraws, floor ui.refresh_ms);
# each next to `htop -d 10` run in its own `script` at the same size over the same seconds
# (htop: latency of its `t` tree toggle). Prints a Markdown section. --quick: short windows.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=${1:-}
if [ "$QUICK" = "--quick" ]; then IDLE=10 PRESSES=6 SCALE=20000; else IDLE=60 PRESSES=20 SCALE=200000; fi
COLS=100 ROWS=30
export OD_BIN="${OD_BIN:-$ROOT/bin/opsdeck}" OD_SIM="${OD_SIM:-$ROOT/bin/opsdeck-sim}"
[ -x "$OD_BIN" ] || make -s bin/opsdeck bin/opsdeck-sim >/dev/null
command -v htop >/dev/null || { echo "40_console: htop is not installed" >&2; exit 1; }
. tests/lib/common.sh
B="$T_TMP/bench"
mkdir -p "$B"

sim_start --scale "$SCALE" --rate-limits off >/dev/null || exit 1
db_new || exit 1
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key" OPSDECK_SYNC_WORKERS=0
"$OD_BIN" keygen >/dev/null 2>&1
printf 'bench-password-1\nbench-password-1\n' | "$OD_BIN" user add bench@example.com --role admin >/dev/null
"$OD_BIN" sync all --wait >/dev/null 2>&1

now() { date +%s.%N; }
# Keys for the console: log in, switch screens PRESSES times, sit idle, then a live sync.
drive_console() {
    sleep 3
    printf 'bench@example.com\tbench-password-1\r'
    sleep 4
    now >"$B/lat_start"
    i=0
    while [ $i -lt "$PRESSES" ]; do printf 2; sleep 0.5; printf 1; sleep 0.5; i=$((i + 1)); done
    now >"$B/lat_end"
    sleep 1
    now >"$B/idle_start"
    sleep "$IDLE"
    now >"$B/idle_end"
    now >"$B/sync_start"
    "$OD_BIN" sync all --full --wait >"$B/sync.log" 2>&1 </dev/null
    echo $? >"$B/sync_rc"
    now >"$B/sync_end"
    sleep 1
    printf q
}
# Keys for htop: the same rhythm (t toggles the tree view), then just running.
drive_htop() {
    sleep 7
    i=0
    while [ $i -lt "$PRESSES" ]; do printf t; sleep 0.5; printf t; sleep 0.5; i=$((i + 1)); done
    while [ ! -s "$B/sync_end" ]; do sleep 0.2; done
    sleep 1
    printf q
}
run_script() { # name command
    TERM=xterm-256color script -q -f -m advanced -T "$B/$1.tm" -B "$B/$1.io" \
        -c "stty cols $COLS rows $ROWS; exec $2" >/dev/null 2>&1
}

now >"$B/t0"
drive_console | run_script console "'$OD_BIN' ui" &
CPID=$!
drive_htop | run_script htop "htop -d 10" &
HPID=$!
wait $CPID $HPID || true

# window NAME FROM TO: bytes output between two wall-clock marks (relative to t0)
t0=$(cat "$B/t0")
rel() { awk -v a="$(cat "$1")" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'; }
bytes_in() {
    awk -v from="$2" -v to="$3" '$1 == "O" || $1 == "I" { t += $2 } $1 == "O" && t >= from && t < to { n += $3 } END { print n + 0 }' "$B/$1.tm"
}
latency() { # median ms from each input chunk to the next output chunk, within the window
    awk -v from="$2" -v to="$3" '$1 == "O" || $1 == "I" { t += $2 }
        $1 == "I" && t >= from && t < to { p = t }
        $1 == "O" && p { print (t - p) * 1000; p = 0 }' "$B/$1.tm" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
per_min() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; printf "%d", (d > 0 ? n * 60 / d : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "n/a" || b == "n/a") print "n/a"; else printf "%.2f", a / b }'; }

ls_=$(rel "$B/lat_start"); le=$(rel "$B/lat_end")
is=$(rel "$B/idle_start"); ie=$(rel "$B/idle_end")
ss=$(rel "$B/sync_start"); se=$(rel "$B/sync_end")
lat_c=$(latency console "$ls_" "$le"); lat_h=$(latency htop "$ls_" "$le")
idle_c=$(per_min "$(bytes_in console "$is" "$ie")" "$is" "$ie")
idle_h=$(per_min "$(bytes_in htop "$is" "$ie")" "$is" "$ie")
sync_c=$(per_min "$(bytes_in console "$ss" "$se")" "$ss" "$se")
sync_h=$(per_min "$(bytes_in htop "$ss" "$se")" "$ss" "$se")
[ "$(cat "$B/sync_rc")" = 0 ] || { echo "40_console: the live sync failed:" >&2; tail -5 "$B/sync.log" >&2; exit 1; }
sync_s=$(awk -v a="$ss" -v b="$se" 'BEGIN { printf "%.1f", b - a }')

echo "## Console: key latency and terminal bytes (bench/40_console.sh${QUICK:+ $QUICK})"
echo
echo "Both programs run at the same time, each in its own \`script -m advanced -T\` pseudo-terminal of"
echo "${COLS}x${ROWS} (TERM=xterm-256color); figures come from script's timing log. Anchor: \`htop -d 10\`."
echo "Simulator scale $SCALE time entries; the console idles on the Sync screen, logged in, listener up."
echo
echo "| figure | opsdeck ui | htop -d 10 | opsdeck / htop |"
echo "|---|---:|---:|---:|"
echo "| key-to-screen latency, median of $((PRESSES * 2)) presses (ms) | $lat_c | $lat_h | $(ratio "$lat_c" "$lat_h") |"
echo "| bytes/minute, idle on a live screen (${IDLE} s) | $idle_c | $idle_h | $(ratio "$idle_c" "$idle_h") |"
echo "| bytes/minute, during a live sync (${sync_s} s, \`opsdeck sync all --full --wait\` elsewhere) | $sync_c | $sync_h | $(ratio "$sync_c" "$sync_h") |"
echo
echo "Commands: \`script -q -f -m advanced -T FILE -c 'stty cols $COLS rows $ROWS; exec opsdeck ui'\` (keys: log in,"
echo "then \`2\`/\`1\` every 0.5 s) and the same with \`htop -d 10\` (keys: \`t\` every 0.5 s); latency = time from"
echo "an input chunk to the next output chunk; bytes = output chunks inside each window, scaled to a minute."
echo
