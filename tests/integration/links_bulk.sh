#!/bin/sh
# links_bulk.sh — `opsdeck links export --format csv` and `opsdeck links import FILE [--dry-run]`
# against a synced simulator world:
#   - a file of 100 rows with 3 bad ones exits 2, prints exactly 3 FILE:LINE: messages (the
#     right lines) and changes nothing (dump of client_links and project_links before/after);
#   - --dry-run of the good file counts and changes nothing; the good file applies in one go:
#     manual links (version bumped), audited, the client report shows the re-linked company's
#     won deals, `links list` shows the linked deals; automatic matching leaves them alone;
#   - export then import changes nothing (not even versions or times);
#   - strictness: header, UTF-8, size limit, field shapes; CRLF, a BOM and stdin accepted;
#   - unlinked projects are one unlinked_project exception carrying the count.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
sim_start --scale 20000 --seed 3 --rate-limits off || { t_fail "simulator"; t_done; }
export OPSDECK_RATELIMIT_HUBSPOT=100000/1000 OPSDECK_RATELIMIT_HUBSPOT_SEARCH=100000/1000
export OPSDECK_RATELIMIT_HARVEST=100000/1000
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1 || t_fail "sync all" "$(tail -5 "$T_TMP/sync.log")"
cd "$T_TMP" || exit 1
OD_BIN=$(cd "$OLDPWD" && cd "$(dirname "$OD_BIN")" && pwd)/$(basename "$OD_BIN")

dump() {
    psql_db -c "SELECT 'c', client_id, company_id, method, updated_by, updated_at, version FROM client_links
                UNION ALL SELECT 'p', project_id, deal_id, method, updated_by, updated_at, version FROM project_links
                ORDER BY 1, 2"
}
unlinked_projects() {
    psql_db -c "SELECT count(*) FROM harvest_projects p WHERE p.deleted_at IS NULL AND p.is_active AND p.is_billable
                AND NOT EXISTS (SELECT 1 FROM project_links l WHERE l.project_id = p.id)
                AND EXISTS (SELECT 1 FROM profit_rollup_project_month r WHERE r.project_id = p.id)"
}
summary() {
    psql_db -c "SELECT count(*) || '|' || coalesce(max(details->>'count'), '-') || '|' || coalesce(max(subject), '-')
                FROM exceptions WHERE kind = 'unlinked_project' AND state IN ('open', 'acknowledged')"
}

# The unlinked-projects summary ------------------------------------------------------------------
n=$(unlinked_projects)
t_check "the world has unlinked active billable projects with time ($n)" test "$n" -gt 10
t_eq "unlinked projects: ONE exception carrying the count" "1|$n|projects:unlinked" "$(summary)"

# The files ---------------------------------------------------------------------------------------
# X: a linked client moved to another company B that has won deals (B's amount = want_x);
# 29 more clients as they are linked now (unchanged); 70 projects -> deals (manual links).
x=$(psql_db -c "SELECT client_id FROM client_links WHERE company_id IS NOT NULL ORDER BY client_id LIMIT 1")
b=$(psql_db -c "SELECT company_id FROM opsdeck_won_by_company(NULL, NULL) WHERE amount > 0
                AND company_id <> (SELECT company_id FROM client_links WHERE client_id = $x)
                ORDER BY amount DESC LIMIT 1")
want_x=$(psql_db -c "SELECT round(amount, 2) FROM opsdeck_won_by_company(NULL, NULL) WHERE company_id = $b")
{
    echo "kind,harvest_id,hubspot_id"
    echo "client_company,$x,$b"
    psql_db -F, -c "SELECT 'client_company', client_id, coalesce(company_id::text, '') FROM client_links
                    WHERE client_id <> $x ORDER BY client_id LIMIT 29"
    psql_db -F, -c "SELECT 'project_deal', p.id, d.id FROM
                      (SELECT id, row_number() OVER (ORDER BY id) n FROM harvest_projects WHERE deleted_at IS NULL) p
                    JOIN (SELECT id, row_number() OVER (ORDER BY id) n FROM hubspot_deals WHERE NOT archived) d
                      ON d.n = p.n ORDER BY p.id LIMIT 70"
} >good.csv
t_eq "the good file: header + 100 rows" 101 "$(wc -l <good.csv | tr -d ' ')"
# bad: line 10 an unknown kind, line 50 a client that does not exist, line 77 a row twice
awk -F, 'NR == 10 { print "client_firm," $2 "," $3; next }
         NR == 50 { print $1 ",999999999," $3; next }
         NR == 77 { print prev; next } { prev = $0; print }' good.csv >bad.csv

# 3 bad rows among 100 -----------------------------------------------------------------------------
before=$(dump)
audits=$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'link.import'")
"$OD_BIN" links import bad.csv >bad.out 2>bad.err
t_eq "a file with bad rows exits 2" 2 "$?"
t_eq "exactly 3 FILE:LINE: messages, for lines 10, 50 and 77" "10 50 77" \
    "$(grep -E '^bad\.csv:[0-9]+: ' bad.err | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//')"
t_eq "no other FILE:LINE: line" 3 "$(grep -c '^bad\.csv:' bad.err)"
t_check "the reasons say what is wrong" sh -c "grep -q '^bad.csv:10: unknown kind \"client_firm\"' bad.err &&
    grep -q '^bad.csv:50: there is no Harvest project 999999999' bad.err && grep -q '^bad.csv:77: .* is already on line 76' bad.err"
t_check "and that nothing was applied" grep -q 'nothing was applied' bad.err
t_eq "nothing changed (link tables dumped before and after)" "$before" "$(dump)"
t_eq "no import audited" "$audits" "$(psql_db -c "SELECT count(*) FROM audit_log WHERE action = 'link.import'")"

# dry run, then the good file --------------------------------------------------------------------
out=$("$OD_BIN" links import good.csv --dry-run 2>&1)
t_eq "--dry-run of the good file exits 0" 0 "$?"
case $out in "dry run: good.csv: 100 rows, 1 client link and 70 project links would be set by hand (nothing applied), 29 unchanged")
    t_ok "--dry-run counts what would change" ;; *) t_fail "--dry-run counts what would change" "$out" ;; esac
