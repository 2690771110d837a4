# common.sh — helpers for shell test suites (sourced; scripts run from the repository root).
#
#   . tests/lib/common.sh
#   t_ok "desc" | t_fail "desc" "detail" | t_check "desc" cmd args... | t_eq "desc" want got
#   db_new            -> fresh migrated database; exports OPSDECK_DATABASE_URL
#   sim_start [ARGS]  -> opsdeck-sim on a free loopback port; exports SIM_URL and the
#                        OPSDECK_* variables pointing opsdeck at it (tokens via environment)
#   sim_stop          -> stop it (also done at exit)
#   t_done            -> exit status: 0 when nothing failed
# Output is TAP ("ok N - desc" / "not ok N - desc"); tests/run.sh counts the lines.
# Binaries: $OD_BIN (bin/opsdeck) and $OD_SIM (bin/opsdeck-sim), set by the runner per variant.

OD_BIN=${OD_BIN:-bin/opsdeck}
OD_SIM=${OD_SIM:-bin/opsdeck-sim}
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-test.XXXXXX")
T_DBS=""
SIM_PIDS=""
export OPSDECK_LOG_LEVEL=${OPSDECK_LOG_LEVEL:-warn}
export PGOPTIONS='-c client_min_messages=warning'
export XDG_CONFIG_HOME="$T_TMP/config" XDG_STATE_HOME="$T_TMP/state"
unset OPSDECK_CONFIG

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
t_fail() {
    T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $1"
    [ $# -gt 1 ] && printf '%s\n' "$2" | head -20 | sed 's/^/#   /'
    return 0
}
t_check() {
    desc=$1; shift
    if out=$("$@" 2>&1); then t_ok "$desc"; else t_fail "$desc" "command: $* -> $out"; fi
}
t_eq() {
    if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected: $2
got:      $3"; fi
}
t_done() { [ "$T_FAILED" -eq 0 ]; exit $?; }

pg_url() { printf 'postgresql:///%s?host=%s&user=%s' "$1" "${OPSDECK_TEST_PGHOST:?run via tests/run.sh or make test}" "${OPSDECK_TEST_PGUSER:-opsdeck}"; }

# db_new [NAME]: create an empty database, migrate it with the real binary, export its URL.
db_new() {
    name=${1:-t_$(basename "$0" .sh | tr -c 'a-zA-Z0-9_\n' _)_$$_$T_N}
    psql "$(pg_url postgres)" -qAtc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1
    psql "$(pg_url postgres)" -qAtc "CREATE DATABASE \"$name\"" >/dev/null || return 1
    T_DBS="$T_DBS $name"
    OPSDECK_DATABASE_URL=$(pg_url "$name")
    export OPSDECK_DATABASE_URL
    "$OD_BIN" migrate >"$T_TMP/migrate.log" 2>&1 || { cat "$T_TMP/migrate.log" >&2; return 1; }
}

psql_db() { psql "$OPSDECK_DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# sim_start [ARGS]: start the simulator on a free port and point opsdeck at it.
sim_start() {
    pf="$T_TMP/sim.port.$$.$(date +%s%N)"
    export OPSDECK_SIM_HARVEST_TOKEN=${OPSDECK_SIM_HARVEST_TOKEN:-sim-harvest-token}
    export OPSDECK_SIM_HUBSPOT_TOKEN=${OPSDECK_SIM_HUBSPOT_TOKEN:-sim-hubspot-token}
    "$OD_SIM" --listen 127.0.0.1:0 --port-file "$pf" --log "$T_TMP/sim.log" "$@" \
        >>"$T_TMP/sim.out" 2>&1 &
    SIM_PID=$!
    SIM_PIDS="$SIM_PIDS $SIM_PID"
    i=0
    while [ ! -s "$pf" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "sim_start: simulator did not start" >&2; cat "$T_TMP/sim.out" >&2; return 1
        fi
        sleep 0.05
    done
    SIM_PORT=$(cat "$pf")
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    export SIM_URL SIM_PID SIM_PORT
    export OPSDECK_HARVEST_BASE_URL="$SIM_URL" OPSDECK_HARVEST_ID_URL="$SIM_URL"
    export OPSDECK_HUBSPOT_BASE_URL="$SIM_URL" OPSDECK_HUBSPOT_AUTH_URL="$SIM_URL"
    export OPSDECK_HARVEST_ACCOUNT_ID=${OPSDECK_HARVEST_ACCOUNT_ID:-1000001}
    export OPSDECK_HARVEST_TOKEN="$OPSDECK_SIM_HARVEST_TOKEN" OPSDECK_HUBSPOT_TOKEN="$OPSDECK_SIM_HUBSPOT_TOKEN"
    export OPSDECK_HUBSPOT_CLIENT_ID=${OPSDECK_HUBSPOT_CLIENT_ID:-sim-client-id}
    export OPSDECK_HUBSPOT_CLIENT_SECRET=${OPSDECK_HUBSPOT_CLIENT_SECRET:-sim-client-secret}
}

# oauth_auth_url FILE: the authorize URL `opsdeck connect hubspot` prints to FILE (its stderr),
# waiting up to 10 s for it; empty when it never came.
oauth_auth_url() {
    _i=0 _u=""
    while [ -z "$_u" ] && [ $_i -lt 100 ]; do
        _u=$(grep -o 'http://127.0.0.1:[0-9]*/oauth/authorize?[^ ]*' "$1" 2>/dev/null | head -n 1)
        [ -n "$_u" ] || sleep 0.1
        _i=$((_i + 1))
    done
    printf '%s' "$_u"
}

sim_stop() {
    for p in $SIM_PIDS; do kill "$p" 2>/dev/null; done
    for p in $SIM_PIDS; do wait "$p" 2>/dev/null; done
    SIM_PIDS=""
}

t_cleanup() {
    sim_stop
    if [ -z "${OPSDECK_TEST_KEEP:-}" ]; then
        for d in $T_DBS; do
            psql "$(pg_url postgres)" -qAtc "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1
        done
        rm -rf "$T_TMP"
    fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM
