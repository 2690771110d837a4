#!/bin/sh
# pair.sh — run benchmarks of another revision and of this tree in turn (theirs, ours, theirs,
# ours ...), so that a loaded or drifting machine hits both alike; for "did this change make
# anything slower" when the absolute figures of one run mean little.
#   bench/pair.sh REV [ROUNDS] [BENCH ...]     e.g. bench/pair.sh ebeb76c 2 30_queue 40_ingest
# REV is checked out and built in a scratch worktree (each tree has its own private cluster);
# each bench's Markdown goes to $OUT/BENCH.{theirs,ours}N (OUT default: bench/pair-out).
# Prints which runs went when, with the load average. Summarise the files by hand.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REV=${1:?usage: bench/pair.sh REV [ROUNDS] [BENCH ...]}
ROUNDS=${2:-2}
[ $# -ge 2 ] && shift 2 || shift 1
BENCHES=${*:-10_pool 30_queue 45_tui_frame 40_ingest}
OUT=${OUT:-$ROOT/bench/pair-out}
THEIRS=${PAIR_TREE:-${TMPDIR:-/tmp}/opsdeck-pair-$(printf '%s' "$REV" | tr -c 'A-Za-z0-9' _)}
mkdir -p "$OUT"
if [ ! -d "$THEIRS" ]; then
    git -C "$ROOT" worktree add --detach "$THEIRS" "$REV" >/dev/null || exit 1
fi
make -C "$THEIRS" -s -j2 benches >/dev/null || { echo "pair: $REV does not build"; exit 1; }
make -C "$ROOT" -s -j2 benches >/dev/null || { echo "pair: this tree does not build"; exit 1; }
run() { # tree tag bench
    url=$(cd "$1" && sh scripts/pg-dev.sh start) || exit 1
    OPSDECK_TEST_PGHOST=$(printf '%s' "$url" | sed 's/.*host=\([^&]*\).*/\1/')
    export OPSDECK_TEST_PGHOST OPSDECK_TEST_PGUSER=opsdeck
    echo "$(date -u +%H:%M:%S) $3 $2 (load $(cut -d' ' -f1 /proc/loadavg))"
    (cd "$1" && sh "bench/$3.sh" >"$OUT/$3.$2" 2>"$OUT/$3.$2.err")
}
i=1
while [ "$i" -le "$ROUNDS" ]; do
    for b in $BENCHES; do
        run "$THEIRS" "theirs$i" "$b"
        run "$ROOT" "ours$i" "$b"
    done
    i=$((i + 1))
done
echo "pair: results in $OUT"
