#!/bin/sh
# auth_lockout_race — the lockout holds when logins come in parallel, as they do through
# parallel SSH sessions (each its own process and SSH_CONNECTION): 40 simultaneous wrong
# passwords get at most auth.max_failures real verifications (audit reason bad_password), the
# account is then locked, the right password is refused until the lock expires (also when it
# arrives inside a second parallel burst) and accepted after; a success that races failures
# does not wipe them; one source spraying many emails gets at most 4 x max_failures
# verifications. Prints the figures.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
export OPSDECK_AUTH_MAX_FAILURES=5 OPSDECK_AUTH_LOCKOUT_MINUTES=15
"$OD_BIN" keygen >/dev/null 2>&1 || t_fail "keygen"
for u in ann bob; do
    printf 'pw-for-%s-1\npw-for-%s-1\n' $u $u | "$OD_BIN" user add $u@example.com --role ops >/dev/null 2>&1 ||
        t_fail "user add $u"
done
MSG_INVALID="Invalid email or password."
MSG_LOCKED="Too many failed attempts; try again later."

# burst TAG N EMAIL PASSWORD [SAME_SOURCE] [RIGHT_PASSWORD_AT]: N logins at once, each from its
# own SSH_CONNECTION (or all from SAME_SOURCE), with EMAIL (a %d in it is the attempt number);
# attempt RIGHT_PASSWORD_AT uses pw-for-<user>-1. Outputs in $T_TMP/TAG.<i>, exit codes in
# $T_TMP/TAG.<i>.rc.
burst() {
    tag=$1 n=$2 email=$3 pw=$4 same=${5:-} right=${6:-0}
    i=1
    while [ $i -le $n ]; do
        src=${same:-198.51.$((100 + i / 200)).$((i % 200 + 1))}
        # shellcheck disable=SC2059
        em=$(printf "$email" $i)
        p=$pw
        [ $i -eq "$right" ] && p="pw-for-${em%@*}-1"
        (printf '%s\n' "$p" | SSH_CONNECTION="$src 5$i 192.0.2.1 22" "$OD_BIN" user login "$em" \
            >"$T_TMP/$tag.$i" 2>&1
        echo $? >"$T_TMP/$tag.$i.rc") &
        i=$((i + 1))
    done
    wait
}
reasons() { psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND detail->>'reason' = '$1' ${2:-}"; }

# --- 40 parallel wrong passwords for one account ---------------------------------------------
burst race 40 ann@example.com wrong-password-x
bad=0 other=0
for i in $(seq 1 40); do
    out=$(tail -n 1 "$T_TMP/race.$i") # the last line: a lockout also logs a warning line
    rc=$(cat "$T_TMP/race.$i.rc")
    if [ "$rc" != 1 ]; then other=$((other + 1)); elif [ "$out" != "$MSG_INVALID" ] && [ "$out" != "$MSG_LOCKED" ]; then other=$((other + 1)); fi
done
t_eq "every parallel attempt is refused with one of the two messages" "0" "$other"
t_eq "every parallel attempt has its audit row" "40" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND actor = 'ann@example.com'")"
verified=$(reasons bad_password "AND actor = 'ann@example.com'")
refused=$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND actor = 'ann@example.com' AND detail->>'reason' IN ('locked', 'throttled')")
echo "# figure: 40 parallel wrong-password logins -> $verified verified against the hash (bad_password), $refused refused before verifying (locked/throttled); limit 5"
[ "$verified" -le 5 ] && t_ok "at most max_failures (5) real verifications ($verified)" || t_fail "at most max_failures (5) real verifications" "bad_password rows: $verified"
t_eq "the rest refused before verifying" "$((40 - verified))" "$refused"
t_eq "lockout audited once" "1" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.lockout' AND actor = 'ann@example.com'")"
t_eq "user list shows the account locked" "locked" "$("$OD_BIN" user list | awk '$1 == "ann@example.com" {print $3}')"

# --- the right password while locked, alone and inside a second burst --------------------------
out=$(printf 'pw-for-ann-1\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "right password refused while locked" "$MSG_LOCKED" "$out"
burst again 20 ann@example.com wrong-password-y "" 7
t_eq "right password inside a second burst refused too" "$MSG_LOCKED" "$(tail -n 1 "$T_TMP/again.7")"
t_eq "no login succeeded" "0" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.success'")"
t_eq "no more verifications in the second burst" "$verified" "$(reasons bad_password "AND actor = 'ann@example.com'")"
t_eq "the lock was not cleared" "1" "$(psql_db -c "SELECT count(*) FROM login_throttle WHERE kind = 'email' AND subject = 'ann@example.com' AND locked_until > now()")"
t_eq "the lock expires lockout_minutes after it was set" "t" "$(psql_db -c "SELECT locked_until BETWEEN now() + interval '14 minutes' AND now() + interval '15 minutes' FROM login_throttle WHERE kind = 'email' AND subject = 'ann@example.com'")"

# --- expiry: move the account's clock 15 minutes on ---------------------------------------------
psql_db -c "UPDATE login_throttle SET locked_until = locked_until - interval '15 minutes', window_start = window_start - interval '15 minutes' WHERE subject = 'ann@example.com'"
out=$(printf 'pw-for-ann-1\n' | "$OD_BIN" user login ann@example.com 2>&1)
t_eq "right password accepted once the lock has expired" "Logged in as ann@example.com (ops)." "$out"

# --- a success racing failures does not wipe them ----------------------------------------------
burst mixed 5 bob@example.com wrong-password-z "" 3
t_eq "the right password in a burst of 5 (within the limit) logs in" "Logged in as bob@example.com (ops)." "$(tail -n 1 "$T_TMP/mixed.3")"
out=$(printf 'wrong-password-w\n' | "$OD_BIN" user login bob@example.com 2>&1)
t_eq "the 4 concurrent failures still count: one more locks" "1" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.lockout' AND actor = 'bob@example.com'")"
out=$(printf 'pw-for-bob-1\n' | "$OD_BIN" user login bob@example.com 2>&1)
t_eq "and the right password is refused" "$MSG_LOCKED" "$out"

# --- one source spraying unknown emails --------------------------------------------------------
burst spray 30 'ghost%d@example.com' wrong-password-s 203.0.113.50
sv=$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND source = '203.0.113.50' AND detail->>'reason' IN ('unknown_user', 'bad_password')")
st=$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND source = '203.0.113.50' AND detail->>'reason' = 'throttled'")
echo "# figure: 30 parallel logins from one source on 30 unknown emails -> $sv verified, $st throttled; limit 20"
[ "$sv" -le 20 ] && t_ok "at most 4 x max_failures verifications per source ($sv)" || t_fail "at most 4 x max_failures verifications per source" "verified: $sv"
t_eq "the rest throttled" "$((30 - sv))" "$st"
out=$(printf 'pw-for-bob-1\n' | SSH_CONNECTION="203.0.113.50 1 192.0.2.1 22" "$OD_BIN" user login nobody@example.com 2>&1)
t_eq "throttled source gets the locked message" "$MSG_LOCKED" "$out"
t_done