t_eq "--dry-run changes nothing" "$before" "$(dump)"
out=$("$OD_BIN" links import good.csv 2>&1)
t_eq "the good file applies (exit 0)" 0 "$?"
case $out in "good.csv: 100 rows, 1 client link and 70 project links set by hand, 29 unchanged")
    t_ok "import says what it did" ;; *) t_fail "import says what it did" "$out" ;; esac
t_eq "client $x now links company $b by hand (version bumped)" "$b|manual|2" \
    "$(psql_db -c "SELECT company_id || '|' || method || '|' || version FROM client_links WHERE client_id = $x")"
t_eq "70 projects linked to their deals by hand" 70 \
    "$(psql_db -c "SELECT count(*) FROM project_links WHERE method = 'manual' AND deal_id IS NOT NULL AND updated_by LIKE 'cli:%'")"
t_eq "the unchanged client links kept their method and version" 29 \
    "$(psql_db -c "SELECT count(*) FROM client_links WHERE client_id <> $x AND method <> 'manual' AND version = 1
                   AND client_id IN (SELECT client_id FROM client_links WHERE client_id <> $x ORDER BY client_id LIMIT 29)")"
t_eq "one audit row: link.import by the CLI user, with the counts" \
    '1|good.csv|{"rows": 100, "changed": {"project_deal": 70, "client_company": 1}, "unchanged": 29}' \
    "$(psql_db -c "SELECT count(*) || '|' || max(subject) || '|' || max(detail::text) FROM audit_log WHERE action = 'link.import' AND actor LIKE 'cli:%'")"
got_x=$("$OD_BIN" report profitability --format json | python3 -c "import json,sys; print([r['deal_amount'] for r in json.load(sys.stdin)['rows'] if r['key'] == '$x'][0])")
t_eq "the client report shows company $b's won deals for client $x" "$want_x" "$got_x"
p1=$(sed -n '32p' good.csv | cut -d, -f2); d1=$(sed -n '32p' good.csv | cut -d, -f3)
t_eq "links list shows a project's linked deal and its name" \
    "$d1|$(psql_db -c "SELECT name FROM hubspot_deals WHERE id = $d1")|manual" \
    "$("$OD_BIN" links list --kind project --json | jq -r ".links[] | select(.id == $p1) | \"\(.linked_id)|\(.linked_name)|\(.method)\"")"
t_eq "the unlinked-projects summary follows (still one exception, new count)" "1|$(unlinked_projects)|projects:unlinked" \
    "$("$OD_BIN" exceptions evaluate >/dev/null; summary)"
after=$(dump)
"$OD_BIN" links auto >/dev/null
t_eq "automatic matching leaves the imported (manual) links alone" "$after" "$(dump)"

