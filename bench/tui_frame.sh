#!/bin/sh
# Build and run the TUI frame benchmark (bench/tui_frame.c) against the Makefile's tui library
# and the core objects it uses. Usage: bench/tui_frame.sh [ROWS]   (default 100000)
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
make -s BUILD="$B" BIN="${BIN:-bin}" "$B/libopsdeck-tui.a" "$B/core/util.o" "$B/core/sanitize.o" \
    "$B/core/embedded.o" "$B/gen/embedded.o" >/dev/null
cc -std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla \
    -I. -D_GNU_SOURCE $(pkg-config --cflags ncursesw) -o "$B/bench_tui_frame" bench/tui_frame.c \
    "$B/libopsdeck-tui.a" "$B/core/util.o" "$B/core/sanitize.o" "$B/core/embedded.o" \
    "$B/gen/embedded.o" $(pkg-config --libs ncursesw inih) -pthread
echo "# bench/tui_frame.sh ${1:-100000} ($(uname -m), $(nproc) cores)"
"$B/bench_tui_frame" "${1:-100000}"
