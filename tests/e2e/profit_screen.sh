# profit_screen.sh — issue #14 item 6 (with the console parts of items 2 and 4): the
# Profitability screen cannot be misread. The real console in tmux against the real database
# and the simulator, every number checked against `opsdeck report --format json`, computed here
# independently:
#   - sorting by margin after scrolling down puts the largest margin on the first visible row
#     (and C-r after scrolling shows the first row at the top again);
#   - projects show their billing (fixed fee) and a budget burn over 100 %;
#   - a filter makes the Total line "Total (N of M)" with the sum of the visible rows' revenue;
#   - `:export csv` without a name on a fresh HOME writes those rows and a TOTAL row that is
#     their sum (margin % = total margin / total revenue);
#   - `:range 2026-01..2026-03` shows that range in the title and its data; a reversed or
#     impossible range is refused with a toast and the title and rows stay;
#   - `:range last-30d` shows the last 30 days in the title and their data;
#   - `?` lists the screen's keys and `:` commands;
#   - on Sync, jobs that arrive above the view show as "↑ N new" until scrolled to.
. tests/lib/common.sh
. tests/lib/tui.sh

sim_start --scale 2000 --rate-limits off || { t_fail "simulator starts"; t_done; }
db_new || { t_fail "database created"; t_done; }
export OPSDECK_SECRETS_KEY_FILE="$T_TMP/master.key"
"$OD_BIN" keygen >/dev/null 2>&1 || { t_fail "keygen"; t_done; }
printf 'ana password 123\nana password 123\n' |
    "$OD_BIN" user add ana@example.com --role admin >/dev/null 2>&1
t_eq "admin user created" 0 $?
"$OD_BIN" sync all --wait >"$T_TMP/sync.log" 2>&1
t_eq "data synced from the simulator" 0 $?

# The simulator's time lies in the past: copy 40 synced entries into the last 25 days and
# rebuild the rollups from the raw rows, so that `last-30d` has data whatever today is.
today=$(date +%F)
from30=$(date -d "$today -29 days" +%F)
psql_db -c "INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id,
    task_id, hours, rounded_hours, billable, billable_rate, cost_rate, notes, updated_at)
    SELECT id + 900000000000, DATE '$today' - (id % 25)::int, user_id, client_id, project_id,
    task_id, hours, rounded_hours, billable, billable_rate, cost_rate, notes, now()
    FROM (SELECT * FROM harvest_time_entries WHERE deleted_at IS NULL ORDER BY id LIMIT 40) e" \
    >/dev/null
"$OD_BIN" rollup rebuild >"$T_TMP/rollup.log" 2>&1
t_eq "40 entries of the last 30 days added, rollups rebuilt" 0 $?

# report FILE [opsdeck report options]: the report as JSON, independently of the console.
report() { f=$1; shift; "$OD_BIN" report profitability --format json "$@" >"$f"; }
report "$T_TMP/all.json"
# py FILE EXPR...: python over a report's rows (r), printing what the shell compares.
py() { f=$1; shift; python3 - "$f" "$@" <<'PY'
import json, sys
from decimal import Decimal
rows = json.load(open(sys.argv[1]))["rows"]
D = lambda v: Decimal(v or "0")
th = lambda d: format(d, ",.2f")                     # the screen's thousands separators
what = sys.argv[2]
if what == "top-margin":                             # key and margin of the largest margin
    r = max(rows, key=lambda r: D(r["margin"]))
    print(r["key"], th(D(r["margin"])))
elif what == "first-name":
    print(rows[0]["name"].split()[-1])
elif what == "filter":                               # rows whose name contains argv[3]
    sel = [r for r in rows if sys.argv[3] in r["name"].lower()]
    print(len(sel), len(rows), th(sum(D(r["revenue"]) for r in sel)))
elif what == "sum":                                  # rows, revenue of every row summed
    print(len(rows), th(sum(D(r["revenue"]) for r in rows)))
PY
}
re() { printf '%s' "$1" | sed 's/[].[*^$()+?{}|\\]/\\&/g'; } # a literal as an extended regex
line() { tui_screen | sed -n "${1}p"; }

# A project of the largest-margin client becomes fixed fee and 1 hour over a 1-hour budget.
set -- $(py "$T_TMP/all.json" top-margin)
top_key=$1 top_margin=$2
report "$T_TMP/projects.json" --by project --client "$top_key"
proj=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rows'][0]['key'])" "$T_TMP/projects.json")
psql_db -c "UPDATE harvest_projects SET is_fixed_fee = true, budget_by = 'project', budget = 1
    WHERE id = $proj" >/dev/null
proj_name=$(psql_db -c "SELECT name FROM harvest_projects WHERE id = $proj")

mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$T_TMP/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98:log_path=$T_TMP/san/ubsan"
FRESH="$T_TMP/fresh-home" # does not exist: `:export` makes ~/.local/state/opsdeck/exports
# 160x12: 6 client rows on screen of 8, so there is something to scroll
tui_start 160 12 HOME="$FRESH" XDG_STATE_HOME= OPSDECK_LOG_FILE="$T_TMP/ui.log" \
    OPSDECK_SECRETS_KEY_FILE="$OPSDECK_SECRETS_KEY_FILE" OPSDECK_DATABASE_URL="$OPSDECK_DATABASE_URL" \
    OPSDECK_SYNC_WORKERS=0 OPSDECK_UI_REFRESH_MS=500 -- "$OD_BIN" ui
tui_wait 'Password' 10 || t_fail "login form" "$(tui_screen)"
tui_type ana@example.com; tui_keys Tab; tui_type 'ana password 123'; tui_keys Enter
t_screen "logged in" '1 Sync.*3 Profitability' 15
tui_keys 3
t_screen "Profitability by client, all time" '^Clients  ·  all time' 10
t_screen "the columns: currency, marker, won deals (all time), trend" \
    '^Client +Cur +Hours +Revenue +Cost +Margin +Margin % +! +Won deals +Trend' 10
t_screen "the Total line of every row" '^Total \(all 8\) in EUR' 10
t_screen "incomplete rows are marked, with a legend" '^!C cost incomplete: [0-9]+ entr' 5
first=$(line 4)

# --- sort: after scrolling down, the largest margin is the first row shown ---
tui_keys G
i=0; while [ "$(line 4)" = "$first" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(line 4)" != "$first" ]; then t_ok "G scrolls: the first visible row is no longer the first"
else t_fail "G scrolls: the first visible row is no longer the first" "$(tui_screen)"; fi
tui_keys m
t_screen "m sorts by margin, largest first" '^Client .*Margin▼' 5
t_screen "after sorting, the first visible row has the largest margin ($top_margin)" \
    "^[^ ].* $(re "$top_margin") " 5
t_eq "the row under the header is that row (no scrolled view)" 4 \
    "$(tui_screen | grep -n -- " $top_margin " | head -1 | cut -d: -f1)"
tui_keys m
t_screen "m again reverses (smallest margin first)" '^Client .*Margin▲' 5
tui_keys m G C-r
tui_wait '^Client .*Margin▼' 5
t_screen "C-r after scrolling shows the first row at the top again" \
    "^[^ ].* $(re "$top_margin") " 10
t_eq "... right under the header" 4 "$(tui_screen | grep -n -- " $top_margin " | head -1 | cut -d: -f1)"

# --- projects: billing and budget burn ---
tui_keys Enter
t_screen "Enter on the largest margin shows its projects with billing and budget" \
    '^Project +Billing +Hours .*Budget +Used +Burn' 10
prow=$(tui_screen | grep -F -- "$proj_name" | head -1)
case "$prow" in *"fixed fee"*) t_ok "the fixed-fee project says so" ;;
*) t_fail "the fixed-fee project says so" "$(tui_screen)" ;; esac
burn=$(printf '%s' "$prow" | sed -n 's/.* 1\.00 h *[0-9,.]* h \([0-9,]*\.[0-9][0-9]\) %.*/\1/p' | tr -d ,)
if [ -n "$burn" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 100 else 1)" "$burn"
then t_ok "the over-budget project shows its burn over 100 % ($burn %)"
else t_fail "the over-budget project shows its burn over 100 %" "row: $prow"; fi
t_screen "the deal column is only on clients" '^Project ' 1
if line 3 | grep -q 'Won'; then t_fail "no Won column on projects" "$(line 3)"; else t_ok "no Won column on projects"; fi
tui_keys Escape
t_screen "Esc goes back to the clients" '^Client +Cur' 10

# --- filter: the Total line sums exactly the rows shown ---
set -- $(py "$T_TMP/all.json" filter co)
tui_keys /; tui_type co; tui_keys Enter
t_screen "a filter labels the total with the rows shown: Total ($1 of $2)" "^Total \\($1 of $2\\)" 5
t_screen "the Total line's revenue is the sum of the visible rows ($3)" \
    "^Total \\($1 of $2\\).* revenue $(re "$3") " 5
nfilter=$1 sumfilter=$3

# --- export on a fresh HOME: the rows shown and a TOTAL row equal to their sum ---
tui_keys : ; tui_type 'export csv'; tui_keys Enter
t_screen ":export csv (no name) on a fresh HOME says where" \
    "exported $nfilter rows to ~/\\.local/state/opsdeck/exports/profit-client-all-[0-9]{8}T[0-9]{4}\\.csv" 10
