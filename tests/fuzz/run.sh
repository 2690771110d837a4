#!/bin/sh
# Build the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) and run each for
# SECONDS (default 60) from its seed corpus. Prints one TAP line per harness; a crash leaves
# its input in $FUZZ_OUT/crashes/<name>/ and makes the script fail. The seeds in tests/fuzz/seeds/ are
# never modified (new corpus entries go to a scratch directory).
#   tests/fuzz/run.sh 5        # the short pass `make test` runs
set -u
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/opsdeck-fuzz}
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "ok - fuzz # SKIP $cc not installed"
    exit 0
fi
mkdir -p "$out/bin" "$out/crashes"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$root"
core="core/sanitize.c core/util.c core/secmem.c core/vault.c core/oauth.c"
libs="$(pkg-config --libs libsodium libcjson 2>/dev/null || echo -lsodium -lcjson)"
fail=0
for src in "$root"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    bin="$out/bin/$name"
    if ! (cd "$root" && $cc $flags -o "$bin" "tests/fuzz/$name.c" $core $libs) >"$out/$name.build.log" 2>&1; then
        echo "not ok - $name builds (see $out/$name.build.log)"
        fail=1
        continue
    fi
    corpus="$out/$name.corpus"
    mkdir -p "$corpus" "$out/crashes/$name"
    [ -d "$root/tests/fuzz/seeds/$name" ] && cp -n "$root/tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
    if "$bin" -max_total_time="$secs" -max_len=16384 -timeout=10 -print_final_stats=1 -rss_limit_mb=2048 \
        -artifact_prefix="$out/crashes/$name/" "$corpus" >"$out/$name.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | tail -n 1 | awk '{print $2}')
        echo "ok - $name ran ${secs}s without a crash (${runs:-?} inputs)"
    else
        echo "not ok - $name crashed: input in $out/crashes/$name/ (log $out/$name.log)"
        fail=1
    fi
done
exit $fail
