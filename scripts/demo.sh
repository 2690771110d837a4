#!/bin/sh
# demo.sh — `make demo`: everything a newcomer needs to see opsdeck working, in one command.
# Installs missing Debian packages, builds, starts the private PostgreSQL cluster under
# .opsdeck/, migrates, starts the simulator with demo data, points opsdeck at it, runs a first
# sync, creates a demo admin and prints its credentials, then waits for Enter and opens the
# console with the email filled in. Run again, it reuses what is there: the cluster, the
# database, the simulator (if still running), the key, the demo admin and its password.
#
#   sh scripts/demo.sh             the demo (make demo)
#   sh scripts/demo.sh --console   the console again (make console): the demo's configuration,
#                                  the cluster and the simulator started again if they stopped
# Environment:
#   OPSDECK_DEMO_PORT        the simulator's port; default 8089, or any free port when 8089 is
#                            taken (a port given here and taken stops the demo, saying so)
#   OPSDECK_DEMO_NO_CONSOLE  set: stop after printing the credentials (scripts, tests)
#   OPSDECK_DEMO_STATE       where the demo keeps its files (default .opsdeck)
#   OPSDECK_DEMO_SCALE       time entries in the simulated world (default 20000)
#   OPSDECK_PG_DB            the database in the private cluster (default opsdeck)
# Files in the state directory: demo.ini (the configuration), master.key, sim.pid, sim.port,
# sim.log, demo-admin.password (0600: the demo admin's password on this private cluster).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STATE=${OPSDECK_DEMO_STATE:-$ROOT/.opsdeck}
mkdir -p "$STATE"
CONF=$STATE/demo.ini
KEY=$STATE/master.key
CRED=$STATE/demo-admin.password
EMAIL=admin@demo.local
SCALE=${OPSDECK_DEMO_SCALE:-20000}
MODE=demo
[ "${1:-}" = --console ] && MODE=console
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
missing() { printf '    (skipped: %s is not built yet)\n' "$1"; }
has() { bin/opsdeck help "$1" >/dev/null 2>&1; }

# The simulator this demo started, if it still runs (a pid file can outlive its process).
sim_alive() {
    [ -s "$STATE/sim.pid" ] && [ -s "$STATE/sim.port" ] || return 1
    pid=$(cat "$STATE/sim.pid")
    kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q opsdeck-sim
}

