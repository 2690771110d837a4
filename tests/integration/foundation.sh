# foundation.sh — the base every command stands on: help, version, config validation,
# migrations (twice: the second changes nothing), unreachable database reported fast,
# concurrent migrations, secrets redacted (every libpq password form, in config --show and in
# connection errors), log files created 0600 (rotated ones too), valgrind-clean migrate and
# --help.
. tests/lib/common.sh

out=$("$OD_BIN" --help 2>&1); rc=$?
t_eq "opsdeck --help exits 0" 0 "$rc"
case "$out" in *"migrate"*"config"*) t_ok "--help lists the commands" ;; *) t_fail "--help lists the commands" "$out" ;; esac
t_check "opsdeck --version" sh -c "\"$OD_BIN\" --version | grep -q '^opsdeck [0-9]'"
t_check "opsdeck help migrate" sh -c "\"$OD_BIN\" help migrate | grep -q 'usage: opsdeck migrate'"
t_check "opsdeck migrate --help" sh -c "\"$OD_BIN\" migrate --help | grep -q 'usage: opsdeck migrate'"
"$OD_BIN" no-such-command >/dev/null 2>&1; t_eq "unknown command exits 2" 2 $?
"$OD_BIN" migrate --bogus >/dev/null 2>&1; t_eq "unknown option exits 2" 2 $?

