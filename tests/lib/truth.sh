# truth.sh — the per-client comparison shared by the sync and fault suites (sourced after
# common.sh). Both print lines "client_id|entries|hours|billable_hours|revenue|cost", ordered
# by client, so two of them compare with t_eq.
#   truth_clients   from the simulator's /__sim/truth (parsed by PostgreSQL: no other JSON tool)
#   raw_clients     an SQL aggregate over the live raw time entries (DESIGN §3 definitions)

truth_clients() {
    psql_db -v truth="$(curl -sf "$SIM_URL/__sim/truth")" <<'SQL'
SELECT c->>'id', c->>'entries', c->>'hours', c->>'billable_hours', c->>'revenue', c->>'cost'
FROM json_array_elements((:'truth')::json -> 'clients') c
WHERE (c->>'entries')::bigint > 0 ORDER BY (c->>'id')::bigint;
SQL
}

raw_clients() {
    psql_db <<'SQL'
SELECT client_id, count(*), sum(hours), sum(CASE WHEN billable THEN coalesce(rounded_hours, hours) ELSE 0 END),
       round(sum(CASE WHEN billable THEN coalesce(rounded_hours, hours) * coalesce(billable_rate, 0)
                 ELSE 0 END), 2),
       round(sum(hours * coalesce(cost_rate, 0)), 2)
FROM harvest_time_entries WHERE deleted_at IS NULL GROUP BY client_id ORDER BY client_id;
SQL
}
