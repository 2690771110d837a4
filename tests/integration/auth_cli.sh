#!/bin/sh
# auth_cli — the security commands as a person uses them: key file refusal, users and the
# login messages, lockout and audit rows, the HubSpot OAuth paste flow against opsdeck-sim
# (good, expired code, wrong state, refresh-token rotation), the --listen flow (requests
# without the state ignored, success page only after the exchange), Harvest token from stdin, key
# rotation, and a pg_dump that holds no password or token in clear.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
export OPSDECK_AUTH_MAX_FAILURES=5

# --- key file -------------------------------------------------------------------------------
t_check "keygen creates the key file" "$OD_BIN" keygen
t_eq "key file mode is 0600" "600" "$(stat -c %a "$OPSDECK_SECRETS_KEY_FILE")"
out=$("$OD_BIN" keygen 2>&1) && t_fail "keygen refuses to overwrite" || t_ok "keygen refuses to overwrite"
chmod 644 "$OPSDECK_SECRETS_KEY_FILE"
out=$(printf 'tok\n' | "$OD_BIN" connect harvest --account-id 42 2>&1)
case "$out" in
*"mode 0644 lets group or others access it"*"chmod 600 $OPSDECK_SECRETS_KEY_FILE"*) t_ok "world-readable key file refused with the reason and the fix" ;;
*) t_fail "world-readable key file refused with the reason and the fix" "$out" ;;
esac
chmod 600 "$OPSDECK_SECRETS_KEY_FILE"

# --- users and logins -----------------------------------------------------------------------
t_check "user add (password twice on stdin)" sh -c "printf 'pw-for-ann-1\npw-for-ann-1\n' | '$OD_BIN' user add ann@example.com --role ops --name Ann"
out=$(printf 'short\nshort\n' | "$OD_BIN" user add bo@example.com --role ops 2>&1)
case "$out" in *"too short"*) t_ok "short password refused" ;; *) t_fail "short password refused" "$out" ;; esac
out=$(printf 'pw-for-ann-1\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "login succeeds" "Logged in as ann@example.com (ops)." "$out"
wrong=$(printf 'nope-nope-1\n' | "$OD_BIN" user login ann@example.com 2>&1)
unknown=$(printf 'nope-nope-1\n' | "$OD_BIN" user login ghost@example.com 2>&1)
t_eq "wrong password message" "Invalid email or password." "$wrong"
t_eq "unknown user gets the same message" "$wrong" "$unknown"
for i in 1 2 3 4; do printf 'nope-nope-1\n' | "$OD_BIN" user login ann@example.com >/dev/null 2>&1; done
out=$(printf 'pw-for-ann-1\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "sixth attempt is refused even with the right password" "Too many failed attempts; try again later." "$out"
t_eq "lockout audited" "1" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.lockout'")"
t_eq "failures audited with source" "6" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND source = 'local' AND actor = 'ann@example.com'")"
SSH_CONNECTION="198.51.100.9 50000 10.0.0.1 22" sh -c "printf 'x-x-x-x-x\n' | '$OD_BIN' user login ann@example.com" >/dev/null 2>&1
t_eq "source taken from SSH_CONNECTION" "1" "$(psql_db -c "SELECT count(*) FROM login_attempts WHERE source = '198.51.100.9'")"
t_check "passwd unlocks" sh -c "printf 'pw-for-ann-2\npw-for-ann-2\n' | '$OD_BIN' user passwd ann@example.com"
out=$(printf 'pw-for-ann-2\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "login after passwd" "Logged in as ann@example.com (ops)." "$out"
out=$("$OD_BIN" user list --json)
case "$out" in *'"email":	"ann@example.com"'*|*'"email": "ann@example.com"'*) t_ok "user list --json" ;; *) t_fail "user list --json" "$out" ;; esac
t_check "user disable" "$OD_BIN" user disable ann@example.com
out=$(printf 'pw-for-ann-2\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "disabled user gets the generic message" "Invalid email or password." "$out"

# --- HubSpot OAuth paste flow against the simulator -----------------------------------------
# oauth_run PASTE_FILTER: run `connect hubspot`, follow the authorize URL it prints with curl,
# and paste the redirect (passed through PASTE_FILTER, e.g. to tamper with it).
oauth_run() {
    fifo="$T_TMP/paste.$$"; rm -f "$fifo"; mkfifo "$fifo"
    "$OD_BIN" connect hubspot <"$fifo" >"$T_TMP/oauth.out" 2>"$T_TMP/oauth.err" &
    pid=$!
    exec 3>"$fifo"
    auth_url=$(oauth_auth_url "$T_TMP/oauth.err")
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$auth_url")
    [ -n "${OAUTH_WAIT:-}" ] && sleep "$OAUTH_WAIT"
    printf '%s\n' "$(printf '%s' "$loc" | sed "$1")" >&3
    exec 3>&-
    wait $pid
}
export OPSDECK_HUBSPOT_REDIRECT_URI="http://localhost:53682/hubspot/callback"
sim_start --oauth-code-ttl 2 --rotate-refresh-tokens || t_fail "simulator starts"

if oauth_run 's/x/x/'; then t_ok "OAuth paste flow connects"; else t_fail "OAuth paste flow connects" "$(cat "$T_TMP/oauth.err")"; fi
t_eq "access and refresh tokens stored" "access_token refresh_token" "$(psql_db -c "SELECT string_agg(name, ' ' ORDER BY name) FROM credentials WHERE provider = 'hubspot'")"
if oauth_run 's/state=[^&]*/state=forged/'; then t_fail "wrong state refused"; else
    grep -q "does not match this request" "$T_TMP/oauth.err" && t_ok "wrong state refused" || t_fail "wrong state refused" "$(cat "$T_TMP/oauth.err")"
fi
if OAUTH_WAIT=3 oauth_run 's/x/x/'; then t_fail "expired code refused"; else
    grep -q "token endpoint" "$T_TMP/oauth.err" && t_ok "expired code refused" || t_fail "expired code refused" "$(cat "$T_TMP/oauth.err")"
fi
old_rt=$(psql_db -c "SELECT encode(blob, 'hex') FROM credentials WHERE provider = 'hubspot' AND name = 'refresh_token'")
t_check "refresh with a rotating refresh token" "$OD_BIN" connect refresh
new_rt=$(psql_db -c "SELECT encode(blob, 'hex') FROM credentials WHERE provider = 'hubspot' AND name = 'refresh_token'")
[ "$old_rt" != "$new_rt" ] && t_ok "rotated refresh token stored" || t_fail "rotated refresh token stored"
t_check "a second refresh uses the rotated token" "$OD_BIN" connect refresh

# --- HubSpot OAuth with --listen: a local request to the callback without this sign-in's
# state (any process on the host can send one) is answered 400 and the listener keeps waiting;
# "connected" is shown only once the real redirect's code was exchanged.
sim_stop
sim_start --rotate-refresh-tokens || t_fail "simulator restarts"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# listen_start: `connect hubspot --listen` in the background; sets LPID, CB, LOC (the redirect
# the simulator's authorize page sends the browser to)
listen_start() {
    port=$(free_port)
    CB="http://127.0.0.1:$port/hubspot/callback"
    OPSDECK_HUBSPOT_REDIRECT_URI=$CB "$OD_BIN" connect hubspot --listen "$port" \
        >"$T_TMP/listen.out" 2>"$T_TMP/listen.err" &
    LPID=$!
    _u="" _t=0 # a loaded machine may take more than oauth_auth_url's 10 s
    while [ -z "$_u" ] && [ $_t -lt 6 ] && kill -0 "$LPID" 2>/dev/null; do
        _u=$(oauth_auth_url "$T_TMP/listen.err"); _t=$((_t + 1))
    done
    LOC=$(curl -s -o /dev/null -w '%{redirect_url}' "$_u")
    _i=0 # up when another path answers (404)
    while [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/up")" != 404 ] &&
        [ $_i -lt 600 ] && kill -0 "$LPID" 2>/dev/null; do
        sleep 0.1; _i=$((_i + 1))
    done
}
# listen_wait: the exit status of the listening connect, which the previous request should have
# ended; killed (status 124) if it still waits after 60 s, so a failed step cannot hang here
listen_wait() {
    _i=0
    while kill -0 "$LPID" 2>/dev/null && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
    kill "$LPID" 2>/dev/null && { wait "$LPID"; return 124; }
    wait "$LPID"
}
get() { rm -f "$T_TMP/page"; curl -s --max-time 120 -o "$T_TMP/page" -w '%{http_code}' "$1"; }
psql_db -c "DELETE FROM credentials WHERE provider = 'hubspot'" >/dev/null
listen_start
case "$LOC" in "$CB?"*state=*) t_ok "listen: the authorize page redirects to the listener" ;;
*) t_fail "listen: the authorize page redirects to the listener" "$LOC $(cat "$T_TMP/listen.err")" ;; esac
t_eq "listen: a GET without state is answered 400" 400 "$(get "$CB")"
t_check "listen: ... and not with the success page" sh -c "! grep -q 'is connected' '$T_TMP/page'"
t_eq "listen: a code without state is answered 400" 400 "$(get "$CB?code=stolen")"
t_eq "listen: a wrong state is answered 400" 400 "$(get "$(printf '%s' "$LOC" | sed 's/state=[^&]*/state=forged/')")"
t_eq "listen: a refusal with a wrong state is answered 400" 400 "$(get "$CB?error=access_denied&state=forged")"
t_check "listen: still waiting after those" kill -0 "$LPID"
t_eq "listen: nothing stored yet" 0 "$(psql_db -c "SELECT count(*) FROM credentials WHERE provider = 'hubspot'")"
t_eq "listen: the real redirect is answered 200" 200 "$(get "$LOC")"
t_check "listen: ... with the success page" grep -q 'opsdeck is connected' "$T_TMP/page"
listen_wait; rc=$?
t_eq "listen: connect exits 0" 0 "$rc"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T_TMP/listen.err"
t_eq "listen: tokens stored" "access_token refresh_token" "$(psql_db -c "SELECT string_agg(name, ' ' ORDER BY name) FROM credentials WHERE provider = 'hubspot'")"
t_check "listen: the ignored requests were reported" grep -q 'ignored a request to the callback' "$T_TMP/listen.err"
# the right state with a code the token endpoint refuses: an error page, never "connected"
listen_start
t_eq "listen: a refused code is answered 400" 400 "$(get "$(printf '%s' "$LOC" | sed 's/code=[^&]*/code=not-a-code/')")"
t_check "listen: ... with the error page" sh -c "grep -q 'could not connect' '$T_TMP/page' && ! grep -q 'is connected' '$T_TMP/page'"
listen_wait; rc=$?
t_eq "listen: connect exits 1" 1 "$rc"
t_check "listen: the terminal says why" grep -q "token endpoint" "$T_TMP/listen.err"

# --- Harvest, rotation, nothing in clear ----------------------------------------------------
t_check "harvest token from stdin" sh -c "printf 'harvest-pat-SECRET-123\n' | '$OD_BIN' connect harvest --account-id 424242"
t_check "keygen --rotate re-encrypts" "$OD_BIN" keygen --rotate
t_eq "every credential under key 2" "2" "$(psql_db -c "SELECT min(key_id) FROM credentials")"
out=$("$OD_BIN" connect status)
case "$out" in *harvest*token*424242*) t_ok "connect status" ;; *) t_fail "connect status" "$out" ;; esac
pg_dump "$OPSDECK_DATABASE_URL" >"$T_TMP/dump.sql"
if grep -q -e 'harvest-pat-SECRET' -e 'pw-for-ann' -e 'na1-sim-' -e 'sim-at-' "$T_TMP/dump.sql"; then
    t_fail "pg_dump holds no password or token in clear"
else
    t_ok "pg_dump holds no password or token in clear"
fi
t_done
