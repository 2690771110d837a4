# backup_roundtrip.sh — `opsdeck backup` then `opsdeck restore` into a second, empty database:
# the profitability report is byte-for-byte the same before and after, the manifest's row
# counts hold, sequences continue; a tampered dump, a missing checksum, a non-empty target
# and a missing --yes are refused; the manifest is signed with a key derived from the master
# key, so a dump changed with its .sha256 regenerated, an edited manifest, a manifest without
# a MAC (older versions; allowed only with --allow-unauthenticated) or one checked with another
# key file are refused; no key file, no backup; --keep prunes only complete backups; the
# database password never reaches pg_dump's argv or environment.
. tests/lib/common.sh

BK="$T_TMP/backups"
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >/dev/null 2>&1 || t_fail "keygen"
db_new || { t_fail "create source database"; t_done; }
SRC_URL=$OPSDECK_DATABASE_URL

# --- data: the simulator through a real sync when both exist and work, else the SQL fixture
loaded=""
if "$OD_BIN" help sync >/dev/null 2>&1 && [ -x "$OD_SIM" ] && sim_start --scale 2000; then
    if "$OD_BIN" sync harvest --wait >"$T_TMP/sync.log" 2>&1 &&
        [ "$(psql_db -c 'SELECT count(*) FROM harvest_time_entries')" -gt 0 ]; then
        loaded=sync
    else
        echo "# sync did not complete; using the SQL fixture instead"
        sed 's/^/#   /' "$T_TMP/sync.log" | tail -5
    fi
    sim_stop
fi
if [ -z "$loaded" ]; then
    psql_db -f tests/integration/profit_fixture.sql >/dev/null && loaded=fixture
fi
psql_db -c "INSERT INTO users (email, name, role, password_hash)
            VALUES ('ops@example.com', E'\u00c9milie \u2014 ops', 'ops', 'x');
            INSERT INTO audit_log (actor, action) VALUES ('system', 'backup.test');
            CREATE TABLE \"données_日本\" (x int); INSERT INTO \"données_日本\" VALUES (1), (2)" >/dev/null
n_entries=$(psql_db -c 'SELECT count(*) FROM harvest_time_entries')
t_check "source has time entries ($loaded: $n_entries)" test "${n_entries:-0}" -gt 0

report() { # URL -> file: the profitability report three ways, JSON
    for by in client project person; do
        OPSDECK_DATABASE_URL=$1 "$OD_BIN" report profitability --by $by --format json || return 1
    done
}
if "$OD_BIN" help report >/dev/null 2>&1; then
    report "$SRC_URL" >"$T_TMP/before.json"
else # the report command is not built: the same figures straight from SQL
    report() {
        psql "$1" -qAtX -c "SELECT project_id, month, sum(hours), sum(revenue), sum(cost)
            FROM profit_rollup_project_month GROUP BY 1, 2 ORDER BY 1, 2" 2>&1
    }
    report "$SRC_URL" >"$T_TMP/before.json"
fi
t_check "report before the backup is not empty" test -s "$T_TMP/before.json"

# --- backup
out=$(OPSDECK_SECRETS_KEY_FILE="$T_TMP/no-such.key" "$OD_BIN" backup --dir "$T_TMP/bk-nokey" 2>&1); rc=$?
t_eq "no master key: backup exits 1" 1 "$rc"
case "$out" in *"cannot sign the backup"*"no-such.key"*) t_ok "no master key: backup says why" ;;
*) t_fail "no master key: backup says why" "$out" ;; esac
t_eq "no master key: nothing written" "" "$(ls "$T_TMP/bk-nokey" 2>/dev/null)"
out=$("$OD_BIN" backup --dir "$BK" 2>&1); rc=$?
audit_next=$(psql "$SRC_URL" -qAtX -c 'SELECT max(id) + 1 FROM audit_log') # before keygen audits
t_eq "opsdeck backup exits 0" 0 "$rc"
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
dump=$(ls "$BK"/opsdeck-*.dump 2>/dev/null | head -1)
stem=${dump%.dump}
case "$(basename "$dump")" in
opsdeck-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.dump) t_ok "dump named opsdeck-YYYYmmddTHHMMSSZ.dump" ;;
*) t_fail "dump named opsdeck-YYYYmmddTHHMMSSZ.dump" "$(ls -l "$BK")" ;;
esac
case "$out" in *"$dump"*) t_ok "backup says where it wrote" ;; *) t_fail "backup says where it wrote" "$out" ;; esac
t_check "checksum verifies with sha256sum -c" sh -c "cd '$BK' && sha256sum -c --status '$(basename "$stem").sha256'"
t_eq "dump and sidecars are private (0600)" "600 600 600" \
    "$(stat -c %a "$dump" "$stem.sha256" "$stem.json" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