# start_sim PORT: the simulator on 127.0.0.1:PORT (0: any free port); 1 when it could not
# listen there. Its port ends up in sim.port, written by the simulator once it listens.
start_sim() {
    rm -f "$STATE/sim.port"
    nohup bin/opsdeck-sim --listen "127.0.0.1:$1" --port-file "$STATE/sim.port" --seed 42 \
        --scale "$SCALE" --log "$STATE/sim.log" >"$STATE/sim.out" 2>&1 &
    pid=$!
    i=0
    while [ ! -s "$STATE/sim.port" ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        i=$((i + 1))
        if [ $i -gt 600 ]; then kill "$pid"; return 1; fi
        sleep 0.1
    done
    echo "$pid" >"$STATE/sim.pid"
}

ensure_sim() {
    if sim_alive; then
        PORT=$(cat "$STATE/sim.port")
        echo "    already running on 127.0.0.1:$PORT (pid $(cat "$STATE/sim.pid"))"
        return 0
    fi
    want=${OPSDECK_DEMO_PORT:-8089}
    if start_sim "$want"; then
        :
    elif [ -n "${OPSDECK_DEMO_PORT:-}" ]; then
        echo "demo: the simulator cannot listen on 127.0.0.1:$want:" >&2
        sed 's/^/    /' "$STATE/sim.out" >&2
        echo "Is another program using port $want? Choose another with OPSDECK_DEMO_PORT=N," >&2
        echo "or leave OPSDECK_DEMO_PORT unset and the demo picks a free port." >&2
        exit 1
    else
        echo "    port $want is taken ($(tail -n 1 "$STATE/sim.out")); using a free port instead"
        start_sim 0 || {
            echo "demo: the simulator does not start:" >&2
            sed 's/^/    /' "$STATE/sim.out" >&2
            exit 1
        }
    fi
    PORT=$(cat "$STATE/sim.port")
    echo "    listening on 127.0.0.1:$PORT (pid $(cat "$STATE/sim.pid"), log $STATE/sim.log)"
}

write_config() {
    cat >"$CONF" <<INI
[database]
url = $OPSDECK_DATABASE_URL
[secrets]
key_file = $KEY
[harvest]
base_url = http://127.0.0.1:$PORT
id_url = http://127.0.0.1:$PORT
account_id = 1000001
[hubspot]
base_url = http://127.0.0.1:$PORT
auth_url = http://127.0.0.1:$PORT
client_id = sim-client-id
redirect_uri = http://127.0.0.1:8765/callback
[log]
file = $STATE/opsdeck.log
INI
}

open_console() {
    echo
    echo "Reopen the console any time with: make console"
    echo "Use this demo from your shell:   export OPSDECK_CONFIG=$CONF"
    if [ -n "${OPSDECK_DEMO_NO_CONSOLE:-}" ]; then return 0; fi
    if ! has ui; then missing "the console (ui)"; return 0; fi
    if ! [ -t 0 ] || ! [ -t 1 ]; then
        echo "(not opening the console: no terminal)"
        return 0
    fi
    printf '\nPress Enter to open the console (log in with the password above; q quits) '
    read -r _ || return 0
    exec bin/opsdeck ui --email "$EMAIL"
}

if [ "$MODE" = console ]; then
    if [ ! -s "$CONF" ] || [ ! -x bin/opsdeck ]; then
        echo "make console: there is no demo here yet; run make demo first" >&2
        exit 1
    fi
    OPSDECK_DATABASE_URL=$(sh scripts/pg-dev.sh start)
    export OPSDECK_DATABASE_URL OPSDECK_CONFIG=$CONF OPSDECK_HUBSPOT_CLIENT_SECRET=sim-client-secret
    say "The simulator"
    ensure_sim
    write_config # the port may have changed
    unset OPSDECK_DATABASE_URL # the configuration has it
    [ -s "$CRED" ] && printf '    email:    %s\n    password: %s\n' "$EMAIL" "$(cat "$CRED")"
    if [ -t 0 ] && [ -t 1 ] && [ -z "${OPSDECK_DEMO_NO_CONSOLE:-}" ]; then
        exec bin/opsdeck ui --email "$EMAIL"
    fi
    exit 0
fi

say "Installing missing Debian packages"
sh scripts/deps.sh
say "Building"
make -j"$(nproc)" all >"$STATE/build.log" 2>&1 || { tail -30 "$STATE/build.log"; exit 1; }
say "Starting the private PostgreSQL cluster (.opsdeck/pg, Unix socket only)"
OPSDECK_DATABASE_URL=$(sh scripts/pg-dev.sh start)
export OPSDECK_DATABASE_URL
say "Migrating"
bin/opsdeck migrate

# Demo configuration: the simulator stands in for Harvest and HubSpot.
say "Starting the simulator (seeded demo world)"
PORT=""
if [ -x bin/opsdeck-sim ]; then ensure_sim; else missing opsdeck-sim; PORT=${OPSDECK_DEMO_PORT:-8089}; fi
write_config
export OPSDECK_CONFIG=$CONF
export OPSDECK_HUBSPOT_CLIENT_SECRET=sim-client-secret

say "Connecting opsdeck to the simulator"
if has keygen && has connect; then
    [ -f "$KEY" ] || bin/opsdeck keygen
    echo sim-harvest-token | bin/opsdeck connect harvest --account-id 1000001
    echo sim-hubspot-token | bin/opsdeck connect hubspot --private-app
else
    missing "keygen/connect"
    export OPSDECK_HARVEST_TOKEN=sim-harvest-token OPSDECK_HUBSPOT_TOKEN=sim-hubspot-token
fi

say "Running a first sync"
if has sync; then bin/opsdeck sync all --wait || echo "    the first sync reported problems; see the Sync screen"; else missing sync; fi

say "The demo admin"
if has user; then
    if [ -s "$CRED" ] && bin/opsdeck user list --json 2>/dev/null | grep -q "\"$EMAIL\""; then
        PASS=$(cat "$CRED")
        echo "    (the one from last time)"
    else
        PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
        if printf '%s\n%s\n' "$PASS" "$PASS" | bin/opsdeck user add "$EMAIL" --role admin --name "Demo Admin" >/dev/null 2>&1 ||
            printf '%s\n%s\n' "$PASS" "$PASS" | bin/opsdeck user passwd "$EMAIL" >/dev/null 2>&1; then
            (umask 077 && printf '%s\n' "$PASS" >"$CRED")
        else
            echo "    could not create the demo admin; try: bin/opsdeck user add $EMAIL --role admin"
            PASS=""
        fi
    fi
    [ -n "$PASS" ] && printf '    email:    %s\n    password: %s\n' "$EMAIL" "$PASS"
else
    missing "user"
fi

unset OPSDECK_DATABASE_URL # from here on the configuration says it
open_console
