# demo.sh — issue #16: `make demo` as a newcomer meets it, with port 8089 already taken (a
# small python listener holds it):
# - non-interactively (OPSDECK_DEMO_NO_CONSOLE=1) it picks a free port for the simulator, syncs,
#   prints working credentials and how to reopen the console (make console);
# - run again, it reuses what is there (the same simulator, the same admin and password);
# - a port asked for with OPSDECK_DEMO_PORT that is taken stops it with a clear message;
# - on a terminal (tmux) it waits for Enter before the console, which opens with the email
#   filled in; `make console` reopens it from the demo's configuration.
# The demo keeps its files in a temporary state directory and uses its own database in the
# private cluster, so a developer's own demo is left alone.
. tests/lib/common.sh
. tests/lib/tui.sh

if [ "$OD_BIN" != bin/opsdeck ]; then # the demo builds and runs bin/
    t_ok "demo # SKIP only in the plain variant"
    t_done
fi
STATE="$T_TMP/demo"
DB="t_demo_$$"
export OPSDECK_DEMO_STATE="$STATE" OPSDECK_PG_DB="$DB" OPSDECK_DEMO_SCALE=2000
unset OPSDECK_DEMO_PORT OPSDECK_DEMO_NO_CONSOLE OPSDECK_DATABASE_URL
T_DBS="$T_DBS $DB"
LPID=""
demo_cleanup() {
    [ -s "$STATE/sim.pid" ] && kill "$(cat "$STATE/sim.pid")" 2>/dev/null
    [ -n "$LPID" ] && kill "$LPID" 2>/dev/null
    tui_cleanup
}
trap demo_cleanup EXIT

# --- take port 8089 (if something else already has it, it is taken all the same)
python3 -c '
import socket, sys, time
s = socket.socket()
try:
    s.bind(("127.0.0.1", 8089)); s.listen(8)
except OSError as e:
    print("busy", e, flush=True); sys.exit(0)
print("listening", flush=True)
time.sleep(900)' >"$T_TMP/listener.out" 2>&1 &
LPID=$!
i=0
while [ ! -s "$T_TMP/listener.out" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
echo "# python listener on 8089: $(cat "$T_TMP/listener.out")"
t_check "port 8089 is taken" python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8089), 2)'

# --- non-interactive
OPSDECK_DEMO_NO_CONSOLE=1 sh scripts/demo.sh </dev/null >"$T_TMP/demo1.log" 2>&1
t_eq "make demo (no console) exits 0 with 8089 taken" 0 "$?"
log=$(cat "$T_TMP/demo1.log")
case "$log" in *"port 8089 is taken"*"using a free port instead"*) t_ok "says 8089 is taken and it picks another" ;;
*) t_fail "says 8089 is taken and it picks another" "$log" ;; esac
port=$(cat "$STATE/sim.port" 2>/dev/null)
t_check "the simulator listens on a free port (${port:-none}), not 8089" test -n "$port" -a "$port" != 8089
t_check "the simulator answers there" curl -sf -o /dev/null -H 'Authorization: Bearer sim-harvest-token' \
    -H 'Harvest-Account-Id: 1000001' "http://127.0.0.1:$port/v2/clients?per_page=1"
t_check "demo.ini points opsdeck at that port" grep -q "base_url = http://127.0.0.1:$port" "$STATE/demo.ini"
entries=$(psql "$(pg_url "$DB")" -qAtX -c 'SELECT count(*) FROM harvest_time_entries' 2>&1)
t_check "the first sync stored time entries ($entries)" test "${entries:-0}" -gt 0 2>/dev/null
pass=$(printf '%s\n' "$log" | sed -n 's/^    password: //p' | tail -n 1)
case "$log" in *"email:    admin@demo.local"*) t_ok "prints the demo admin's email" ;; *) t_fail "prints the demo admin's email" "$log" ;; esac
t_check "prints a password" test -n "$pass"
out=$(printf '%s\n' "$pass" | OPSDECK_CONFIG="$STATE/demo.ini" bin/opsdeck user login admin@demo.local 2>&1)
t_eq "the printed credentials log in" 0 "$?"
case "$log" in *"make console"*) t_ok "says how to reopen the console (make console)" ;;
*) t_fail "says how to reopen the console (make console)" "$log" ;; esac
t_eq "the password file is private" 600 "$(stat -c %a "$STATE/demo-admin.password" 2>&1)"

# --- again: reuses what is there
simpid=$(cat "$STATE/sim.pid" 2>/dev/null)
OPSDECK_DEMO_NO_CONSOLE=1 sh scripts/demo.sh </dev/null >"$T_TMP/demo2.log" 2>&1
t_eq "make demo again exits 0" 0 "$?"
log2=$(cat "$T_TMP/demo2.log")
case "$log2" in *"already running on 127.0.0.1:$port (pid $simpid)"*) t_ok "the second run reuses the simulator" ;;
*) t_fail "the second run reuses the simulator" "$log2" ;; esac
t_eq "and the same password" "$pass" "$(printf '%s\n' "$log2" | sed -n 's/^    password: //p' | tail -n 1)"

# --- a port asked for that is taken: a clear stop
OPSDECK_DEMO_STATE="$T_TMP/demo-port" OPSDECK_DEMO_PORT=8089 OPSDECK_DEMO_NO_CONSOLE=1 \
    sh scripts/demo.sh </dev/null >"$T_TMP/demo3.log" 2>&1
t_eq "OPSDECK_DEMO_PORT=8089 taken: exits 1" 1 "$?"
case "$(cat "$T_TMP/demo3.log")" in
*"cannot listen on 127.0.0.1:8089"*"OPSDECK_DEMO_PORT"*) t_ok "OPSDECK_DEMO_PORT taken: says so and what to do" ;;
*) t_fail "OPSDECK_DEMO_PORT taken: says so and what to do" "$(tail -8 "$T_TMP/demo3.log")" ;;
esac

# --- on a terminal: waits for Enter, then the console with the email filled in
TUI_SOCK="opsdeck-e2e-$$-demo"
tui_start 100 40 -- sh scripts/demo.sh
t_screen "the demo asks: Press Enter to open the console" 'Press Enter to open the console' 120
t_eq "it is waiting in the script, not in the console" sh \
    "$(tmx display-message -p -t "$TUI_SESSION" '#{pane_current_command}')"
t_eq "no console on the screen yet" 0 "$(tmx display-message -p -t "$TUI_SESSION" '#{alternate_on}')"
tui_keys Enter
t_screen "Enter opens the console, the email filled in" 'Email +admin@demo\.local' 15
tui_type "$pass"
tui_keys Enter
t_screen "the password typed next logs in" 'admin@demo\.local \(admin\)' 15
tui_keys q
t_eq "q quits the console (and the demo) with 0" 0 "$(tui_exit 15)"
tmx kill-server >/dev/null 2>&1

# --- make console: the same demo again
TUI_SOCK="opsdeck-e2e-$$-console"
tui_start 100 40 -- make --no-print-directory console
t_screen "make console opens the console with the email filled in" 'Email +admin@demo\.local' 60
tui_keys C-c
t_eq "C-c leaves make console with 0" 0 "$(tui_exit 15)"
t_eq "the simulator is still the demo's" "$simpid" "$(cat "$STATE/sim.pid")"

t_done
