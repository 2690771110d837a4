# config_hint.sh — issue #16: a command that cannot reach the database says why first (not the
# URL), then where the database URL came from (no configuration at all, OPSDECK_DATABASE_URL,
# --config FILE, $OPSDECK_CONFIG, a file without [database] url) and how to choose another
# (--config, OPSDECK_CONFIG, OPSDECK_DATABASE_URL). Any command, exit 1; never the password.
# A command that worked prints no hint.
. tests/lib/common.sh

# libpq's defaults must fail the same way on every machine: a socket directory that is empty.
mkdir -p "$T_TMP/nopg"
export PGHOST="$T_TMP/nopg"
unset OPSDECK_DATABASE_URL PGDATABASE PGSERVICE

# --- no configuration at all, several commands
for args in "migrate" "jobs" "user list" "report profitability" "exceptions list"; do
    # shellcheck disable=SC2086
    out=$("$OD_BIN" $args 2>&1)
    rc=$?
    t_eq "no configuration: opsdeck $args exits 1" 1 "$rc"
    first=$(printf '%s\n' "$out" | head -n 1)
    case "$first" in
    "opsdeck ${args%% *}"*": cannot connect to the database: connection to server"*) t_ok "opsdeck $args: the reason comes first" ;;
    *) t_fail "opsdeck $args: the reason comes first" "$out" ;;
    esac
    case "$out" in
    *"no configuration file was found (looked for $XDG_CONFIG_HOME/opsdeck/opsdeck.ini)"*"OPSDECK_DATABASE_URL is not set"*"libpq's defaults"*)
        t_ok "opsdeck $args: says no configuration was found and where it looked" ;;
    *) t_fail "opsdeck $args: says no configuration was found and where it looked" "$out" ;;
    esac
    case "$out" in
    *--config*OPSDECK_CONFIG*OPSDECK_DATABASE_URL*) t_ok "opsdeck $args: says how to choose the database" ;;
    *) t_fail "opsdeck $args: says how to choose the database" "$out" ;;
    esac
done

# --- OPSDECK_DATABASE_URL (with a password that must not be shown)
out=$(OPSDECK_DATABASE_URL='postgresql://app:Sup3rSecretPw@127.0.0.1:1/opsdeck' "$OD_BIN" migrate 2>&1)
t_eq "OPSDECK_DATABASE_URL unreachable: exits 1" 1 "$?"
case "$(printf '%s\n' "$out" | head -n 1)" in
"opsdeck migrate: cannot connect to the database: connection to server at \"127.0.0.1\", port 1 failed"*"(database.url postgresql://app:"*) t_ok "reason first, the URL after it" ;;
*) t_fail "reason first, the URL after it" "$out" ;;
esac
case "$out" in *"came from the environment variable OPSDECK_DATABASE_URL"*) t_ok "names OPSDECK_DATABASE_URL as the source" ;;
*) t_fail "names OPSDECK_DATABASE_URL as the source" "$out" ;; esac
case "$out" in *Sup3rSecretPw*) t_fail "the password is not shown" "$out" ;; *) t_ok "the password is not shown" ;; esac

# --- a file given with --config, then through $OPSDECK_CONFIG
printf '[database]\nurl = postgresql:///opsdeck?host=%s\n' "$T_TMP/nopg" >"$T_TMP/bad.ini"
out=$("$OD_BIN" --config "$T_TMP/bad.ini" jobs 2>&1)
t_eq "--config FILE unreachable: exits 1" 1 "$?"
case "$out" in *"came from [database] url in $T_TMP/bad.ini"*"(from --config)"*) t_ok "names the --config file" ;;
*) t_fail "names the --config file" "$out" ;; esac
out=$(OPSDECK_CONFIG="$T_TMP/bad.ini" "$OD_BIN" jobs 2>&1)
case "$out" in *"came from [database] url in $T_TMP/bad.ini"*'(from $OPSDECK_CONFIG)'*) t_ok "names the \$OPSDECK_CONFIG file" ;;
*) t_fail "names the \$OPSDECK_CONFIG file" "$out" ;; esac
mkdir -p "$XDG_CONFIG_HOME/opsdeck"
cp "$T_TMP/bad.ini" "$XDG_CONFIG_HOME/opsdeck/opsdeck.ini"
out=$("$OD_BIN" jobs 2>&1)
case "$out" in *"opsdeck/opsdeck.ini"*"(the default location)"*) t_ok "names the file at the default location" ;;
*) t_fail "names the file at the default location" "$out" ;; esac
rm -f "$XDG_CONFIG_HOME/opsdeck/opsdeck.ini"

# --- a file without [database] url
printf '[ui]\ntheme = dark\n' >"$T_TMP/nourl.ini"
out=$("$OD_BIN" --config "$T_TMP/nourl.ini" migrate 2>&1)
case "$out" in *"$T_TMP/nourl.ini (from --config) sets no [database] url"*"libpq's defaults"*) t_ok "a file without a URL: says so" ;;
*) t_fail "a file without a URL: says so" "$out" ;; esac

# --- JSON asked for: the error, but no advice text (scripts parse the output, often with 2>&1)
out=$("$OD_BIN" jobs --json 2>&1)
t_eq "jobs --json, no configuration: exits 1" 1 "$?"
case "$out" in *"cannot connect to the database"*) t_ok "jobs --json: the error is there" ;; *) t_fail "jobs --json: the error is there" "$out" ;; esac
case "$out" in *hint:*) t_fail "jobs --json: no hint" "$out" ;; *) t_ok "jobs --json: no hint" ;; esac
out=$("$OD_BIN" report profitability --format json 2>&1)
case "$out" in *hint:*) t_fail "report --format json: no hint" "$out" ;; *) t_ok "report --format json: no hint" ;; esac
out=$("$OD_BIN" health 2>&1)
case "$out" in *"hint: no configuration file was found"*) t_ok "health (text) with no configuration: the hint" ;;
*) t_fail "health (text) with no configuration: the hint" "$out" ;; esac

# --- no hint when nothing failed, or when what failed was not the database
out=$("$OD_BIN" config --show 2>&1)
case "$out" in *hint:*) t_fail "config --show (no database needed): no hint" "$out" ;; *) t_ok "config --show (no database needed): no hint" ;; esac
unset PGHOST
db_new || t_fail "database created"
out=$("$OD_BIN" migrate 2>&1)
t_eq "a reachable database: migrate exits 0" 0 "$?"
case "$out" in *hint:*) t_fail "a reachable database: no hint" "$out" ;; *) t_ok "a reachable database: no hint" ;; esac
out=$("$OD_BIN" jobs retry 999999 2>&1)
case "$out" in *hint:*) t_fail "a failure that is not the connection: no hint" "$out" ;; *) t_ok "a failure that is not the connection: no hint" ;; esac

t_done
