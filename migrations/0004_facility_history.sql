-- Occupancy history per facility in 15-minute buckets (DESIGN §5), maintained on every committed
-- change of facility state: refreshFacilityState inserts one sample per changed facility into
-- facility_state_samples inside the ingest transaction.
-- Plain PostgreSQL: a BEFORE INSERT trigger folds each sample into facility_occupancy_15m and keeps
-- no raw row. TimescaleDB (0006_timescaledb_history.sql): the trigger and table are replaced by a
-- hypertable of samples and a continuous aggregate of the same name and columns.

CREATE TABLE facility_state_samples (
  facility_id text NOT NULL,
  at          timestamptz NOT NULL,
  version     bigint NOT NULL,
  capacity    integer NOT NULL,
  free        integer NOT NULL,
  occupied    integer NOT NULL,
  unknown     integer NOT NULL
);

CREATE TABLE facility_occupancy_15m (
  facility_id  text NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
  bucket       timestamptz NOT NULL,
  samples      integer NOT NULL,
  capacity     integer NOT NULL,
  free_avg     real NOT NULL,
  free_min     integer NOT NULL,
  free_max     integer NOT NULL,
  -- The state the bucket ended in; carried forward into later buckets that saw no change.
  free_last    integer NOT NULL,
  occupied_avg real NOT NULL,
  unknown_avg  real NOT NULL,
  last_at      timestamptz NOT NULL,
  PRIMARY KEY (facility_id, bucket)
);

CREATE FUNCTION fold_facility_state_sample() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO facility_occupancy_15m AS b
    (facility_id, bucket, samples, capacity, free_avg, free_min, free_max, free_last, occupied_avg, unknown_avg, last_at)
  VALUES (NEW.facility_id, date_bin(INTERVAL '15 minutes', NEW.at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 1, NEW.capacity,
    NEW.free, NEW.free, NEW.free, NEW.free, NEW.occupied, NEW.unknown, NEW.at)
  ON CONFLICT (facility_id, bucket) DO UPDATE SET
    samples      = b.samples + 1,
    free_avg     = (b.free_avg * b.samples + excluded.free_avg) / (b.samples + 1),
    free_min     = least(b.free_min, excluded.free_min),
    free_max     = greatest(b.free_max, excluded.free_max),
    occupied_avg = (b.occupied_avg * b.samples + excluded.occupied_avg) / (b.samples + 1),
    unknown_avg  = (b.unknown_avg * b.samples + excluded.unknown_avg) / (b.samples + 1),
    capacity     = CASE WHEN excluded.last_at >= b.last_at THEN excluded.capacity ELSE b.capacity END,
    free_last    = CASE WHEN excluded.last_at >= b.last_at THEN excluded.free_last ELSE b.free_last END,
    last_at      = greatest(b.last_at, excluded.last_at);
  RETURN NULL; -- the sample lives on only in its bucket
END
$$;

CREATE TRIGGER facility_state_samples_fold BEFORE INSERT ON facility_state_samples
  FOR EACH ROW EXECUTE FUNCTION fold_facility_state_sample();
