# json_output.sh — issue #16 item 5 "One JSON": every command that prints data, run with
# --format json against a database synced from the simulator, prints exactly one JSON document
# (an object with a named array), read by a real JSON parser: counts are numbers, money and
# hours decimal strings, times RFC 3339 UTC ("2026-12-05T22:46:27Z"). --json is the same as
# --format json. CSV (where tabular) has the same rows, the formula guard, and exact bytes with
# --csv-raw. An error under --format json is {"error":{"message":...,"code":N}} on stderr with
# N the exit status (unchanged: 1 failure, 2 usage) and nothing on stdout; without JSON the
# error stays text. On a terminal, controls inside the JSON are shown escaped.
. tests/lib/common.sh

export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
db_new || { t_fail "database"; t_done; }
sim_start --scale 400 --bad-records 2 --rate-limits off || { t_fail "simulator"; t_done; }
timeout 180 "$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1 || t_fail "sync" "$(tail -5 "$T_TMP/sync.log")"
"$OD_BIN" keygen >/dev/null 2>&1 || t_fail "keygen"
printf 'pw-for-ann-1\npw-for-ann-1\n' | "$OD_BIN" user add ann@example.com --role admin --name Ann >/dev/null 2>&1 ||
    t_fail "user add"
printf 'harvest-pat-123\n' | "$OD_BIN" connect harvest --account-id 424242 >/dev/null 2>&1 || t_fail "connect harvest"
psql_db -c "UPDATE harvest_clients SET name = '=SUM(1+1)*cmd' WHERE name = 'Müller & Søn'" >/dev/null

# The checker: FILE NAME MIN [FIELD:TYPE ...] -> "ok" or what is wrong. The whole file must be
# one JSON document on one line, an object whose member NAME is an array of at least MIN
# objects, each with every FIELD of TYPE: int (a JSON integer), dec (a decimal string),
# money (a decimal string with 2 places), time (RFC 3339 UTC to the second), str, bool; a
# trailing ? allows null. TOP:FIELD:TYPE checks a member of the document itself.
cat >"$T_TMP/check.py" <<'EOF'
import json, re, sys
path, name, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8").read()
pat = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
       "dec": lambda v: isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v),
       "money": lambda v: isinstance(v, str) and re.fullmatch(r"-?\d+\.\d\d", v),
       "time": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v),
       "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
       "obj": lambda v: isinstance(v, dict)}
def bad(msg):
    print(msg); sys.exit(0)
if text.count("\n") != 1 or not text.endswith("\n"):
    bad("not one line: %d newlines" % text.count("\n"))
try:
    doc = json.loads(text)   # one document: trailing data is an error
except ValueError as e:
    bad("not one JSON document: %s" % e)
if not isinstance(doc, dict) or not isinstance(doc.get(name), list):
    bad("no named array %r in %s" % (name, text[:200]))
rows = doc[name]
if len(rows) < least:
    bad("%d elements in %s, want at least %d" % (len(rows), name, least))
for spec in sys.argv[4:]:
    parts = spec.split(":")
    top = parts[0] == "TOP"
    field, typ = parts[-2], parts[-1]
    nullable = typ.endswith("?")
    ok = pat[typ.rstrip("?")]
    for r in ([doc] if top else rows):
        if not isinstance(r, dict) or field not in r:
            bad("%s: no member %s in %s" % (name, field, json.dumps(r)[:200]))
        v = r[field]
        if not ((v is None and nullable) or (v is not None and ok(v))):
            bad("%s.%s is %r, want %s" % (name, field, v, typ))
print("ok")
EOF
# jcheck DESC EXPECTED_RC CMD... -- NAME MIN SPECS...: stdout one document, stderr empty
jcheck() {
    desc=$1 want_rc=$2; shift 2
    n=0
    for a in "$@"; do [ "$a" = -- ] && break; n=$((n + 1)); done
    cmd=""
    i=0
    for a in "$@"; do
        [ $i -ge $n ] && break
        cmd="$cmd '$a'"
        i=$((i + 1))
    done
    shift $((n + 1))
    eval "\"\$OD_BIN\" $cmd" >"$T_TMP/out.json" 2>"$T_TMP/err.txt"
    rc=$?
    got=$(python3 "$T_TMP/check.py" "$T_TMP/out.json" "$@")
    if [ "$rc" = "$want_rc" ] && [ "$got" = ok ] && [ ! -s "$T_TMP/err.txt" ]; then
        t_ok "$desc"
    else
        t_fail "$desc" "exit $rc (want $want_rc), check: $got, stderr: $(head -c 300 "$T_TMP/err.txt")"
    fi
}

