#!/bin/sh
# sync_pace — the client limiter uses the provider's whole window and never causes a 429
# (issue #15), at a scaled-down Harvest limit of 10 requests in any 2 s (the simulator enforces
# it; opsdeck is told the same numbers). A Harvest sync of ~45 requests, then the same with two
# worker processes sharing the account: the simulator never refused a request (no 429), never
# saw more than 10 in any 2 s window, and did see 10 in one (the first burst goes at once: the
# old limiter, a burst of limit/10 then paced, never filled a window). The simulator's request
# log shows the first 10 Harvest requests inside one window. No timing is asserted.
. tests/lib/common.sh
. tests/lib/truth.sh

N=10 S=2
export OPSDECK_RATELIMIT_HARVEST="$N/$((S * 1000))" OPSDECK_HARVEST_PER_PAGE=50
export OPSDECK_SYNC_WORKERS=2

sim_start --scale 2000 --seed 12 --harvest-limit "$N/$S" || { t_fail "simulator"; t_done; }
stats() { curl -sf "$SIM_URL/__sim/stats"; }
jget() { printf "SELECT (:'j')::json #>> '{%s}'\n" "$2" | psql_db -v j="$1"; }

check() { # label
    s=$(stats)
    req=$(jget "$s" harvest,requests)
    n429=$(jget "$s" harvest,429)
    maxw=$(jget "$s" harvest,max_in_window)
    echo "# $1: $req Harvest requests, $n429 answered 429, at most $maxw in a ${S} s window"
    t_eq "$1: no request answered 429" 0 "$n429"
    t_eq "$1: the whole window used, never more ($N in a ${S} s window at most, and once exactly)" \
        "$N" "$maxw"
}

db_new || { t_fail "database"; t_done; }
"$OD_BIN" sync harvest --wait >"$T_TMP/s1.out" 2>&1
t_eq "sync harvest completes" 0 "$?"
check "one process"
t_eq "the database equals the truth" "$(truth_clients)" "$(raw_clients)"
# The first N Harvest requests of the log fall inside one window of S seconds.
first=$(grep ' /v2/' "$T_TMP/sim.log" | head -n 1 | cut -c12-23)
nth=$(grep ' /v2/' "$T_TMP/sim.log" | sed -n "${N}p" | cut -c12-23)
span=$(printf "SELECT extract(epoch FROM '%s'::time - '%s'::time) < %s\n" "$nth" "$first" "$S" | psql_db)
t_eq "the first $N requests went as one burst (log: $first .. $nth)" t "$span"

# Two processes, one account, restart of the simulator's counters.
sim_stop
sim_start --scale 2000 --seed 12 --harvest-limit "$N/$S" || { t_fail "simulator 2"; t_done; }
db_new || t_fail "database 2"
"$OD_BIN" sync harvest >/dev/null
"$OD_BIN" worker --once --threads 2 >"$T_TMP/w1.log" 2>&1 &
a=$!
"$OD_BIN" worker --once --threads 2 >"$T_TMP/w2.log" 2>&1 &
b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
t_eq "both workers exit 0" "0 0" "$ra $rb"
check "two processes"
t_eq "every job completed" 0 "$(psql_db -c "SELECT count(*) FROM sync_jobs WHERE state <> 'completed'")"
t_eq "the database equals the truth" "$(truth_clients)" "$(raw_clients)"
t_done
