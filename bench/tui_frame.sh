#!/bin/sh
# Build and run the TUI frame benchmark (bench/tui_frame.c) against the Makefile's tui library
# and the core objects it uses. Usage: bench/tui_frame.sh [--ir] [ROWS [noprep]]
# ROWS defaults to 100000; noprep: the producer does not presort (the table sorts on the UI thread).
# --ir: run once under callgrind and print instructions per frame for each scenario (a figure
# that does not move with machine load; the timed part of each frame only).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
IR=0
if [ "${1:-}" = --ir ]; then
    IR=1
    shift
fi
make -s BUILD="$B" BIN="${BIN:-bin}" "$B/libopsdeck-tui.a" "$B/core/base/util.o" "$B/core/base/sanitize.o" \
    "$B/core/base/embedded.o" "$B/gen/embedded.o" >/dev/null
cc -std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla \
    -I. -D_GNU_SOURCE $(pkg-config --cflags ncursesw) -o "$B/bench_tui_frame" bench/tui_frame.c \
    "$B/libopsdeck-tui.a" "$B/core/base/util.o" "$B/core/base/sanitize.o" "$B/core/base/embedded.o" \
    "$B/gen/embedded.o" $(pkg-config --libs ncursesw inih) -pthread
echo "# bench/tui_frame.sh ${1:-100000} ($(uname -m), $(nproc) cores)"
if [ "$IR" = 0 ]; then
    exec "$B/bench_tui_frame" "${1:-100000}" ${2:+"$2"}
fi
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$D/cg.%p" \
    "$B/bench_tui_frame" "${1:-100000}" ${2:+"$2"} >"$D/out" 2>"$D/err" || {
    cat "$D/err" >&2
    exit 1
}
cat "$D/out"
# One dump per scenario ("Trigger: Client Request: NAME"); frames from the timing lines.
for f in "$D"/cg.*; do
    name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
    [ -n "$name" ] || continue
    ir=$(sed -n 's/^summary: //p' "$f")
    frames=$(awk -v n="$name" '$1 == n { sub("frames=", "", $2); print $2 }' "$D/out")
    [ -n "$frames" ] || frames=$(awk -v n="$name" '$1 == n { print $3 }' "$D/out")
    awk -v n="$name" -v ir="$ir" -v fr="$frames" \
        'BEGIN { printf "%-10s instructions/frame %12.0f  (%d frames)\n", n, ir / fr, fr }'
done
