#!/bin/sh
# exceptions_rules.sh — every rule kind opens on its condition, updates while it lasts and
# closes when it ends; NOTIFY on changes; ack/resolve audited; a stale ack is refused.
# Links: automatic matching, manual edits with optimistic locking.
. tests/lib/common.sh

db_new || { t_fail "database"; t_done; }
psql_db -f tests/integration/profit_fixture.sql >/dev/null || t_fail "fixture loads"
"$OD_BIN" rollup rebuild >/dev/null || t_fail "rollup rebuild"

live() { psql_db -c "SELECT kind || ' ' || subject FROM exceptions WHERE state IN ('open','acknowledged') ORDER BY 1"; }
has() { live | grep -qx "$1"; }
expect_open() { if has "$1"; then t_ok "$2"; else t_fail "$2" "live: $(live)"; fi; }
expect_gone() { if has "$1"; then t_fail "$2" "live: $(live)"; else t_ok "$2"; fi; }
evaluate() { "$OD_BIN" exceptions evaluate >/dev/null; }

# Conditions for the sync/credential rules.
psql_db <<'SQL' >/dev/null
INSERT INTO sync_dead_letters (provider, resource, record_id, reason, payload)
    VALUES ('harvest', 'time_entries', '77', 'hours is not a number', '{}');
INSERT INTO sync_jobs (provider, resource, state, attempts, last_error, finished_at)
    VALUES ('hubspot', 'deals', 'dead', 8, 'HTTP 500', now());
INSERT INTO sync_cursors (provider, account_id, resource, updated_at)
    VALUES ('harvest', '1000001', 'clients', now() - interval '1 day'),
           ('harvest', '1000001', 'projects', now());
INSERT INTO credentials (provider, name, key_id, blob, expires_at)
    VALUES ('harvest', 'token', 1, '\x00', now() + interval '5 minutes'),
           ('hubspot', 'access_token', 1, '\x00', now() + interval '1 minute'),
           ('hubspot', 'refresh_token', 1, '\x00', NULL);
UPDATE profit_rollup_project_month SET entries = entries + 1
 WHERE month = date_trunc('month', now())::date - interval '1 month' AND project_id = 201;
INSERT INTO profit_rollup_project_month (project_id, month, client_id, entries, hours)
    VALUES (201, date_trunc('month', now())::date, 101, 1, 1)
    ON CONFLICT (project_id, month) DO UPDATE SET entries = profit_rollup_project_month.entries + 1;
SQL

out=$( (psql_db -c "LISTEN opsdeck_exceptions" -c "SELECT pg_sleep(2)" 2>&1) & sleep 0.5; evaluate; wait)
case $out in *'notification "opsdeck_exceptions"'*) t_ok "evaluate sends NOTIFY opsdeck_exceptions" ;;
    *) t_fail "evaluate sends NOTIFY opsdeck_exceptions" "$out" ;; esac

expect_open "missing_cost_rate user:303" "missing_cost_rate opens for the user without a cost rate"
expect_open "missing_billable_rate project:202" "missing_billable_rate opens per project"
expect_open "unlinked_client client:101" "unlinked_client opens before links exist"
expect_open "unlinked_project projects:unlinked" "unlinked_project opens one summary"
t_eq "unlinked_project: one exception with the count and the ids (201, 202, 203: active, billable, time)" \
    "1|3|[201, 202, 203]|3 active billable projects with time are not linked to a HubSpot deal (opsdeck links import, or links set project)" \
    "$(psql_db -c "SELECT count(*) || '|' || max(details->>'count') || '|' || max(details->>'project_ids') || '|' || max(message)
                   FROM exceptions WHERE kind = 'unlinked_project' AND state = 'open'")"
expect_open "deal_without_primary deal:8009" "deal_without_primary names the won deal with two companies and no Primary"
t_eq "deal_without_primary: only that deal" "deal:8009" \
    "$(psql_db -c "SELECT string_agg(subject, ',') FROM exceptions WHERE kind = 'deal_without_primary'")"
expect_open "over_budget project:201" "over_budget opens (hours budget)"
expect_open "over_budget project:202" "over_budget opens (money budget)"
expect_open "hours_on_archived_project project:204" "hours_on_archived_project opens"
expect_open "dead_letter dead_letters:harvest/time_entries" "dead_letter opens"
expect_open "sync_failed sync:hubspot/deals" "sync_failed opens for a dead last run"
expect_open "sync_stale sync:harvest/1000001/clients" "sync_stale opens for an old cursor"
expect_gone "sync_stale sync:harvest/1000001/projects" "sync_stale leaves a fresh cursor alone"
expect_open "token_expiring credential:harvest/token" "token_expiring opens for a token without refresh"
expect_gone "token_expiring credential:hubspot/access_token" "an access token with a refresh token is fine"
expect_open "reconcile_mismatch rollup:$(date -u +%Y-%m)" "reconcile_mismatch opens when rollups differ from entries"

"$OD_BIN" exceptions evaluate >/dev/null
t_eq "one live exception per (kind, subject), count bumped on the second run" "0|2" \
    "$(psql_db -c "SELECT count(*) - count(DISTINCT (kind, subject)) || '|' || min(count) FROM exceptions")"
t_eq "the low_margin threshold is config (rules.low_margin_pct)" "low_margin client:101" \
    "$(OPSDECK_RULES_LOW_MARGIN_PCT=50 "$OD_BIN" exceptions evaluate >/dev/null; live | grep '^low_margin')"