# export then import changes nothing ---------------------------------------------------------------
"$OD_BIN" links export --format csv >export.csv
t_eq "export exits 0" 0 "$?"
t_eq "export: the header, then one CRLF row per link row" \
    "kind,harvest_id,hubspot_id|$(psql_db -c "SELECT (SELECT count(*) FROM client_links) + (SELECT count(*) FROM project_links)")" \
    "$(head -1 export.csv | tr -d '\r')|$(($(grep -c . export.csv) - 1))"
t_eq "export: every line ends in CRLF" "$(wc -l <export.csv | tr -d ' ')" "$(grep -c "$(printf '\r')\$" export.csv)"
before=$(dump)
out=$("$OD_BIN" links import export.csv 2>&1)
t_eq "importing the export exits 0" 0 "$?"
case $out in *" 0 client links and 0 project links set by hand, "*" unchanged") t_ok "importing the export changes no link ($out)" ;;
    *) t_fail "importing the export changes no link" "$out" ;; esac
t_eq "export then import: the link tables are identical (versions, times)" "$before" "$(dump)"
t_eq "same from stdin (-), with a BOM" 0 "$({ printf '\357\273\277'; cat export.csv; } | "$OD_BIN" links import - >/dev/null 2>&1; echo $?)"

# strictness ---------------------------------------------------------------------------------------
bad1() { # NAME CONTENT(printf format) -> "rc|lines"
    printf "$2" >"$1"
    "$OD_BIN" links import "$1" >/dev/null 2>"$1.err"
    echo "$?|$(grep -c "^$1:" "$1.err")|$(head -1 "$1.err")"
}
t_eq "a wrong header: one message for line 1" \
    "2|1|h.csv:1: the first line must be exactly kind,harvest_id,hubspot_id" "$(bad1 h.csv 'kind,harvest,hubspot\nclient_company,1,2\n')"
t_eq "an empty file is refused" "2|1|e.csv:1: the first line must be exactly kind,harvest_id,hubspot_id" "$(bad1 e.csv '')"
t_eq "invalid UTF-8 is refused by line" "2|1|u.csv:2: not valid UTF-8 text" \
    "$(bad1 u.csv "kind,harvest_id,hubspot_id\nclient_company,$x,\377\n")"
t_eq "a field count that is not 3" "2|1|f.csv:2: expected 3 fields (kind,harvest_id,hubspot_id), found 4" \
    "$(bad1 f.csv "kind,harvest_id,hubspot_id\nclient_company,$x,$b,9\n")"
t_eq "ids are positive integers without signs or leading zeros" "2|3" \
    "$(bad1 i.csv "kind,harvest_id,hubspot_id\nclient_company,+$x,$b\nclient_company,0$x,$b\nproject_deal,$p1,12x\n" | cut -d'|' -f1,2)"
t_eq "a blank line in the middle is a bad row" "2|1|b.csv:2: empty line" \
    "$(bad1 b.csv "kind,harvest_id,hubspot_id\n\nclient_company,$x,$b\n")"
t_eq "an unknown HubSpot id is refused" "2|1|r.csv:2: there is no HubSpot deal 123" \
    "$(bad1 r.csv "kind,harvest_id,hubspot_id\nproject_deal,$p1,123\n")"
head -c $((10 * 1024 * 1024 + 10)) /dev/zero | tr '\0' 'x' >big.csv
"$OD_BIN" links import big.csv >/dev/null 2>big.err
t_eq "a file over 10 MiB is refused" "2|big.csv: larger than 10 MiB; split the file" "$?|$(head -1 big.err)"
t_eq "none of these changed anything" "$before" "$(dump)"
printf 'kind,harvest_id,hubspot_id\r\nclient_company,"%s",\r\n' "$x" >crlf.csv
out=$("$OD_BIN" links import crlf.csv 2>&1)
t_eq "CRLF and a quoted field are fine; an empty hubspot_id unlinks by hand" "0||manual" \
    "$?|$(psql_db -c "SELECT coalesce(company_id::text, '') || '|' || method FROM client_links WHERE client_id = $x")"
t_eq "usage: import without a file" 2 "$("$OD_BIN" links import >/dev/null 2>&1; echo $?)"
t_eq "usage: export in another format" 2 "$("$OD_BIN" links export --format json >/dev/null 2>&1; echo $?)"
t_eq "a missing file is a failure (1), not a bad file" 1 "$("$OD_BIN" links import nope.csv >/dev/null 2>&1; echo $?)"
t_done
