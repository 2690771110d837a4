#!/bin/sh
# profit_report.sh — `opsdeck report profitability` equals an independent aggregate over the raw
# time entries for every --by and for whole-month, partial-month and all-time ranges; CSV parses
# per RFC 4180 and its numbers are never formula-guarded; the table is sanitized; deal amounts
# follow the links; drill-down filters work.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
psql_db -f tests/integration/profit_fixture.sql >/dev/null || t_fail "fixture loads"
"$OD_BIN" rollup rebuild >/dev/null || t_fail "rollup rebuild"
"$OD_BIN" links auto >/dev/null || t_fail "links auto"

# Independent aggregate straight from harvest_time_entries (not the view, not the rollups):
# one CSV line per key plus a "TOTAL" line; amounts rounded once, totals round the exact sum.
expected() { # by from to [extra condition]
    case $1 in
        client) key="client_id::text" ;;
        project) key="project_id::text" ;;
        person) key="user_id::text" ;;
        month) key="to_char(spent_date, 'YYYY-MM')" ;;
    esac
    psql_db -F, -c "
      WITH e AS (
        SELECT $key AS k, hours,
               CASE WHEN billable THEN coalesce(rounded_hours, hours) ELSE 0 END AS bh,
               CASE WHEN billable AND billable_rate IS NOT NULL
                    THEN coalesce(rounded_hours, hours) * billable_rate ELSE 0 END AS rev,
               CASE WHEN cost_rate IS NOT NULL THEN hours * cost_rate ELSE 0 END AS cost,
               (cost_rate IS NULL)::int AS mcr, (billable AND billable_rate IS NULL)::int AS mbr
          FROM harvest_time_entries
         WHERE deleted_at IS NULL AND $key IS NOT NULL
           AND (NULLIF('$2', '')::date IS NULL OR spent_date >= NULLIF('$2', '')::date)
           AND (NULLIF('$3', '')::date IS NULL OR spent_date <= NULLIF('$3', '')::date) ${4:-}),
      g AS (SELECT k, count(*) n, sum(hours) h, sum(bh) bh, sum(rev) rev, sum(cost) cost,
                   sum(mcr) mcr, sum(mbr) mbr FROM e GROUP BY k
            UNION ALL SELECT 'TOTAL', count(*), coalesce(sum(hours),0), coalesce(sum(bh),0),
                             coalesce(sum(rev),0), coalesce(sum(cost),0), coalesce(sum(mcr), 0),
                             coalesce(sum(mbr), 0) FROM e)
      SELECT k, n, round(h, 2), round(bh, 2), round(rev, 2), round(cost, 2), round(rev - cost, 2),
             coalesce(round((rev - cost) * 100 / nullif(rev, 0), 2)::text, 'null'), mcr, mbr
        FROM g ORDER BY k"
}

got() { # json on stdin -> same CSV shape
    python3 -c '
import json, sys
d = json.load(sys.stdin)
# a client row without time in the range is there for its won deals only (checked below)
rows = [(r["key"], r) for r in d["rows"] if r["entries"] or r.get("deal_amount") is None]
rows += [("TOTAL", d["totals"])]
for k, r in sorted(rows, key=lambda x: x[0]):
    print(",".join([k, str(r["entries"]), r["hours"], r["billable_hours"], r["revenue"], r["cost"],
                    r["margin"], r["margin_pct"] if r["margin_pct"] is not None else "null",
                    str(r["entries_missing_cost_rate"]), str(r["entries_missing_billable_rate"])]))'
}

# a client, project and person whose only entry is on 2026-01-03 (for the range loop only): where
# a range's January edge is read as the whole month minus its first days, they must vanish, not
# show as empty rows
psql_db -c "INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours, billable, updated_at) VALUES (990000001, '2026-01-03', 9902, 990, 9901, 1.50, false, now())" >/dev/null ||
    t_fail "lone entry"