# --- every command that prints data: one document, the named array, typed members
jcheck "jobs: {\"jobs\":[...]}" 0 jobs --format json -- jobs 10 id:int attempts:int \
    max_attempts:int progress_done:int progress_total:int? state:str status:str created_at:time \
    updated_at:time finished_at:time?
jcheck "health: {\"status\":...,\"checks\":[...]}" "$(python3 -c 'import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"health","--json"],capture_output=True).stdout)
print({"pass":0,"warn":1,"fail":2,"unknown":3}[d["status"]])' "$OD_BIN")" \
    health --format json -- checks 8 name:str status:str time:time took_us:int TOP:status:str TOP:took_ms:int
jcheck "exceptions: {\"exceptions\":[...]}" 0 exceptions --format json -- exceptions 1 id:int \
    count:int version:int kind:str first_seen:time last_seen:time closed_at:time?
jcheck "exceptions list --all" 0 exceptions list --all --format json -- exceptions 1 id:int
jcheck "exceptions rules: {\"rules\":[...]}" 0 exceptions rules --format json -- rules 5 kind:str \
    severity:str threshold:int?
jcheck "user list: {\"users\":[...]}" 0 user list --format json -- users 1 id:int email:str \
    live_sessions:int disabled:bool locked:bool last_login:time?
jcheck "links: {\"links\":[...]}" 0 links --format json -- links 5 id:int kind:str version:int \
    linked_id:int? updated_at:time?
jcheck "links list --kind client" 0 links list --kind client --format json -- links 5 id:int
jcheck "links export: {\"links\":[...]}" 0 links export --format json -- links 1 kind:str \
    harvest_id:int hubspot_id:int?
jcheck "deadletters list: {\"dead_letters\":[...],\"open\":N}" 0 deadletters list --format json -- \
    dead_letters 2 id:int payload_bytes:int created_at:time resolved_at:time? TOP:open:int TOP:resolved:int
dl=$("$OD_BIN" deadletters --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["dead_letters"][0]["id"])')
jcheck "deadletters show: one element with its payload" 0 deadletters show "$dl" --format json -- \
    dead_letters 1 id:int payload:obj created_at:time
jcheck "report profitability: {\"rows\":[...],\"totals\":{...}}" 0 report profitability --format json -- \
    rows 3 entries:int hours:money billable_hours:money revenue:money cost:money margin:money \
    margin_pct:money? TOP:totals:obj
jcheck "report --by month" 0 report profitability --by month --format json -- rows 1 key:str entries:int hours:money
jcheck "connect status: {\"credentials\":[...]}" 0 connect status --format json -- credentials 1 \
    provider:str key_id:int expires_at:time? updated_at:time
jcheck "migrate --status: {\"migrations\":[...],\"pending\":0}" 0 migrate --status --format json -- \
    migrations 10 name:str applied_at:time TOP:pending:int
jcheck "rollup rebuild --check: {\"tables\":[...]}" 0 rollup rebuild --check --format json -- \
    tables 4 table:str differing:int TOP:differing:int TOP:rebuilt:bool

# --- money and hours never pass through a double: the report's totals are the database's sums
t_eq "report totals: hours and revenue exactly the database's sums" \
    "$(psql_db -c "SELECT round(sum(hours), 2) || ' ' || (SELECT round(sum(rounded_hours * billable_rate), 2) FROM harvest_time_entries WHERE billable AND deleted_at IS NULL) FROM harvest_time_entries WHERE deleted_at IS NULL")" \
    "$("$OD_BIN" report profitability --json | python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["hours"], t["revenue"])')"
t_eq "exception details: hours as decimal strings, ids as numbers" "str str int" \
    "$("$OD_BIN" exceptions --json --kind over_budget | python3 -c 'import json,sys
d=json.load(sys.stdin)["exceptions"][0]["details"]
print(type(d["used"]).__name__, type(d["budget"]).__name__, type(d["project_id"]).__name__)')"