t_eq "no partial file left behind" "" "$(ls "$BK" | grep partial)"
t_eq "manifest: time entries counted" "$n_entries" "$(jq -r '.row_counts.harvest_time_entries' "$stem.json" 2>&1)"
t_eq "manifest: every migration listed" "$(ls sql/*.sql | wc -l)" "$(jq -r '.schema_migrations | length' "$stem.json" 2>&1)"
t_check "manifest: created_at and server version" \
    sh -c "jq -e '(.created_at | test(\"^[0-9]{4}-\")) and (.server_version | length > 0)' '$stem.json' >/dev/null"
t_check "manifest: signed (format 2, MAC, master key id 1)" \
    sh -c "jq -e '.format == \"opsdeck-backup/2\" and (.mac | test(\"^[0-9a-f]{64}$\")) and .mac_key_id == 1' '$stem.json' >/dev/null"

# --- restore into a second, fresh, empty database
dst="t_backup_restore_$$"
psql "$(pg_url postgres)" -qAtc "DROP DATABASE IF EXISTS \"$dst\" WITH (FORCE)" >/dev/null 2>&1
psql "$(pg_url postgres)" -qAtc "CREATE DATABASE \"$dst\"" >/dev/null
T_DBS="$T_DBS $dst"
DST_URL=$(pg_url "$dst")

out=$(OPSDECK_DATABASE_URL=$DST_URL "$OD_BIN" restore "$dump" 2>&1); rc=$?
t_eq "restore without --yes exits 2" 2 "$rc"
case "$out" in *--yes*) t_ok "restore without --yes explains" ;; *) t_fail "restore without --yes explains" "$out" ;; esac

# tampered copy: refused before anything is written
mkdir -p "$T_TMP/bad"
cp "$dump" "$stem.sha256" "$stem.json" "$T_TMP/bad/"
bad="$T_TMP/bad/$(basename "$dump")"
printf 'X' | dd of="$bad" bs=1 seek=4000 conv=notrunc 2>/dev/null
out=$(OPSDECK_DATABASE_URL=$DST_URL "$OD_BIN" restore "$bad" --yes 2>&1); rc=$?
t_eq "tampered dump: restore exits 1" 1 "$rc"
case "$out" in *"does not match its checksum"*) t_ok "tampered dump: says the checksum does not match" ;;
*) t_fail "tampered dump: says the checksum does not match" "$out" ;; esac
t_eq "tampered dump: target left empty" 0 \
    "$(psql "$DST_URL" -qAtX -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
rm -f "$T_TMP/bad/$(basename "$stem").sha256"
out=$(OPSDECK_DATABASE_URL=$DST_URL "$OD_BIN" restore "$bad" --yes 2>&1); rc=$?
case "$rc:$out" in 1:*"no checksum file"*) t_ok "missing checksum file: refused" ;;
*) t_fail "missing checksum file: refused" "$rc $out" ;; esac

