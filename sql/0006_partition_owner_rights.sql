-- 0006: partition maintenance runs with the schema owner's rights, so workers connected as a
-- least-privilege application role (docs/deployment.md) can still create monthly partitions.
ALTER FUNCTION opsdeck_ensure_partition(date) SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION opsdeck_ensure_partitions(date, date) SECURITY DEFINER SET search_path = public, pg_temp;
