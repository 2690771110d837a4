#!/bin/sh
# pg-dev.sh — a private PostgreSQL cluster for development, tests and benchmarks.
#   scripts/pg-dev.sh start|stop|status|url|psql [ARGS]|createdb NAME|dropdb NAME
# Data under $OPSDECK_PG_DIR (default .opsdeck/pg), Unix socket only (no TCP), trust auth for
# the socket (its directory is private). As root, the server runs as the `postgres` user,
# because initdb refuses root.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGDIR=${OPSDECK_PG_DIR:-$ROOT/.opsdeck/pg}
DATA=$PGDIR/data
SOCK=$PGDIR/run
LOG=$PGDIR/server.log
DB=${OPSDECK_PG_DB:-opsdeck}
SUPER=opsdeck

find_bin() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/$1" ] && { echo "$d/$1"; return; }
    done
    command -v "$1" 2>/dev/null || { echo "pg-dev: $1 not found; run scripts/deps.sh" >&2; exit 1; }
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A Unix socket path must fit in 107 bytes; fall back to a short private dir if needed.
if [ ${#SOCK} -gt 90 ]; then
    SOCK=/tmp/opsdeck-pg-$(printf '%s' "$PGDIR" | cksum | cut -d' ' -f1)
fi

url() { printf 'postgresql:///%s?host=%s&user=%s\n' "${1:-$DB}" "$SOCK" "$SUPER"; }

running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$(find_bin pg_ctl)" -D "$DATA" status >/dev/null 2>&1; }

# The database $DB exists (created on first use: OPSDECK_PG_DB may name a new one).
ensure_db() {
    as_owner "$(find_bin psql)" -h "$SOCK" -U "$SUPER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
        as_owner "$(find_bin createdb)" -h "$SOCK" -U "$SUPER" "$DB"
}

start() {
    if running; then ensure_db; return 0; fi
    mkdir -p "$PGDIR" "$SOCK"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
        chown postgres "$PGDIR" "$SOCK"
        # postgres must be able to reach the cluster directory
        d=$PGDIR; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    fi
    chmod 700 "$SOCK"
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_owner "$(find_bin initdb)" -D "$DATA" -U "$SUPER" -A trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 ||
            as_owner "$(find_bin initdb)" -D "$DATA" -U "$SUPER" -A trust -E UTF8 --no-locale >"$PGDIR/initdb.log" 2>&1 ||
            { cat "$PGDIR/initdb.log" >&2; exit 1; }
        cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
max_connections = 300
shared_buffers = 256MB
fsync = ${OPSDECK_PG_FSYNC:-on}
synchronous_commit = off
log_min_messages = warning
CONF
    fi
    as_owner "$(find_bin pg_ctl)" -D "$DATA" -l "$LOG" -o "-k $SOCK" -w -t 60 start >/dev/null ||
        { tail -20 "$LOG" >&2; exit 1; }
    ensure_db
}

stop() {
    running || return 0
    as_owner "$(find_bin pg_ctl)" -D "$DATA" -m fast -w stop >/dev/null
}

cmd=${1:-status}
[ $# -gt 0 ] && shift
case "$cmd" in
    start) start; url ;;
    stop) stop ;;
    restart) stop; start ;;
    status) if running; then echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
    url) url "$@" ;;
    psql) exec "$(find_bin psql)" "$(url)" "$@" ;;
    createdb) "$(find_bin psql)" "$(url postgres)" -qc "CREATE DATABASE \"$1\"" >/dev/null; url "$1" ;;
    dropdb) "$(find_bin psql)" "$(url postgres)" -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null ;;
    -h|--help|help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) echo "pg-dev: unknown command '$cmd' (start|stop|restart|status|url|psql|createdb|dropdb)" >&2; exit 2 ;;
esac