# --- what someone who can write the backup directory (but has no key file) could do
empty_target() { psql "$DST_URL" -qAtX -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }
# copy STEM_BASENAME DIR: a copy of the backup in DIR; prints the copied dump's path
copy_backup() { mkdir -p "$1"; cp "$dump" "$stem.sha256" "$stem.json" "$1/"; printf '%s' "$1/$(basename "$dump")"; }
restore_bad() { OPSDECK_DATABASE_URL=$DST_URL "$OD_BIN" restore "$@" --yes 2>&1; }
b=$(copy_backup "$T_TMP/regen")
printf 'X' | dd of="$b" bs=1 seek=4000 conv=notrunc 2>/dev/null
(cd "$T_TMP/regen" && sha256sum "$(basename "$b")" >"$(basename "$stem").sha256")
out=$(restore_bad "$b"); rc=$?
t_eq "changed dump with its .sha256 regenerated: restore exits 1" 1 "$rc"
case "$out" in *"not the dump its manifest describes"*) t_ok "changed dump with its .sha256 regenerated: the manifest's hash catches it" ;;
*) t_fail "changed dump with its .sha256 regenerated: the manifest's hash catches it" "$out" ;; esac
t_eq "changed dump with its .sha256 regenerated: target left empty" 0 "$(empty_target)"
jq --arg h "$(sha256sum "$b" | cut -d' ' -f1)" '.sha256 = $h' "$stem.json" >"${b%.dump}.json"
out=$(restore_bad "$b"); rc=$?
case "$rc:$out" in 1:*"MAC does not verify"*) t_ok "... and with the manifest's sha256 rewritten too: the MAC catches it" ;;
*) t_fail "... and with the manifest's sha256 rewritten too: the MAC catches it" "$rc $out" ;; esac
t_eq "... target left empty" 0 "$(empty_target)"
b=$(copy_backup "$T_TMP/edited")
jq '.row_counts.harvest_time_entries += 1' "$stem.json" >"${b%.dump}.json"
out=$(restore_bad "$b"); rc=$?
case "$rc:$out" in 1:*"MAC does not verify"*"manifest was changed"*) t_ok "edited manifest: refused" ;;
*) t_fail "edited manifest: refused" "$rc $out" ;; esac
b=$(copy_backup "$T_TMP/nomac")
jq 'del(.mac, .mac_key_id) | .format = "opsdeck-backup/1"' "$stem.json" >"${b%.dump}.json"
NOMAC=$b
out=$(restore_bad "$b"); rc=$?
t_eq "manifest without a MAC (older versions): restore exits 1" 1 "$rc"
case "$out" in *"carries no MAC"*"--allow-unauthenticated"*) t_ok "manifest without a MAC: refused, naming --allow-unauthenticated" ;;
*) t_fail "manifest without a MAC: refused, naming --allow-unauthenticated" "$out" ;; esac
t_eq "manifest without a MAC: target left empty" 0 "$(empty_target)"
OPSDECK_SECRETS_KEY_FILE="$T_TMP/other.key" "$OD_BIN" keygen >/dev/null 2>&1
out=$(OPSDECK_SECRETS_KEY_FILE="$T_TMP/other.key" restore_bad "$dump"); rc=$?
case "$rc:$out" in 1:*"MAC does not verify"*"different master key"*) t_ok "another master key file: refused" ;;
*) t_fail "another master key file: refused" "$rc $out" ;; esac
out=$(OPSDECK_SECRETS_KEY_FILE="$T_TMP/no-such.key" restore_bad "$dump"); rc=$?
case "$rc:$out" in 1:*"cannot check the manifest's MAC"*"no-such.key"*) t_ok "no master key: restore refused, saying why" ;;
*) t_fail "no master key: restore refused, saying why" "$rc $out" ;; esac
t_eq "refused restores left the target empty" 0 "$(empty_target)"

# not a dump, with a matching checksum: its (genuine) manifest describes another dump
printf 'not a pg_dump archive\n' >"$T_TMP/bad/opsdeck-junk.dump"
cp "$stem.json" "$T_TMP/bad/opsdeck-junk.json"
(cd "$T_TMP/bad" && sha256sum opsdeck-junk.dump >opsdeck-junk.sha256)
out=$(restore_bad "$T_TMP/bad/opsdeck-junk.dump"); rc=$?
case "$rc:$out" in 1:*"not the dump its manifest describes"*) t_ok "another file under a genuine manifest: refused" ;;
*) t_fail "another file under a genuine manifest: refused" "$rc $out" ;; esac
# ... and with a manifest made for it, restored anyway (--allow-unauthenticated): pg_restore's
# own error is shown
jq --arg h "$(sha256sum "$T_TMP/bad/opsdeck-junk.dump" | cut -d' ' -f1)" \
    --argjson n "$(stat -c %s "$T_TMP/bad/opsdeck-junk.dump")" \
    'del(.mac, .mac_key_id) | .sha256 = $h | .bytes = $n' "$stem.json" >"$T_TMP/bad/opsdeck-junk.json"
