-- Incremental facility counts (ingest speed, issue #3).
-- sensor_state.counted_status records the status a sensor's spot contributes to its facility's
-- counts in facility_state, as last accounted: 'free', 'occupied' or 'unknown' (NULL = never
-- accounted, counts as unknown). Closure is kept on the spot, not here. Invariant, held by
-- refreshFacilityState (full recount) and commitIngestBatch (old → new deltas) under the
-- facility_state row lock: for every facility without counters, by_category counts equal the
-- counted_status of the sensors of its open spots.

ALTER TABLE sensor_state ADD COLUMN counted_status text CHECK (counted_status IN ('free', 'occupied', 'unknown'));

-- The spot rule of @freiplatz/domain computeSpotStatus for an open spot, in SQL (a test holds them
-- together): a fresh report of occupied/free counts, anything else (never heard, silent longer than
-- stale_factor heartbeats, no occupancy reading) is unknown.
CREATE FUNCTION freiplatz_sensor_status(occupied boolean, last_seen_at timestamptz, heartbeat_seconds integer,
  as_of timestamptz, stale_factor double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN occupied IS NULL OR last_seen_at IS NULL OR heartbeat_seconds IS NULL
      OR last_seen_at < as_of - make_interval(secs => heartbeat_seconds * stale_factor) THEN 'unknown'
    WHEN occupied THEN 'occupied'
    ELSE 'free'
  END
$$;

-- Bring existing rows in line with the counts as they stand: the ingest worker does a full recount
-- of every facility when it starts, which also settles any sensor that went silent meanwhile.
UPDATE sensor_state ss SET counted_status = freiplatz_sensor_status(ss.occupied, ss.last_seen_at, se.heartbeat_interval_seconds, now(), 2.5)
FROM sensors se WHERE se.id = ss.sensor_id AND se.spot_id IS NOT NULL;