db_new
out=$("$OD_BIN" migrate 2>&1); rc=$?
t_eq "second migrate succeeds" 0 "$rc"
t_eq "second migrate changes nothing" "database is up to date" "$out"
n=$(psql_db -c "SELECT count(*) FROM schema_migrations")
n_files=$(ls sql/*.sql | wc -l)
t_eq "every migration recorded once" "$n_files" "$n"
t_check "migrate --status: nothing pending" "$OD_BIN" migrate --status
t_eq "default partition exists and is empty" 0 "$(psql_db -c 'SELECT count(*) FROM harvest_time_entries_default')"
t_check "monthly partitions created ahead" sh -c "[ \$(psql '$OPSDECK_DATABASE_URL' -qAtc \"SELECT count(*) FROM pg_inherits WHERE inhparent = 'harvest_time_entries'::regclass\") -gt 12 ]"

# concurrent migrations on a fresh database: both succeed, each migration applied once
db_new
psql_db -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
"$OD_BIN" migrate >"$T_TMP/m1" 2>&1 & p1=$!
"$OD_BIN" migrate >"$T_TMP/m2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
t_eq "two concurrent migrate runs both succeed" "0 0" "$r1 $r2"
t_eq "concurrent runs applied each migration once" "$n_files" "$(psql_db -c 'SELECT count(*) FROM schema_migrations')"

out=$(OPSDECK_DATABASE_POOL_SIZE=abc "$OD_BIN" migrate 2>&1); rc=$?
t_eq "OPSDECK_DATABASE_POOL_SIZE=abc exits 2" 2 "$rc"
case "$out" in *pool_size*) t_ok "the error names pool_size" ;; *) t_fail "the error names pool_size" "$out" ;; esac

# A loopback port that accepts connections but never answers: the connect deadline must fire.
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(64)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T_TMP/blackhole.port" &
bh=$!
i=0; while [ ! -s "$T_TMP/blackhole.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
bport=$(cat "$T_TMP/blackhole.port")
start=$(date +%s)
out=$(OPSDECK_DATABASE_URL="postgresql://nobody@127.0.0.1:$bport/x" OPSDECK_DATABASE_CONNECT_TIMEOUT_S=3 "$OD_BIN" migrate 2>&1); rc=$?
took=$(( $(date +%s) - start ))
kill $bh 2>/dev/null
t_eq "unreachable database: exit 1" 1 "$rc"
case "$out" in *"cannot connect to the database"*"127.0.0.1"*) t_ok "unreachable database named in the message" ;; *) t_fail "unreachable database named" "$out" ;; esac
[ "$took" -lt 15 ] && t_ok "unreachable database reported in under 15 s ($took s)" || t_fail "reported in under 15 s" "took $took s"
out=$(OPSDECK_DATABASE_URL="postgresql:///x?host=/nonexistent-opsdeck&user=nobody" "$OD_BIN" migrate 2>&1); rc=$?
t_eq "missing socket: exit 1" 1 "$rc"

out=$(OPSDECK_DATABASE_URL="postgresql://me:hunter2@localhost/x" OPSDECK_HUBSPOT_CLIENT_SECRET=shh "$OD_BIN" config --show 2>&1)
case "$out" in *hunter2*|*shh*) t_fail "config --show redacts secrets" "$out" ;; *) t_ok "config --show redacts secrets" ;; esac
# database.url in each form libpq takes a password in: SECRET|URL
while IFS='|' read -r secret url; do
    out=$(OPSDECK_DATABASE_URL=$url "$OD_BIN" config --show 2>&1)
    case "$out" in *"$secret"*) t_fail "config --show redacts: $url" "$(printf '%s' "$out" | grep '^url')" ;;
    *REDACTED*) t_ok "config --show redacts: $url" ;;
    *) t_fail "config --show redacts: $url (no placeholder)" "$(printf '%s' "$out" | grep '^url')" ;; esac
    out=$(OPSDECK_DATABASE_URL="$url port=1" OPSDECK_DATABASE_CONNECT_TIMEOUT_S=2 "$OD_BIN" migrate 2>&1)
    case "$out" in *"$secret"*) t_fail "connection error redacts: $url" "$out" ;; *) t_ok "connection error redacts: $url" ;; esac
done <<'URLS'
sp4ce pw|host=127.0.0.1 password = 'sp4ce pw' dbname=x
s3cr3t|host=127.0.0.1 password='it\'s s3cr3t' dbname=x
b4ck|host=127.0.0.1 password=b4ck\ slash dbname=x
k3ypass|host=127.0.0.1 sslpassword=k3ypass dbname=x
unt3rminated|host=127.0.0.1 password='unt3rminated
URLS
# a URL libpq cannot parse: its message quotes the bad token, the password
for url in "postgresql://me:pa%zzs3cret@127.0.0.1:1/x" "postgresql://127.0.0.1:1/x?password=qu3ry&sslmode=disable"; do
    out=$(OPSDECK_DATABASE_URL=$url OPSDECK_DATABASE_CONNECT_TIMEOUT_S=2 "$OD_BIN" migrate 2>&1)
    case "$out" in *s3cret*|*qu3ry*) t_fail "connection error redacts: $url" "$out" ;;
    *"cannot connect"*) t_ok "connection error redacts: $url" ;; *) t_fail "connection error: $url" "$out" ;; esac
done

# log files at an explicit path: created 0600 whatever the umask, rotated ones too
(umask 022 && OPSDECK_LOG_FILE="$T_TMP/logs/sub/opsdeck.log" "$OD_BIN" migrate --status >/dev/null 2>&1)
t_eq "log file created 0600 (umask 022)" 600 "$(stat -c %a "$T_TMP/logs/sub/opsdeck.log" 2>&1)"
t_eq "its new directory is 0700" 700 "$(stat -c %a "$T_TMP/logs/sub" 2>&1)"
rm -f "$T_TMP/logs/sub/opsdeck.log"
(umask 022 && head -c 20000 /dev/zero | tr '\0' x >"$T_TMP/logs/sub/opsdeck.log" &&
    OPSDECK_LOG_FILE="$T_TMP/logs/sub/opsdeck.log" OPSDECK_LOG_MAX_KB=16 OPSDECK_LOG_LEVEL=debug \
        OPSDECK_HARVEST_BASE_URL=http://127.0.0.1:9 OPSDECK_HARVEST_ACCOUNT_ID=1 \
        OPSDECK_HARVEST_TOKEN=x "$OD_BIN" health >/dev/null 2>&1) # the probe logs its request
t_check "the log rotated" test -s "$T_TMP/logs/sub/opsdeck.log.1"
t_eq "the log file made by rotation is 0600" 600 "$(stat -c %a "$T_TMP/logs/sub/opsdeck.log" 2>&1)"

printf '[database]\npool_size = 9\n' >"$T_TMP/c.ini"
t_check "--config FILE is read" sh -c "\"$OD_BIN\" --config '$T_TMP/c.ini' config --show | grep -q 'pool_size = 9'"
t_check "\$OPSDECK_CONFIG is read" sh -c "OPSDECK_CONFIG='$T_TMP/c.ini' \"$OD_BIN\" config --show | grep -q 'pool_size = 9'"
"$OD_BIN" --config /nonexistent.ini config >/dev/null 2>&1; t_eq "missing --config file exits 2" 2 $?

# docs/configuration.md is generated from the key table: it must say what the binary says
"$OD_BIN" config --keys >"$T_TMP/keys.md"
sed -n '/^| section |/,/^[^|]/p' docs/configuration.md | grep '^|' >"$T_TMP/doc-keys.md"
if cmp -s "$T_TMP/keys.md" "$T_TMP/doc-keys.md"; then
    t_ok "docs/configuration.md lists every key as opsdeck config --keys does"
else
    t_fail "docs/configuration.md lists every key as opsdeck config --keys does" \
        "regenerate it: $(diff "$T_TMP/doc-keys.md" "$T_TMP/keys.md" | head -5)"
fi
# former getenv settings: validated like every key, named by their variable
out=$(OPSDECK_HTTP_BACKOFF_MS=soon "$OD_BIN" config --check 2>&1); rc=$?
t_eq "a bad OPSDECK_HTTP_BACKOFF_MS exits 2" 2 "$rc"
case "$out" in *OPSDECK_HTTP_BACKOFF_MS*) t_ok "the message names the variable" ;; *) t_fail "the message names the variable" "$out" ;; esac
t_check "OPSDECK_BREAKER_OPEN_MS reaches breaker.open_ms" sh -c "OPSDECK_BREAKER_OPEN_MS=777 \"$OD_BIN\" config --show | grep -q 'open_ms = 777'"
# a token is never kept in the configuration file, nor shown
printf '[hubspot]\ntoken = pat-in-clear\n' >"$T_TMP/tok.ini"
out=$("$OD_BIN" --config "$T_TMP/tok.ini" config --check 2>&1); rc=$?
t_eq "a token in the configuration file exits 2" 2 "$rc"
case "$out" in *pat-in-clear*) t_fail "the refusal does not repeat the token" "$out" ;; *) t_ok "the refusal does not repeat the token" ;; esac
out=$(OPSDECK_HARVEST_TOKEN=env-secret-token "$OD_BIN" config --show 2>&1)
case "$out" in *env-secret-token*) t_fail "config --show leaves environment tokens out" "$out" ;; *) t_ok "config --show leaves environment tokens out" ;; esac

if command -v valgrind >/dev/null 2>&1 && [ "${OD_BIN#build-}" = "$OD_BIN" ]; then
    db_new
    psql_db -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    for args in "--help" "migrate"; do
        valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=42 \
            --suppressions=tests/valgrind.supp -q "$OD_BIN" $args >"$T_TMP/vg.out" 2>&1
        rc=$?
        [ $rc -ne 42 ] && [ $rc -eq 0 ] && t_ok "valgrind: no leak in 'opsdeck $args'" ||
            t_fail "valgrind: no leak in 'opsdeck $args'" "$(tail -30 "$T_TMP/vg.out")"
    done
fi
t_done