"$OD_BIN" rollup rebuild >/dev/null || t_fail "rollup rebuild (lone entry)"
# (partial edge months are read either as their inside part or as the whole month minus the
# outside part, whichever is smaller: "2026-01-10:2026-02-25" takes both edges the second way;
# "2026-02-03:2026-02-27" is one month minus its first two and last day)
ranges() { # label: every --by over ranges of every shape, against the raw aggregate
    for range in ":" "2026-02-01:2026-03-31" "2026-01-15:2026-03-09" "2026-02-10:2026-02-20" ":2026-02-14" "2026-03-02:" \
        "2026-01-10:2026-02-25" "2026-02-03:2026-02-27" ":2026-03-29" "2026-03-01:2026-03-17" "2026-02-15:2026-03-16" \
        "2026-01-03:2026-01-03" "2025-12-17:2026-04-16"; do
        from=${range%%:*}; to=${range#*:}
        for by in client project month person; do
            set -- --by "$by" --format json
            [ -n "$from" ] && set -- "$@" --from "$from"
            [ -n "$to" ] && set -- "$@" --to "$to"
            if out=$("$OD_BIN" report profitability "$@" 2>&1); then
                want=$(expected "$by" "$from" "$to" | LC_ALL=C sort)
                have=$(printf '%s' "$out" | got | LC_ALL=C sort)
                t_eq "$1: by $by, range [$from, $to]: rows and totals equal the raw aggregate" "$want" "$have"
            else
                t_fail "$1: by $by, range [$from, $to]: report runs" "$out"
            fi
        done
    done
    # drill-down filters on a partial range: client -> projects, project -> people, person
    for f in "--by project --client 101" "--by person --project 201" "--by person --client 102" \
        "--by client --person 301" "--by month --project 203" "--by project --person 302"; do
        # shellcheck disable=SC2086
        out=$("$OD_BIN" report profitability $f --from 2026-01-20 --to 2026-03-11 --format json 2>&1) ||
            { t_fail "$1: $f on a partial range runs" "$out"; continue; }
        by=$(echo "$f" | cut -d' ' -f2); col=$(echo "$f" | cut -d' ' -f3 | sed 's/--//; s/person/user/')_id
        want=$(expected "$by" 2026-01-20 2026-03-11 "AND $col = $(echo "$f" | cut -d' ' -f4)" | LC_ALL=C sort)
        t_eq "$1: $f, range [2026-01-20, 2026-03-11] equals the raw aggregate" "$want" "$(printf '%s' "$out" | got | LC_ALL=C sort)"
    done
}
ranges "months unlisted (raw edges)"
t_eq "no month keeps day rows at the default policy (the fixture is small)" "0|0|0|0" \
    "$(psql_db -c "SELECT (SELECT count(*) FROM profit_rollup_daily_months), (SELECT count(*) FROM profit_rollup_client_day),
                          (SELECT count(*) FROM profit_rollup_project_day), (SELECT count(*) FROM profit_rollup_person_day)")"
# Every month listed (as the policy does for dense months): edges come from the day rollups.
psql_db -c "INSERT INTO profit_rollup_daily_months (month)
            SELECT generate_series('2025-12-01'::date, '2026-05-01', '1 month')::date" >/dev/null &&
    "$OD_BIN" rollup rebuild >/dev/null || t_fail "months listed"
t_eq "the rebuild built the listed months' day rows" "t|t|t" \
    "$(psql_db -c "SELECT (SELECT count(*) > 0 FROM profit_rollup_client_day), (SELECT count(*) > 0 FROM profit_rollup_project_day),
                          (SELECT count(*) > 0 FROM profit_rollup_person_day)")"
ranges "months listed (day rollups)"
# The day rows are what is read: a (deliberately) wrong day row shows in a range ending on that
# day, and a rebuild puts it right.
psql_db -c "UPDATE profit_rollup_client_day SET revenue = revenue + 1000 WHERE client_id = 101
            AND day = (SELECT min(day) FROM profit_rollup_client_day WHERE client_id = 101 AND day >= '2026-02-05')" >/dev/null
d=$(psql_db -c "SELECT min(day) FROM profit_rollup_client_day WHERE client_id = 101 AND day >= '2026-02-05'")
rev() { "$OD_BIN" report profitability --client 101 --from 2026-01-01 --to "$d" --format json | python3 -c '
import json,sys; print(json.load(sys.stdin)["totals"]["revenue"])'; }
bad=$(rev)
"$OD_BIN" rollup rebuild >/dev/null
good=$(rev)
t_eq "a listed month's edge is read from its day rows (tampered +1000, then rebuilt)" "1000.00" \
    "$(python3 -c "print('%.2f' % (float('$bad') - float('$good')))")"
psql_db -c "DELETE FROM harvest_time_entries WHERE id = 990000001" >/dev/null || t_fail "lone entry gone"
"$OD_BIN" rollup rebuild >/dev/null || t_fail "rollup rebuild (lone entry gone)"

json=$("$OD_BIN" report profitability --format json)
t_eq "JSON echoes by/from/to" "client None None" \
    "$(printf '%s' "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["by"], d["from"], d["to"])')"
# deal_amount: won = closed stage with probability 1 in any pipeline, each deal once for its
# Primary company (fixture: 8001 + 8002 + 8007 for Acme; see profit_fixture.sql)
deals() { # report args... -> "101 104 103 102" deal amounts
    "$OD_BIN" report profitability --format json "$@" | python3 -c '
import json,sys
d = {r["key"]: r["deal_amount"] for r in json.load(sys.stdin)["rows"]}
print(d["101"], d["104"], d["103"], d["102"])'
}
t_eq "deal amounts: linked with won deals (any pipeline, Primary), linked without, unlinked" \
    "1650.11 0.00 None 10.00" "$(deals)"
t_eq "deal amounts for February: deals closed in the range only" "1400.01 0.00 None 0.00" \
    "$(deals --from 2026-02-01 --to 2026-02-28)"
day=$("$OD_BIN" report profitability --format json --from 2026-03-31 --to 2026-03-31 | python3 -c '
import json,sys
d = json.load(sys.stdin)
print(" ".join("%s:%s:%s" % (r["key"], r["entries"], r["deal_amount"]) for r in d["rows"]), d["totals"]["deal_amount"])')
t_eq "one day without time: Acme still shows the deal won that (UTC) day, both ends inclusive" \
    "101:0:250.10 102:17:0.00 250.10" "$day"
t_eq "deal amounts with only --to / only --from" "1650.11 0.00 None 10.00|0.00 0.00 None 0.00" \
    "$(deals --to 2026-03-31)|$(deals --from 2026-04)"
t_eq "deal amounts by month range (YYYY-MM)" "1400.01 0.00 None 10.00" "$(deals --from 2026-01 --to 2026-02)"
hdr=$("$OD_BIN" report profitability --by client | head -1)
case $hdr in *"DEALS WON"*) t_ok "all time: the deal column is DEALS WON" ;; *) t_fail "all time: the deal column is DEALS WON" "$hdr" ;; esac
hdr=$("$OD_BIN" report profitability --by client --from 2026-02 --to 2026-02 | head -1)
case $hdr in *"Won in range"*) t_ok "with a range: the deal column says Won in range" ;; *) t_fail "with a range: the deal column says Won in range" "$hdr" ;; esac
t_eq "CSV keeps the column name deal_amount with a range" "deal_amount|1400.01" \
    "$("$OD_BIN" report profitability --format csv --from 2026-02 --to 2026-02 | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