# --- --json is --format json, --format=json too
for c in "jobs" "exceptions" "links" "deadletters" "user list" "migrate --status" "links export"; do
    # shellcheck disable=SC2086
    a=$("$OD_BIN" $c --format json | sed 's/"took_[a-z]*":[0-9]*//g')
    # shellcheck disable=SC2086
    b=$("$OD_BIN" $c --json | sed 's/"took_[a-z]*":[0-9]*//g')
    # shellcheck disable=SC2086
    e=$("$OD_BIN" $c --format=json | sed 's/"took_[a-z]*":[0-9]*//g')
    if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$e" ]; then t_ok "$c: --json and --format=json are --format json"
    else t_fail "$c: --json and --format=json are --format json" "$a
$b"; fi
done

# --- CSV: the same rows; the formula guard; --csv-raw exact
csv_rows() { python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))' "$1"; }
for c in "jobs" "exceptions" "links" "deadletters" "user list" "connect status" "exceptions rules" "health" "migrate --status"; do
    # shellcheck disable=SC2086
    "$OD_BIN" $c --format csv >"$T_TMP/x.csv" 2>/dev/null
    # shellcheck disable=SC2086
    n=$("$OD_BIN" $c --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(1 + len([v for v in d.values() if isinstance(v, list)][0]))')
    t_eq "$c --format csv: a header and one row per element" "$n" "$(csv_rows "$T_TMP/x.csv")"
done
"$OD_BIN" links --format csv >"$T_TMP/links.csv"
t_check "links csv: a name beginning with = gets a leading '" grep -q "^client,[0-9]*,'=SUM(1+1)\*cmd," "$T_TMP/links.csv"
t_eq "links csv --csv-raw: every name exactly as the JSON's (controls and all)" "True" \
    "$(python3 - "$T_TMP" "$OD_BIN" <<'EOF'
import csv, io, json, subprocess, sys
od = sys.argv[2]
raw = subprocess.run([od, "links", "--format", "csv", "--csv-raw"], capture_output=True).stdout.decode()
doc = json.loads(subprocess.run([od, "links", "--json"], capture_output=True).stdout)
rows = list(csv.DictReader(io.StringIO(raw, newline="")))
print(len(rows) == len(doc["links"]) > 0 and
      [r["name"] for r in rows] == [(x["name"] or "") for x in doc["links"]] and
      any("\x1b" in r["name"] for r in rows) and any(r["name"].startswith("=") for r in rows))
EOF
)"
t_eq "links export csv is still the import format" "kind,harvest_id,hubspot_id" "$("$OD_BIN" links export | head -1 | tr -d '\r')"

# --- errors under --format json: JSON on stderr, the exit status as code, stdout empty
# echeck DESC CODE CMD...: run CMD (ENV=... words first are environment)
echeck() {
    desc=$1 code=$2; shift 2
    env "$@" >"$T_TMP/eout" 2>"$T_TMP/eerr"
    rc=$?
    got=$(python3 -c 'import json,sys
t = open(sys.argv[1]).read()
try:
    d = json.loads(t)
except ValueError as e:
    print("not JSON: %s: %r" % (e, t[:300])); sys.exit()
e = d.get("error") if isinstance(d, dict) else None
ok = (t.count("\n") == 1 and list(d) == ["error"] and isinstance(e, dict) and sorted(e) == ["code", "message"]
      and isinstance(e["message"], str) and e["message"] and isinstance(e["code"], int) and not isinstance(e["code"], bool))
print("%s %s" % (e["code"], "ok") if ok else "bad shape: %r" % t[:300])' "$T_TMP/eerr")
    if [ "$rc" = "$code" ] && [ "$got" = "$code ok" ] && [ ! -s "$T_TMP/eout" ]; then t_ok "$desc"
    else t_fail "$desc" "exit $rc (want $code), stderr: $got, stdout: $(head -c 200 "$T_TMP/eout")"; fi
}
echeck "usage error under --format json: code 2" 2 "$OD_BIN" jobs --format json --bogus
echeck "an unknown format with --json: code 2" 2 "$OD_BIN" jobs --json --format xml
echeck "--format=json, then a bad --limit: code 2" 2 "$OD_BIN" jobs --format=json --limit 0
echeck "report: a reversed range is usage: code 2" 2 "$OD_BIN" report profitability --json --from 2026-05 --to 2026-01
echeck "deadletters show of no such id: code 1" 1 "$OD_BIN" deadletters show 999999 --format json
echeck "health --runbook of no such check: code 2" 2 "$OD_BIN" health --json --runbook nope
echeck "a bad configuration value: code 2" 2 OPSDECK_SYNC_WORKERS=abc "$OD_BIN" jobs --json
NODB="postgresql:///nothing?host=$T_TMP/nosock"
for c in "jobs" "exceptions" "exceptions rules --bogus" "user list" "links" "links export" "deadletters" "deadletters show 1" \
    "report profitability" "connect status" "migrate --status" "rollup rebuild --check"; do
    code=1
    case $c in *--bogus) code=2 ;; esac
    # shellcheck disable=SC2086
    echeck "$c --format json, database unreachable: JSON error, code $code" $code OPSDECK_DATABASE_URL="$NODB" "$OD_BIN" $c --format json
