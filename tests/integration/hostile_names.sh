# hostile_names.sh — names with escape sequences, bidi overrides, tabs and newlines, synced
# from the simulator, reach no terminal raw (every human-readable output), yet JSON and CSV
# exports keep them intact (issue #5).
. tests/lib/common.sh
db_new
sim_start --scale 3000 --seed 7 --rate-limits off
"$OD_BIN" sync all --wait >"$T_TMP/sync.out" 2>&1
t_eq "sync all --wait exits 0" 0 $?

# What a terminal must never receive: ESC, BEL and other C0 controls (but newline), DEL, C1
# controls and the bidi controls U+202A-U+202E, U+2066-U+2069.
raw_check() { # desc file
    if python3 - "$2" <<'PY'
import sys, re
data = open(sys.argv[1], 'rb').read()
text = data.decode('utf-8', 'replace')
bad = re.compile('[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]')
m = bad.search(text)
if m:
    i = m.start()
    print("found %r at %d: %r" % (m.group(), i, text[max(0, i - 20):i + 20]))
    sys.exit(1)
PY
    then t_ok "$1"; else t_fail "$1" "$(python3 -c 'import sys' ; cat "$2" | head -c 300 | od -c | head -5)"; fi
}

for by in client project person; do
    "$OD_BIN" report profitability --by $by --format table >"$T_TMP/table.$by" 2>&1
    raw_check "report --by $by (table) has no raw control or bidi characters" "$T_TMP/table.$by"
done
"$OD_BIN" exceptions --all >"$T_TMP/exc.txt" 2>&1
raw_check "exceptions (table) has no raw control or bidi characters" "$T_TMP/exc.txt"
"$OD_BIN" links list >"$T_TMP/links.txt" 2>&1
raw_check "links list has no raw control or bidi characters" "$T_TMP/links.txt"
"$OD_BIN" jobs >"$T_TMP/jobs.txt" 2>&1
raw_check "jobs has no raw control or bidi characters" "$T_TMP/jobs.txt"
grep -q 'Evil Corp' "$T_TMP/table.client" && t_ok "the hostile client is still listed (sanitized)" ||
    t_fail "the hostile client is listed" "$(cat "$T_TMP/table.client")"

"$OD_BIN" report profitability --by client --format json >"$T_TMP/r.json"
"$OD_BIN" report profitability --by project --format json >"$T_TMP/p.json"
"$OD_BIN" report profitability --by client --format csv >"$T_TMP/r.csv"
out=$(python3 - "$T_TMP/r.json" "$T_TMP/p.json" "$T_TMP/r.csv" <<'PY'
import json, sys, csv
c = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
names = [r["name"] for r in c["rows"]]
pnames = [r["name"] for r in p["rows"]]
want_c = ["\x1b[2J\x1b]0;pwned\x07Evil Corp", "Acme \u202egnp.exe Holdings"]
want_p = ["Phase\t1\nLaunch"]
ok = all(w in names for w in want_c) and any(n.startswith("Phase\t1\nLaunch") for n in pnames)
rows = list(csv.DictReader(open(sys.argv[3], newline='', encoding='utf-8')))
ok_csv = any(r.get("name") == want_c[0] for r in rows)
print("json=%s csv=%s" % (ok, ok_csv))
PY
)
t_eq "JSON and CSV exports keep hostile names byte for byte" "json=True csv=True" "$out"
t_done