out=$(restore_bad "$T_TMP/bad/opsdeck-junk.dump" --allow-unauthenticated); rc=$?
case "$rc:$out" in 1:*"WARNING"*"--allow-unauthenticated"*"pg_restore failed"*"archive"*) t_ok "unreadable archive: pg_restore's error is shown" ;;
*) t_fail "unreadable archive: pg_restore's error is shown" "$rc $out" ;; esac

# non-empty target: refused, naming what it found
out=$(OPSDECK_DATABASE_URL=$SRC_URL "$OD_BIN" restore "$dump" --yes 2>&1); rc=$?
t_eq "non-empty target: restore exits 1" 1 "$rc"
case "$out" in *"not empty"*"public.audit_log"*) t_ok "non-empty target: says what it found" ;;
*) t_fail "non-empty target: says what it found" "$out" ;; esac

# the master key is rotated between backup and restore: the backup names key id 1, still there
t_check "keygen --rotate" "$OD_BIN" keygen --rotate
out=$(OPSDECK_DATABASE_URL=$DST_URL "$OD_BIN" restore "$dump" --yes 2>&1); rc=$?
t_eq "restore into the empty database exits 0" 0 "$rc"
[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'
case "$out" in *"restored and verified"*) t_ok "restore prints the verified counts" ;;
*) t_fail "restore prints the verified counts" "$out" ;; esac
case "$out" in *"manifest  authenticated (MAC, master key id 1)"*) t_ok "restore says the manifest is authenticated (after a key rotation)" ;;
*) t_fail "restore says the manifest is authenticated (after a key rotation)" "$out" ;; esac
case "$out" in *"NOT authenticated"*) t_fail "an authenticated restore has no warning" "$out" ;;
*) t_ok "an authenticated restore has no warning" ;; esac
case "$out" in *harvest_time_entries*" $n_entries "*) t_ok "restore lists time entries with their count" ;;
*) t_fail "restore lists time entries with their count" "$out" ;; esac
# the count table is aligned by display columns, a table named in accents and CJK too
printf '%s\n' "$out" >"$T_TMP/restore.out"
t_check "restore's table is aligned by display width" python3 - "$T_TMP/restore.out" <<'PY'
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) == 'Cf'
               else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
rows = lines[[l.startswith('TABLE ') for l in lines].index(True):]
rows = rows[:[l.startswith('total ') for l in rows].index(True) + 1]
bad = [(width(l), l) for l in rows if width(l) != 70]
assert any('données_日本' in l for l in rows), 'the table with a wide name is listed'
assert not bad, bad
PY

report "$DST_URL" >"$T_TMP/after.json"
if cmp -s "$T_TMP/before.json" "$T_TMP/after.json"; then
    t_ok "profitability report byte-for-byte identical after restore"
else
    t_fail "profitability report byte-for-byte identical after restore" \
        "$(diff "$T_TMP/before.json" "$T_TMP/after.json" | head -10)"
fi
t_eq "users restored (unicode intact)" "Émilie — ops" \
    "$(psql "$DST_URL" -qAtX -c "SELECT name FROM users WHERE email = 'ops@example.com'")"
t_eq "sequences continue after restore" "$audit_next" \
    "$(psql "$DST_URL" -qAtX -c "INSERT INTO audit_log (actor, action) VALUES ('t', 't') RETURNING id")"