done
grep -q 'cannot connect to the database' "$T_TMP/eerr" && t_ok "... the message says what failed" ||
    t_fail "... the message says what failed" "$(cat "$T_TMP/eerr")"
OPSDECK_DATABASE_URL="$NODB" "$OD_BIN" health --format json >"$T_TMP/h.json" 2>"$T_TMP/h.err"
t_eq "health, database unreachable: a document saying fail, exit 2 (its status, not an error)" "2 fail ok" \
    "$? $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$T_TMP/h.json") $(python3 "$T_TMP/check.py" "$T_TMP/h.json" checks 1 status:str)"
# without JSON the errors stay text for people
err=$("$OD_BIN" jobs --bogus 2>&1 >/dev/null)
case $err in "opsdeck jobs: unexpected argument '--bogus'"*) t_ok "without --format json a usage error is text" ;;
*) t_fail "without --format json a usage error is text" "$err" ;; esac
err=$(OPSDECK_DATABASE_URL="$NODB" "$OD_BIN" jobs 2>&1 >/dev/null)
case $err in "opsdeck jobs: cannot connect"*hint:*) t_ok "without --format json a failure is text, with the hint" ;;
*) t_fail "without --format json a failure is text, with the hint" "$err" ;; esac
err=$(OPSDECK_DATABASE_URL="$NODB" "$OD_BIN" sync --json 2>&1 >/dev/null)
case $err in "opsdeck sync: "*) t_ok "a command without JSON output: --json is a text usage error" ;;
*) t_fail "a command without JSON output: --json is a text usage error" "$err" ;; esac

# --- on a terminal: controls inside strings escaped, still one JSON document
if command -v script >/dev/null 2>&1; then
    script -qec "$OD_BIN links --json" /dev/null </dev/null >"$T_TMP/tty.out" 2>&1
    tr -d '\r' <"$T_TMP/tty.out" >"$T_TMP/tty.json"
    if grep -q "$(printf '\033')" "$T_TMP/tty.json"; then t_fail "on a terminal no raw ESC is written" "$(head -c 300 "$T_TMP/tty.json")"
    else t_ok "on a terminal no raw ESC is written"; fi
    t_eq "... and it is still one JSON document with the names intact" "ok True" \
        "$(python3 "$T_TMP/check.py" "$T_TMP/tty.json" links 5 id:int) $(python3 -c 'import json,sys; print(any("\x1b" in (x["name"] or "") for x in json.load(open(sys.argv[1]))["links"]))' "$T_TMP/tty.json")"
    script -qec "$OD_BIN jobs --bogus" /dev/null </dev/null 2>&1 | tr -d '\r' >"$T_TMP/tty.err"
    t_eq "on a terminal a text error keeps its lines" "opsdeck jobs: unexpected argument '--bogus'|Run 'opsdeck jobs --help' for usage." \
        "$(paste -sd'|' "$T_TMP/tty.err")"
    script -qec "$OD_BIN jobs --json --bogus" /dev/null </dev/null 2>&1 | tr -d '\r' >"$T_TMP/tty.err"
    t_eq "on a terminal a JSON error is one line of JSON" '{"error":{"message":"unexpected argument '"'--bogus'"'","code":2}}' \
        "$(cat "$T_TMP/tty.err")"
else
    t_fail "script(1) is installed (util-linux)"
fi

t_done
