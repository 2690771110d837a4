#!/bin/sh
# metrics_server.sh — the worker's /healthz and /metrics listener under abuse (issue #12 item 10):
#   1. /healthz needs no login, so N requests must cost upstream nothing: the simulator (base URL
#      of both providers) sees no request at all, and the answer is a snapshot (same check times,
#      an Age header) refreshed at most every metrics.healthz_refresh_s;
#   2. 40 idle TCP connections from one address do not stop /metrics answering another client;
#      40 from the scraper's own address are closed after the idle timeout, so it answers again;
#   3. binding a non-loopback address logs a warning.
# Timings are printed; only generous bounds fail a test.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start --scale 100 || { t_fail "simulator"; t_done; }
# No token: the scheduler enqueues no sync, so every upstream request would be /healthz's.
unset OPSDECK_HARVEST_TOKEN OPSDECK_HUBSPOT_TOKEN

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
upstream_requests() {
    curl -sf "$SIM_URL/__sim/stats" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["harvest"]["requests"] + d["hubspot"]["requests"] + d["other"]["requests"])'
}
PORT=$(free_port)
M="http://127.0.0.1:$PORT"
"$OD_BIN" worker --threads 1 --metrics-listen "127.0.0.1:$PORT" >"$T_TMP/worker.log" 2>&1 &
WPID=$!
i=0
until curl -sf -o /dev/null --max-time 2 "$M/metrics"; do
    i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
t_eq "the worker serves /metrics" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$M/metrics")"

# 1. /healthz makes no upstream call --------------------------------------------------------
before=$(upstream_requests)
N=25
codes=""
for _ in $(seq 1 $N); do
    codes="$codes$(curl -s -o "$T_TMP/hz.json" -D "$T_TMP/hz.h" -w '%{http_code}' --max-time 15 "$M/healthz") "
done
after=$(upstream_requests)
t_eq "$N /healthz requests answer (200 or 503)" "" "$(printf '%s' "$codes" | tr ' ' '\n' | grep -vE '^(200|503|)$')"
t_eq "$N /healthz requests make no upstream request (simulator request count unchanged)" "$before" "$after"
t_eq "no request for the base URL itself (the old reachability probe) in the simulator log" 0 \
    "$(grep -c ' GET / ' "$T_TMP/sim.log")"
grep -qi '^Age: [0-9]' "$T_TMP/hz.h" && t_ok "/healthz says how old its snapshot is (Age header)" ||
    t_fail "/healthz has an Age header" "$(cat "$T_TMP/hz.h")"
reach=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["checks"]["harvest:reachability"][0]["status"], d["checks"]["hubspot:reachability"][0]["status"])' "$T_TMP/hz.json")
t_eq "reachability is 'unknown' in /healthz (not probed)" "unknown unknown" "$reach"
t1=$(curl -s "$M/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["database:latency"][0]["time"])')
t2=$(curl -s "$M/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["database:latency"][0]["time"])')
t_eq "two requests in a row get the same snapshot (checks run at most every 15 s)" "$t1" "$t2"
kill "$WPID"; wait "$WPID" 2>/dev/null

# A short refresh period: the snapshot does move on.
OPSDECK_METRICS_HEALTHZ_REFRESH_S=1 "$OD_BIN" worker --threads 1 --metrics-listen "127.0.0.1:$PORT" >"$T_TMP/worker2.log" 2>&1 &
WPID=$!
i=0
until curl -sf -o /dev/null --max-time 2 "$M/metrics"; do
    i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
t1=$(curl -s "$M/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["database:latency"][0]["time"])')
sleep 1.5
t2=$(curl -s "$M/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["database:latency"][0]["time"])')
[ -n "$t1" ] && [ "$t1" != "$t2" ] && t_ok "metrics.healthz_refresh_s=1: the snapshot is refreshed ($t1 -> $t2)" ||
    t_fail "the snapshot is refreshed" "$t1 / $t2"

# 2. Idle connections ----------------------------------------------------------------------
# idle SRC N SECS: open N connections from SRC, send nothing, hold them SECS, then print how
# many the server had closed.
idle() {
    python3 - "$1" "$PORT" "$2" "$3" <<'PY'
import socket, sys, time
src, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    socks.append(s)
time.sleep(hold)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print(closed)
PY
}
idle 127.0.0.2 40 8 >"$T_TMP/idle1.out" 2>&1 &
IPID=$!
sleep 1
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$M/metrics")
t_eq "40 idle connections from 127.0.0.2: /metrics still answers 127.0.0.1 at once" 200 "$code"
wait "$IPID"
t_eq "... and the server closed all 40 (over the per-address limit, or idle past 5 s)" 40 "$(cat "$T_TMP/idle1.out")"

idle 127.0.0.1 40 12 >"$T_TMP/idle2.out" 2>&1 &
IPID=$!
sleep 1
t0=$(date +%s)
code=000
while [ "$code" != 200 ] && [ $(($(date +%s) - t0)) -lt 30 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$M/metrics")
    [ "$code" = 200 ] || sleep 0.5
done
took=$(($(date +%s) - t0))
echo "# /metrics answered ${took}s after 40 idle connections from its own address"
t_eq "40 idle connections from the scraper's own address: /metrics answers again within 30 s" 200 "$code"
wait "$IPID"
t_eq "... all 40 idle connections were closed by the server" 40 "$(cat "$T_TMP/idle2.out")"
kill "$WPID"; wait "$WPID" 2>/dev/null
t_eq "the refused connections do not flood the log (one line a minute, as JSON)" "1|0" \
    "$(grep -c "connection limit" "$T_TMP/worker2.log")|$(grep "connection limit" "$T_TMP/worker2.log" | grep -vc "^{")"
grep 'connection limit' "$T_TMP/worker2.log" | head -2 | sed 's/^/# /'

# 3. Non-loopback bind: warning -----------------------------------------------------------
P2=$(free_port)
OPSDECK_LOG_LEVEL=warn "$OD_BIN" worker --threads 1 --metrics-listen "0.0.0.0:$P2" >"$T_TMP/worker3.log" 2>&1 &
WPID=$!
i=0
until grep -q 'reachable from other hosts' "$T_TMP/worker3.log" || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
grep -q 'metrics listener 0.0.0.0:[0-9]* is reachable from other hosts' "$T_TMP/worker3.log" &&
    t_ok "binding 0.0.0.0 logs a warning" || t_fail "binding 0.0.0.0 logs a warning" "$(cat "$T_TMP/worker3.log")"
kill "$WPID"; wait "$WPID" 2>/dev/null
grep -q 'reachable from other hosts' "$T_TMP/worker.log" && t_fail "no warning on 127.0.0.1" || t_ok "no warning on 127.0.0.1"
t_done
