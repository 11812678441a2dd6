-- The TimescaleDB path of the 15-minute occupancy history (see 0004). On plain PostgreSQL this is a
-- no-op. With the extension, samples are kept in a hypertable and facility_occupancy_15m becomes a
-- real-time continuous aggregate with the same columns, so readers see no difference.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    RAISE NOTICE 'timescaledb not available: facility_occupancy_15m stays a maintained table';
    RETURN;
  END IF;
  DROP TRIGGER facility_state_samples_fold ON facility_state_samples;
  DROP FUNCTION fold_facility_state_sample();
  DROP TABLE facility_occupancy_15m;
  PERFORM create_hypertable('facility_state_samples', 'at',
    chunk_time_interval => INTERVAL '1 day', migrate_data => true, if_not_exists => true);
  CREATE INDEX facility_state_samples_facility_idx ON facility_state_samples (facility_id, at DESC);
  -- WITH NO DATA: a continuous aggregate may then be created inside the migration's transaction.
  EXECUTE $cagg$
    CREATE MATERIALIZED VIEW facility_occupancy_15m
    WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT facility_id,
      time_bucket(INTERVAL '15 minutes', at) AS bucket,
      count(*)::integer AS samples,
      last(capacity, at) AS capacity,
      avg(free)::real AS free_avg,
      min(free) AS free_min,
      max(free) AS free_max,
      last(free, at) AS free_last,
      avg(occupied)::real AS occupied_avg,
      avg(unknown)::real AS unknown_avg,
      max(at) AS last_at
    FROM facility_state_samples
    GROUP BY facility_id, time_bucket(INTERVAL '15 minutes', at)
    WITH NO DATA
  $cagg$;
  PERFORM add_continuous_aggregate_policy('facility_occupancy_15m',
    start_offset => INTERVAL '3 days', end_offset => INTERVAL '15 minutes', schedule_interval => INTERVAL '15 minutes');
  PERFORM add_retention_policy('facility_state_samples', INTERVAL '35 days', if_not_exists => true);
END
$$;
