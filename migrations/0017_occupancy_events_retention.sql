-- Retention of raw occupancy events (issue #15). History aggregates (facility_state_samples,
-- facility_occupancy_15m) are kept; only raw events older than EVENTS_RETENTION_DAYS go, and they
-- go whole, never by row deletes:
-- * TimescaleDB (occupancy_events is a hypertable, see 0002): a retention policy drops whole chunks.
-- * Plain PostgreSQL: occupancy_events becomes a table partitioned by day on `ts`; the ingest state
--   sweeper calls freiplatz_maintain_event_partitions once a day (and at start), which creates the
--   coming days' partitions ahead and drops partitions whose whole day is older than the limit.
-- The dedupe key (sensor_id, ts, seq) includes the partition column, so the ingest's
-- ON CONFLICT (sensor_id, ts, seq) DO NOTHING keeps working unchanged.

-- True when occupancy_events is a TimescaleDB hypertable (the Timescale path of 0002 ran).
CREATE FUNCTION freiplatz_events_are_hypertable() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    RETURN false;
  END IF;
  -- Only read when the extension exists: this view does not exist otherwise.
  RETURN EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'occupancy_events');
END
$$;

-- Keeps raw events for `keep`: returns the names of the partitions dropped (plain PostgreSQL).
-- Plain PostgreSQL: creates daily partitions (UTC days) after the last one (not before the
-- cutoff) up to `days_ahead` days after `as_of`, moving any rows the default partition holds for those days into them; drops every
-- daily partition whose upper bound is at or before `as_of - keep`; strays in the default
-- partition (events dated far outside the partitions) older than that are deleted.
-- TimescaleDB: sets the retention policy to `keep` (drop_after), replacing a different one.
CREATE FUNCTION freiplatz_maintain_event_partitions(keep interval, as_of timestamptz, days_ahead integer DEFAULT 7)
RETURNS text[]
-- Runs with the schema owner's rights: the ingest role (packages/db/src/roles.ts) may call it but
-- may not create or drop tables itself. Nobody else may call it (REVOKE below).
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cutoff timestamptz := as_of - keep;
  dropped text[] := '{}';
  part record;
  day_start timestamptz;
  last_day timestamptz;
  name text;
BEGIN
  IF freiplatz_events_are_hypertable() THEN
    -- ===== TimescaleDB path (retention policy; see 0002 for the hypertable) =====
    IF NOT EXISTS (
      SELECT 1 FROM timescaledb_information.jobs
      WHERE proc_name = 'policy_retention' AND hypertable_name = 'occupancy_events'
        AND (config->>'drop_after')::interval = keep
    ) THEN
      PERFORM remove_retention_policy('occupancy_events', if_exists => true);
      PERFORM add_retention_policy('occupancy_events', drop_after => keep);
    END IF;
    RETURN dropped;
    -- ===== end of the TimescaleDB path =====
  END IF;

  -- Drop whole partitions past the limit (never the default partition).
  FOR part IN
    SELECT c.relname,
      substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AS upper_bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'occupancy_events'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
  LOOP
    IF part.upper_bound <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped || part.relname::text;
    END IF;
  END LOOP;
  DELETE FROM occupancy_events_default WHERE ts < cutoff;

  -- Create the days ahead, starting after the last existing partition.
  SELECT max(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz)
    INTO day_start
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'occupancy_events'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT';
  -- Days already past the limit are not created (after a long pause, from the cutoff on; strays go to the default).
  day_start := greatest(coalesce(day_start, '-infinity'), date_trunc('day', cutoff AT TIME ZONE 'UTC') AT TIME ZONE 'UTC');
  last_day := (date_trunc('day', as_of AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + make_interval(days => days_ahead);
  WHILE day_start <= last_day LOOP
    name := 'occupancy_events_p' || to_char(day_start AT TIME ZONE 'UTC', 'YYYYMMDD');
    -- Built apart and attached, so rows the default partition already holds for the day move in first.
    EXECUTE format('CREATE TABLE %I (LIKE occupancy_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format(
      'WITH moved AS (DELETE FROM occupancy_events_default WHERE ts >= $1 AND ts < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
      name) USING day_start, day_start + interval '1 day';
    EXECUTE format('ALTER TABLE occupancy_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
      name, day_start, day_start + interval '1 day');
    day_start := day_start + interval '1 day';
  END LOOP;
  RETURN dropped;
END
$$;

REVOKE EXECUTE ON FUNCTION freiplatz_maintain_event_partitions(interval, timestamptz, integer) FROM PUBLIC;

-- Plain PostgreSQL: convert occupancy_events into a table partitioned by day. The existing table
-- becomes one partition for everything up to the end of today (dropped whole once all of it is
-- past the limit); no row is copied.
DO $$
DECLARE
  upper_bound timestamptz;
BEGIN
  IF freiplatz_events_are_hypertable() THEN
    -- TimescaleDB path: 180 days until the sweeper applies EVENTS_RETENTION_DAYS.
    PERFORM freiplatz_maintain_event_partitions(INTERVAL '180 days', now());
    RETURN;
  END IF;
  SELECT greatest(date_trunc('day', max(ts) AT TIME ZONE 'UTC'), date_trunc('day', now() AT TIME ZONE 'UTC')) AT TIME ZONE 'UTC'
      + INTERVAL '1 day'
    INTO upper_bound FROM occupancy_events;
  ALTER TABLE occupancy_events RENAME TO occupancy_events_before;
  ALTER INDEX occupancy_events_pkey RENAME TO occupancy_events_before_pkey;
  ALTER INDEX occupancy_events_ts_idx RENAME TO occupancy_events_before_ts_idx;
  CREATE TABLE occupancy_events (LIKE occupancy_events_before INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (ts);
  ALTER TABLE occupancy_events ADD PRIMARY KEY (sensor_id, ts, seq);
  CREATE INDEX occupancy_events_ts_idx ON occupancy_events (ts DESC);
  -- Events dated outside every daily partition (a sensor's clock far off) land here.
  CREATE TABLE occupancy_events_default PARTITION OF occupancy_events DEFAULT;
  EXECUTE format('ALTER TABLE occupancy_events ATTACH PARTITION occupancy_events_before FOR VALUES FROM (MINVALUE) TO (%L)', upper_bound);
  PERFORM freiplatz_maintain_event_partitions(INTERVAL '180 days', now());
END
$$;