t_eq "time entries keep their partitions" \
    "$(psql "$SRC_URL" -qAtX -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'harvest_time_entries'::regclass")" \
    "$(psql "$DST_URL" -qAtX -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'harvest_time_entries'::regclass")"
t_check "restored database is at the latest migration" env OPSDECK_DATABASE_URL="$DST_URL" "$OD_BIN" migrate --status

# a backup from before manifests were signed, restored with --allow-unauthenticated
dst2="t_backup_restore2_$$"
psql "$(pg_url postgres)" -qAtc "DROP DATABASE IF EXISTS \"$dst2\" WITH (FORCE)" >/dev/null 2>&1
psql "$(pg_url postgres)" -qAtc "CREATE DATABASE \"$dst2\"" >/dev/null
T_DBS="$T_DBS $dst2"
out=$(OPSDECK_DATABASE_URL=$(pg_url "$dst2") "$OD_BIN" restore "$NOMAC" --yes --allow-unauthenticated 2>&1); rc=$?
t_eq "old backup with --allow-unauthenticated: restore exits 0" 0 "$rc"
case "$out" in *"WARNING"*"carries no MAC"*"restored and verified"*"NOT authenticated"*) t_ok "old backup with --allow-unauthenticated: restored, with a warning" ;;
*) t_fail "old backup with --allow-unauthenticated: restored, with a warning" "$out" ;; esac
t_eq "old backup with --allow-unauthenticated: data restored" "$n_entries" \
    "$(psql "$(pg_url "$dst2")" -qAtX -c 'SELECT count(*) FROM harvest_time_entries')"

# --- pruning: older complete backups beyond --keep go, other files stay
for s in 20200101T000000Z 20210101T000000Z 20220101T000000Z; do
    for ext in dump sha256 json; do cp "$stem.$ext" "$BK/opsdeck-$s.$ext"; done
done
touch "$BK/notes.txt" "$BK/opsdeck-manual.dump"
prune_out=$("$OD_BIN" backup --dir "$BK" --keep 2 2>&1); rc=$?
t_eq "backup --keep 2 exits 0" 0 "$rc"
t_eq "--keep 2 leaves the newest two complete backups" 2 "$(ls "$BK" | grep -c '^opsdeck-[0-9T]*Z\.dump$')"
t_eq "--keep 2 deletes all three files of a pruned backup" "" "$(ls "$BK" | grep '^opsdeck-202[01]')"
t_check "--keep 2 keeps the previous backup" test -f "$dump" -a -f "$stem.sha256" -a -f "$stem.json"
t_check "--keep never touches other files" test -f "$BK/notes.txt" -a -f "$BK/opsdeck-manual.dump"
case "$prune_out" in *opsdeck-20200101T000000Z.dump*"pruned    3 older backups"*) t_ok "backup reports what it pruned" ;;
*) t_fail "backup reports what it pruned" "$prune_out" ;; esac
"$OD_BIN" backup --dir "$BK" --keep 0 >/dev/null 2>&1
t_eq "--keep 0 is a usage error" 2 $?

# --- a progress line on a terminal (stderr), none when not a terminal
if command -v script >/dev/null 2>&1; then
    script -qec "\"$OD_BIN\" backup --dir \"$T_TMP/bk-tty\" --keep 1" /dev/null >"$T_TMP/tty.out" 2>&1
    t_check "progress line on a terminal" grep -q 'pg_dump: ' "$T_TMP/tty.out"
else
    t_ok "progress line on a terminal # SKIP script(1) not installed"
fi
t_check "no progress line when stderr is not a terminal" sh -c "! \"$OD_BIN\" backup --dir '$T_TMP/bk-tty' --keep 1 2>&1 | grep -q 'pg_dump: '"

