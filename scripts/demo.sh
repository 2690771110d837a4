#!/bin/sh
# demo.sh — `make demo`: everything a newcomer needs to see opsdeck working, in one command.
# Installs missing Debian packages, builds, starts the private PostgreSQL cluster under
# .opsdeck/, migrates, starts the simulator with demo data, points opsdeck at it, runs a first
# sync, creates a demo admin and prints its credentials, then opens the console.
# Steps whose parts are not built yet are reported and skipped.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STATE=$ROOT/.opsdeck
mkdir -p "$STATE"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
missing() { printf '    (skipped: %s is not built yet)\n' "$1"; }

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
PORT=${OPSDECK_DEMO_PORT:-8089}
KEY=$STATE/master.key
CONF=$STATE/demo.ini
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
export OPSDECK_CONFIG=$CONF
export OPSDECK_HUBSPOT_CLIENT_SECRET=sim-client-secret

say "Starting the simulator on 127.0.0.1:$PORT (seeded demo world)"
if [ -x bin/opsdeck-sim ]; then
    if [ -f "$STATE/sim.pid" ] && kill -0 "$(cat "$STATE/sim.pid")" 2>/dev/null; then
        echo "    already running (pid $(cat "$STATE/sim.pid"))"
    else
        nohup bin/opsdeck-sim --listen 127.0.0.1:$PORT --seed 42 --scale 20000 \
            --log "$STATE/sim.log" >/dev/null 2>&1 &
        echo $! >"$STATE/sim.pid"
        sleep 0.5
    fi
else
    missing opsdeck-sim
fi

has() { bin/opsdeck help "$1" >/dev/null 2>&1; }
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

say "Creating the demo admin"
if has user; then
    PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    if printf '%s\n' "$PASS" | bin/opsdeck user add admin@demo.local --role admin --name "Demo Admin" >/dev/null 2>&1 ||
        printf '%s\n' "$PASS" | bin/opsdeck user passwd admin@demo.local >/dev/null 2>&1; then
        printf '    email:    admin@demo.local\n    password: %s\n' "$PASS"
    else
        echo "    could not create the demo admin; try: bin/opsdeck user add admin@demo.local --role admin"
    fi
else
    missing "user"
fi

echo
echo "Configuration: $CONF   (export OPSDECK_CONFIG=$CONF to use it from your shell)"
if has ui && [ -t 1 ]; then
    say "Opening the console (q quits)"
    exec bin/opsdeck ui
else
    has ui || missing "the console (ui)"
fi