i = rows[0].index("deal_amount") if "deal_amount" in rows[0] else -1
print(rows[0][i] + "|" + [r for r in rows if r[0] == "101"][0][i])')"
t_eq "JSON keeps names intact (quotes, comma, control bytes escaped by JSON)" '  Globex, "The" Company  |True' \
    "$(printf '%s' "$json" | python3 -c '
import json,sys
d = {r["key"]: r["name"] for r in json.load(sys.stdin)["rows"]}
print(d["102"] + "|" + str("\x1b" in d["103"]))')"

csv=$("$OD_BIN" report profitability --by client --format csv)
t_eq "CSV parses (RFC 4180): header, 4 clients, totals; quoted name survives" \
    "key,name,entries,hours,billable_hours,revenue,cost,margin,margin_pct,deal_amount,entries_missing_cost_rate,entries_missing_billable_rate|6|  Globex, \"The\" Company  |TOTAL" \
    "$(printf '%s' "$csv" | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
names = {r[0]: r[1] for r in rows[1:]}
print(",".join(rows[0]) + "|" + str(len(rows)) + "|" + names["102"] + "|" + rows[-1][1])')"
csvj=$("$OD_BIN" report profitability --by project --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(rows[-1]["revenue"], [r["budget_pct"] for r in rows if r["key"] == "201"][0])')
jsj=$("$OD_BIN" report profitability --by project --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["totals"]["revenue"], [r["budget_pct"] for r in d["rows"] if r["key"] == "201"][0])')
t_eq "CSV and JSON carry the same numbers (totals, budget burn)" "$jsj" "$csvj"

# the CSV formula guard (issue #12) touches text cells only: numbers, negative ones included,
# are the same bytes as with --csv-raw (the fixture has no name starting with = + - @)
same=yes
for by in client project month person; do
    g=$("$OD_BIN" report profitability --by $by --format csv | od -c)
    r=$("$OD_BIN" report profitability --by $by --format csv --csv-raw | od -c)
    [ "$g" = "$r" ] || same="no ($by)"
done
t_eq "CSV formula guard leaves numbers alone (same bytes as --csv-raw for every --by)" yes "$same"
t_check "a negative amount is in the project CSV, unprefixed" sh -c \
    "'$OD_BIN' report profitability --by project --format csv | grep -q ',-[0-9][0-9.]*,'"

table=$("$OD_BIN" report profitability --by client)
if printf '%s' "$table" | grep -q "$(printf '\033')"; then t_fail "table has no escape bytes"; else t_ok "table has no escape bytes"; fi
t_check "table shows the sanitized name and totals" sh -c "printf '%s' \"\$1\" | grep -q 'Initech été 東京 red' && printf '%s' \"\$1\" | grep -q TOTAL" _ "$table"
widths=$(printf '%s\n' "$table" | grep -v '^! incomplete' | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(len({w(l.rstrip("\n")) for l in sys.stdin if l.strip()}))')
t_eq "table rows align by display width (right-aligned last column: one width)" "1" "$widths"

# Completeness (issue #14): a row whose cost or revenue misses a rate is marked "!" in the table,
# with a legend line giving the totals' counts; JSON/CSV carry the counts (checked per row in the
# range loop above). A client whose every entry has both rates stays unmarked.
psql_db -c "INSERT INTO harvest_clients (id, name, updated_at) VALUES (995, 'Complete Co', now());
            INSERT INTO harvest_projects (id, client_id, name, updated_at) VALUES (9951, 995, 'Whole', now());
            INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours,
                   rounded_hours, billable, billable_rate, cost_rate, updated_at)
            VALUES (990000002, '2026-02-10', 301, 995, 9951, 1.10, 1.25, true, 100, 40, now())" >/dev/null &&
    "$OD_BIN" rollup rebuild >/dev/null || t_fail "complete client"
marks() { # by [args]: "key:mark" per row of the table, the legend last
    "$OD_BIN" report profitability "$@" | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
out = []
for l in lines[1:]:
    if l.startswith("! incomplete"): out.append("legend=" + l)
    elif l.strip(): out.append(l[1:].split()[0] + ":" + ("!" if l[:1] == "!" else "-"))
print(" ".join(out))'
}
want_marks() { # the same from JSON counts
    "$OD_BIN" report profitability "$@" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin); t = d["totals"]
m = lambda r: "!" if r["entries_missing_cost_rate"] or r["entries_missing_billable_rate"] else "-"
out = [(r["key"] or "") + ":" + m(r) for r in d["rows"]] + ["TOTAL:" + m(t)]
c, b = t["entries_missing_cost_rate"], t["entries_missing_billable_rate"]
if c or b:
    out.append("legend=! incomplete: %d %s without a cost rate (cost too low), %d billable %s without a billable rate (revenue too low); counts per row: --format json or csv" % (c, "entry" if c == 1 else "entries", b, "entry" if b == 1 else "entries"))
print(" ".join(out))'
}
for by in client project month person; do
    t_eq "table marks (!) exactly the rows with missing rates, legend with the totals (--by $by)" \
        "$(want_marks --by $by)" "$(marks --by $by)"