# --- the password in the URL never reaches pg_dump's argv or environment
if command -v strace >/dev/null 2>&1; then
    pw_url="postgresql://${OPSDECK_TEST_PGUSER:-opsdeck}:Sup3rSecretPw@/${SRC_URL#postgresql:///}"
    OPSDECK_DATABASE_URL=$pw_url strace -f -qq -e trace=execve -v -s 4096 -o "$T_TMP/strace" \
        "$OD_BIN" backup --dir "$T_TMP/bk2" >/dev/null 2>&1
    t_check "backup with a password in the URL succeeds" test -f "$(ls "$T_TMP"/bk2/*.dump 2>/dev/null | head -1)"
    child=$(grep 'execve(".*pg_dump"' "$T_TMP/strace")
    t_check "pg_dump was run" test -n "$child"
    case "$child" in *Sup3rSecretPw*) t_fail "no password in pg_dump's argv or environment" "$child" ;;
    *) t_ok "no password in pg_dump's argv or environment" ;; esac
else
    t_ok "no password in pg_dump's argv or environment # SKIP strace not installed"
fi

# --- a server that wants a password (scram): it reaches pg_dump/pg_restore only through the
# memfd passfile; ':' and '\\' in it must survive .pgpass escaping
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
    PW_DIR=$(mktemp -d /tmp/opsdeck-pw.XXXXXX)
    as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    pw_stop() { as_pg "$pgbin/pg_ctl" -D "$PW_DIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PW_DIR"; }
    trap 'pw_stop; t_cleanup' EXIT
    printf '%s\n' 'pa:ss\wörd' >"$PW_DIR/pw"
    [ "$(id -u)" = 0 ] && chown -R postgres "$PW_DIR"
    as_pg "$pgbin/initdb" -D "$PW_DIR/data" -U admin --auth=scram-sha-256 --pwfile="$PW_DIR/pw" \
        >"$PW_DIR/initdb.log" 2>&1 &&
        as_pg "$pgbin/pg_ctl" -D "$PW_DIR/data" -l "$PW_DIR/log" -w -o "-k $PW_DIR -c listen_addresses=''" \
            start >/dev/null 2>&1
    PW_URL="postgresql://admin:pa%3Ass%5Cw%C3%B6rd@/postgres?host=$PW_DIR"
    export PGPASSFILE=/nonexistent PGPASSWORD=
    unset PGPASSWORD
    if psql "$PW_URL" -qAtc "CREATE DATABASE pwsrc" >/dev/null 2>&1 && psql "$PW_URL" -qAtc "CREATE DATABASE pwdst" >/dev/null; then
        SRC_PW=$(echo "$PW_URL" | sed 's|/postgres?|/pwsrc?|') DST_PW=$(echo "$PW_URL" | sed 's|/postgres?|/pwdst?|')
        OPSDECK_DATABASE_URL=$SRC_PW "$OD_BIN" migrate >/dev/null 2>&1
        psql "$SRC_PW" -qAtc "INSERT INTO harvest_clients (id, name, updated_at) VALUES (1, 'pw', now())"
        OPSDECK_DATABASE_URL=$SRC_PW "$OD_BIN" backup --dir "$T_TMP/bk-pw" >"$T_TMP/pw.out" 2>&1
        t_eq "password server: backup exits 0" 0 $?
        out=$(OPSDECK_DATABASE_URL=$DST_PW "$OD_BIN" restore "$(ls "$T_TMP"/bk-pw/*.dump | head -1)" --yes 2>&1)
        t_eq "password server: restore exits 0" 0 $?
        t_eq "password server: data restored" pw "$(psql "$DST_PW" -qAtc 'SELECT name FROM harvest_clients')"
        out=$(OPSDECK_DATABASE_URL=$(echo "$SRC_PW" | sed 's|pa%3A|wrong|') "$OD_BIN" backup --dir "$T_TMP/bk-pw" 2>&1)
        case "$?:$out" in 1:*"password authentication failed"*) t_ok "password server: a wrong password is reported" ;;
        *) t_fail "password server: a wrong password is reported" "$out" ;; esac
        case "$out" in *wrongss*) t_fail "password server: the error does not show the password" "$out" ;;
        *) t_ok "password server: the error does not show the password" ;; esac
    else
        t_fail "password server: could not start" "$(tail -5 "$PW_DIR/log" "$PW_DIR/initdb.log" 2>/dev/null)"
    fi
    unset PGPASSFILE
else
    t_ok "password server # SKIP no initdb"
fi

t_done