# Conditions end -> exceptions close.
psql_db <<'SQL' >/dev/null
UPDATE harvest_time_entries SET cost_rate = 10 WHERE user_id = 303;
UPDATE sync_dead_letters SET resolved_at = now();
INSERT INTO sync_jobs (provider, resource, state, finished_at) VALUES ('hubspot', 'deals', 'completed', now() + interval '1 second');
UPDATE sync_cursors SET updated_at = now();
DELETE FROM credentials WHERE provider = 'harvest';
SQL
"$OD_BIN" rollup rebuild >/dev/null
"$OD_BIN" links auto >/dev/null
evaluate
for k in "missing_cost_rate user:303" "dead_letter dead_letters:harvest/time_entries" "sync_failed sync:hubspot/deals" \
         "sync_stale sync:harvest/1000001/clients" "token_expiring credential:harvest/token" \
         "reconcile_mismatch rollup:$(date -u +%Y-%m)" "unlinked_client client:101"; do
    expect_gone "$k" "${k%% *} closes when its condition ends"
done
t_eq "closed rows keep state closed and closed_at" "closed|true" \
    "$(psql_db -c "SELECT state || '|' || (closed_at IS NOT NULL) FROM exceptions WHERE kind = 'missing_cost_rate'")"

# People: ack / resolve with versions.
id=$(psql_db -c "SELECT id FROM exceptions WHERE kind = 'over_budget' AND subject = 'project:201' AND state = 'open'")
ver=$(psql_db -c "SELECT version FROM exceptions WHERE id = $id")
json=$("$OD_BIN" exceptions --json --kind over_budget)
t_eq "JSON list has the documented fields" "id,kind,severity,subject,message,state,first_seen,last_seen" \
    "$(printf '%s' "$json" | python3 -c 'import json,sys; e=json.load(sys.stdin)["exceptions"][0]; print(",".join(k for k in e if k not in ("count","version")))')"
out=$("$OD_BIN" exceptions ack "$id" --version $((ver + 1)) --note "wrong version" 2>&1)
t_eq "a stale ack is refused with a clear message (exit 1)" "1|opsdeck exceptions: Exception $id was changed by someone else; reload and try again." \
    "$?|$out"
t_check "ack with the current version" "$OD_BIN" exceptions ack "$id" --version "$ver" --note "on it"
t_eq "ack stored who, when and the note; version moved" "acknowledged|cli:$(id -un)|on it|t|$((ver + 1))" \
    "$(psql_db -c "SELECT concat_ws('|', state, ack_by, ack_note, ack_at IS NOT NULL, version) FROM exceptions WHERE id = $id")"
"$OD_BIN" exceptions ack "$id" >/dev/null 2>&1
t_eq "acknowledging twice is refused" "1" "$?"
evaluate
t_eq "evaluation keeps the acknowledged exception (and its version)" "acknowledged|$((ver + 1))" \
    "$(psql_db -c "SELECT state || '|' || version FROM exceptions WHERE id = $id")"
t_check "resolve with a note" "$OD_BIN" exceptions resolve "$id" --note "budget raised" --version $((ver + 1))
t_eq "audit_log has the ack and the resolve with notes" "exception.ack|on it;exception.resolve|budget raised" \
    "$(psql_db -c "SELECT string_agg(action || '|' || (detail->>'note'), ';' ORDER BY id) FROM audit_log WHERE subject = 'exception:$id'")"
evaluate
t_eq "a resolved exception whose condition persists reopens as a new one" "resolved open" \
    "$(psql_db -c "SELECT string_agg(state, ' ' ORDER BY id) FROM exceptions WHERE kind = 'over_budget' AND subject = 'project:201'")"
"$OD_BIN" exceptions ack 999999 >/dev/null 2>&1
t_eq "an unknown id is an error" "1" "$?"

# Links.
t_eq "automatic links: name (trim/case), domain, deal by name" "101:9001:name 102:9003:name 104:9002:domain 201:8001:name 203:8006:name" \
    "$("$OD_BIN" links --json | python3 -c '
import json,sys
print(" ".join(sorted("%s:%s:%s" % (l["id"], l["linked_id"], l["method"]) for l in json.load(sys.stdin)["links"] if l["linked_id"])))')"
out=$("$OD_BIN" links set client 101 9004 --version 7 2>&1)
t_eq "a stale link edit is refused with a clear message" "1|opsdeck links: The link of client 101 was changed by someone else (version 1, you had 7); reload and try again." "$?|$out"
t_check "manual link with the current version" "$OD_BIN" links set client 101 9004 --version 1
"$OD_BIN" links auto >/dev/null
t_eq "automatic matching never overrides a manual link" "9004|manual|2" \
    "$(psql_db -c "SELECT concat_ws('|', company_id, method, version) FROM client_links WHERE client_id = 101")"
t_check "unset by hand" "$OD_BIN" links unset client 104 --version 1
"$OD_BIN" links auto >/dev/null
t_eq "an explicit unlink stays unlinked" "|manual" "$(psql_db -c "SELECT coalesce(company_id::text, '') || '|' || method FROM client_links WHERE client_id = 104")"
t_eq "link edits are audited" "link.set:client:101 link.unset:client:104" \
    "$(psql_db -c "SELECT string_agg(action || ':' || subject, ' ' ORDER BY id) FROM audit_log WHERE action LIKE 'link.%'")"
t_check "reset returns to automatic matching" "$OD_BIN" links reset client 104 --version 2
t_eq "after reset the domain match is back" "9002|domain" "$(psql_db -c "SELECT company_id || '|' || method FROM client_links WHERE client_id = 104")"
t_done