done
t_check "the complete client is unmarked, others are marked" sh -c "printf '%s' \"\$1\" | grep -q '995:- ' && printf '%s' \"\$1\" | grep -q '101:!'" _ "$(marks --by client)"
t_eq "no legend when nothing is missing" "995:- TOTAL:-" "$(marks --by client --client 995)"
t_eq "JSON counts of a row: missing cost rate, missing billable rate" "0 0 1.25" \
    "$("$OD_BIN" report profitability --client 995 --format json | python3 -c '
import json,sys; r=json.load(sys.stdin)["rows"][0]; print(r["entries_missing_cost_rate"], r["entries_missing_billable_rate"], r["billable_hours"])')"
psql_db -c "DELETE FROM harvest_time_entries WHERE id = 990000002" >/dev/null && "$OD_BIN" rollup rebuild >/dev/null || t_fail "complete client gone"

drill=$("$OD_BIN" report profitability --by project --client 101 --format json | python3 -c '
import json,sys; print(" ".join(sorted(r["key"] for r in json.load(sys.stdin)["rows"])))')
t_eq "drill-down: client 101 -> its projects" "201 202" "$drill"
people=$("$OD_BIN" report profitability --by person --project 201 --from 2026-01 --to 2026-01 --format json | python3 -c '
import json,sys; d=json.load(sys.stdin); print(d["from"], d["to"], d["totals"]["entries"])')
want=$(psql_db -c "SELECT '2026-01-01 2026-01-31 ' || count(*) FROM harvest_time_entries WHERE project_id = 201 AND deleted_at IS NULL AND spent_date BETWEEN '2026-01-01' AND '2026-01-31'")
t_eq "drill-down: project -> month -> people (YYYY-MM ranges)" "$want" "$people"

"$OD_BIN" report profitability --from 2026-02-30 >/dev/null 2>&1
t_eq "an impossible date is a usage error (exit 2)" "2" "$?"
out=$("$OD_BIN" report profitability --from 2026-03-01 --to 2026-02-01 2>&1)
t_eq "a reversed range is a usage error (exit 2)" "2" "$?"
case "$out" in *"starts (2026-03-01) after it ends (2026-02-01)"*) t_ok "a reversed range says so" ;;
*) t_fail "a reversed range says so" "$out" ;; esac
t_done