f=$(ls "$FRESH"/.local/state/opsdeck/exports/profit-client-all-*.csv 2>/dev/null | head -1)
out=$(python3 - "$f" <<'PY'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
tot = [r for r in rows if r["name"] == "TOTAL"]
body = [r for r in rows if r["name"] != "TOTAL"]
bad = []
for col in ("entries", "hours", "billable_hours", "revenue", "cost", "margin", "deal_amount"):
    s = sum(Decimal(r[col] or "0") for r in body)
    if Decimal(tot[0][col] or "0") != s:
        bad.append("%s: TOTAL %s, rows %s" % (col, tot[0][col], s))
m, rev = Decimal(tot[0]["margin"]), Decimal(tot[0]["revenue"])
pct = (m * 100 / rev).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
if Decimal(tot[0]["margin_pct"]) != pct:
    bad.append("margin_pct: TOTAL %s, margin/revenue %s" % (tot[0]["margin_pct"], pct))
print("rows=%d totals=%d revenue=%s %s" % (len(body), len(tot), format(rev, ",.2f"),
                                           "; ".join(bad) or "sums-ok"))
PY
)
t_eq "the CSV holds the $nfilter rows shown and one TOTAL row equal to their sum" \
    "rows=$nfilter totals=1 revenue=$sumfilter sums-ok" "$out"
tui_keys Escape
t_screen "Esc clears the filter: the total is every row's again" '^Total \(all 8\)' 5

# --- ranges: title and data agree; what the CLI refuses is refused, nothing changes ---
report "$T_TMP/q1.json" --from 2026-01 --to 2026-03
set -- $(py "$T_TMP/q1.json" sum)
tui_keys : ; tui_type 'range 2026-01..2026-03'; tui_keys Enter
t_screen ":range 2026-01..2026-03 shows that range in the title" \
    '^Clients  ·  2026-01-01\.\.2026-03-31 ' 10
t_screen "the deal column is named for the range" '^Client .* Won in range ' 5
t_screen "... and its data: Total (all $1) with revenue $2, as opsdeck report sums it" \
    "^Total \\(all $1\\).* revenue $(re "$2") " 10
q1rev=$2
tui_gone 'loading' 10
tui_keys : ; tui_type 'range 2026-06..2026-01'; tui_keys Enter
t_screen "a reversed :range is refused with a toast, nothing changed" \
    'range: the range starts \(2026-06-01\) after it ends \(2026-01-31\); nothing changed' 5
t_eq "the title keeps its range" \
    "Clients  ·  2026-01-01..2026-03-31  ·  trend 2026-01..2026-03" "$(line 2 | sed 's/ *$//')"
t_screen "the rows keep their data" "^Total .* revenue $(re "$q1rev") " 2
tui_keys Escape
tui_keys : ; tui_type 'range 2026-02-30..2026-03'; tui_keys Enter
t_screen "an impossible date is refused with a toast" "'2026-02-30' is not a date .*nothing changed" 5
t_screen "the title still keeps its range" '^Clients  ·  2026-01-01\.\.2026-03-31 ' 2
tui_keys Escape

report "$T_TMP/30d.json" --from "$from30" --to "$today"
set -- $(py "$T_TMP/30d.json" sum)
tui_keys : ; tui_type 'range last-30d'; tui_keys Enter
t_screen ":range last-30d shows $from30..$today (last-30d) in the title" \
    "^Clients  ·  $from30\\.\\.$today \\(last-30d\\)" 10
if [ "$1" -gt 0 ]; then t_ok "the last 30 days have rows ($1)"; else t_fail "the last 30 days have rows"; fi
t_screen "... and their data: Total (all $1) with revenue $2" \
    "^Total \\(all $1\\).* revenue $(re "$2") " 10

# --- help: the screen's keys and commands ---
tui_keys '?'
t_screen "? lists the screen's keys" 'On this screen \(profit\)' 5
t_screen "... the sort keys" 'm +sort by margin, largest first' 2
if tui_screen | grep -q 'no keys of its own'; then t_fail "help does not say 'no keys of its own'" "$(tui_screen)"
else t_ok "help does not say 'no keys of its own'"; fi
tui_keys PageDown # (a 12-line terminal shows 8 lines of help at a time)
t_screen "... and its : commands" ':range FROM\.\.TO\|PERIOD\|all +2026-01\.\.2026-06' 2
tui_keys Escape

# --- Sync: jobs that arrive above the view are counted ---
tui_keys 1
t_screen "Sync lists the jobs" 'completed' 10
tui_keys G
"$OD_BIN" sync hubspot >"$T_TMP/sync2.log" 2>&1
t_screen "new jobs above the scrolled view show as '↑ N new'" '↑ [0-9]+ new' 10
tui_keys g
if tui_gone '↑ [0-9]+ new' 5; then t_ok "scrolled to the top: the marker goes"
else t_fail "scrolled to the top: the marker goes" "$(tui_screen)"; fi

tui_keys q
t_eq "q quits with status 0" 0 "$(tui_exit 10)"
if ls "$T_TMP/san/"* >/dev/null 2>&1; then t_fail "no sanitizer report" "$(head -40 "$T_TMP/san/"*)"
else t_ok "no sanitizer report"; fi
t_done
