#!/bin/sh
# run.sh — build the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) and run
# each for SECONDS (default 60) from its seed corpus. One TAP line per harness; a crash leaves
# its input in $FUZZ_OUT/crashes/<name>/ and makes the script fail.
#   tests/fuzz/run.sh [SECONDS] [NAME...]   # `make fuzz` (FUZZ_SECONDS); smoke.sh: a short pass
# Each harness lists what it links in its own comment (FUZZ_SOURCES/FUZZ_PKGS/FUZZ_DICT lines,
# see fuzz_common.h), so adding tests/fuzz/fuzz_NAME.c needs no edit here. Binaries are
# rebuilt only when a source or header is newer. The seeds (tests/fuzz/seeds/<name>/, crash
# regressions included: every seed runs first) are never modified; new corpus entries go to
# $FUZZ_OUT/<name>.corpus. FUZZ_JOBS harnesses run at once (default 1).
set -u
secs=${1:-60}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/opsdeck-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "ok - fuzz # SKIP $cc not installed"
    exit 0
fi
mkdir -p "$out/bin" "$out/crashes" "$out/gen" "$out/results"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$root"
# The harness itself is held to the project's warnings; core code is GCC-clean, not clang-clean.
warn="-Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla"

# Themes embedded as the binary embeds them (for harnesses that list gen/embedded.c).
embedded="$out/gen/embedded.c"
if [ ! -f "$embedded" ] || [ -n "$(find "$root/themes" "$root/scripts/embed.sh" -newer "$embedded" 2>/dev/null)" ]; then
    (cd "$root" && sh scripts/embed.sh themes/*.theme) >"$embedded.tmp" && mv "$embedded.tmp" "$embedded"
fi

meta() { # FIELD FILE: the words of every "FIELD:" comment line
    sed -n "s/^.*$1: *//p" "$2" | sed 's#\*/##' | tr '\n' ' '
}

build() { # NAME -> 0 when $out/bin/NAME is up to date
    name=$1
    src="tests/fuzz/$name.c"
    srcs=""
    for s in $(meta FUZZ_SOURCES "$root/$src"); do
        case $s in gen/embedded.c) srcs="$srcs $embedded" ;; *) srcs="$srcs $s" ;; esac
    done
    pkgs=$(meta FUZZ_PKGS "$root/$src")
    bin="$out/bin/$name"
    if [ -x "$bin" ] && [ -z "$(cd "$root" && find $src $srcs tests/fuzz/*.h core tui -newer "$bin" \( -name '*.h' -o -name 'fuzz_*.c' -o -path "*/embedded.c" \) 2>/dev/null | head -n 1)" ] &&
        [ -z "$(cd "$root" && find $srcs -newer "$bin" 2>/dev/null | head -n 1)" ]; then
        return 0
    fi
    cflags="" libs=""
    if [ -n "$pkgs" ]; then
        cflags=$(pkg-config --cflags $pkgs 2>/dev/null)
        libs=$(pkg-config --libs $pkgs 2>/dev/null) || libs=$(for p in $pkgs; do printf -- '-l%s ' "${p#lib}"; done)
    fi
    (cd "$root" && $cc $flags $warn $cflags -c -o "$bin.o" "$src" &&
        $cc $flags $cflags -o "$bin" "$bin.o" $srcs $libs -lm -pthread) >"$out/$name.build.log" 2>&1
}

run_one() { # NAME: prints one TAP line into $out/results/NAME
    name=$1
    res="$out/results/$name"
    if ! build "$name"; then
        echo "not ok - $name builds (see $out/$name.build.log)" >"$res"
        return
    fi
    corpus="$out/$name.corpus"
    mkdir -p "$corpus" "$out/crashes/$name"
    [ -d "$root/tests/fuzz/seeds/$name" ] && cp -n "$root/tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
    dict=$(meta FUZZ_DICT "$root/tests/fuzz/$name.c" | tr -d ' ')
    [ -n "$dict" ] && dict="-dict=$root/tests/fuzz/$dict"
    if "$out/bin/$name" -max_total_time="$secs" -max_len=16384 -timeout=10 -print_final_stats=1 \
        -rss_limit_mb=2048 $dict -artifact_prefix="$out/crashes/$name/" "$corpus" >"$out/$name.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | tail -n 1 | awk '{print $2}')
        echo "ok - $name ran ${secs}s without a crash (${runs:-?} inputs)" >"$res"
    else
        echo "not ok - $name crashed: input in $out/crashes/$name/ (log $out/$name.log)" >"$res"
    fi
}

if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(cd "$root/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
fi
running=0
for name in $names; do
    rm -f "$out/results/$name"
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
fail=0
for name in $names; do
    line=$(cat "$out/results/$name" 2>/dev/null || echo "not ok - $name produced no result")
    echo "$line"
    case $line in "not ok"*) fail=1 ;; esac
done
exit $fail
