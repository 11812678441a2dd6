-- The one TimescaleDB path (DESIGN §5). On plain PostgreSQL this migration is a no-op:
-- it acts only when the extension is installed and preloaded. Callers see the same tables either way.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
     OR current_setting('shared_preload_libraries', true) NOT LIKE '%timescaledb%' THEN
    RAISE NOTICE 'timescaledb not available: occupancy_events stays a plain table';
    RETURN;
  END IF;
  CREATE EXTENSION IF NOT EXISTS timescaledb;
  PERFORM create_hypertable('occupancy_events', 'ts',
    chunk_time_interval => INTERVAL '1 day', migrate_data => true, if_not_exists => true);
  ALTER TABLE occupancy_events SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'sensor_id',
    timescaledb.compress_orderby = 'ts DESC, seq DESC'
  );
  PERFORM add_compression_policy('occupancy_events', INTERVAL '7 days', if_not_exists => true);
END
$$;
