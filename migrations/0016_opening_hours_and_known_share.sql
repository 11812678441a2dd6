-- What a facility's status depends on besides its counts (issue #15), decided by
-- computeFacilityStatus in packages/domain/src/availability.ts when facility state is written.
-- time_zone: the IANA zone its OSM opening_hours are read in.
-- min_known_share: below this share of known spots ((free + occupied) / (capacity − closed)) the
-- status is 'unknown'.
ALTER TABLE facilities
  ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Berlin',
  ADD COLUMN min_known_share real NOT NULL DEFAULT 0.5 CHECK (min_known_share BETWEEN 0 AND 1);

-- open_now: the opening hours at the last count (NULL: no hours, or the hours say unknown).
-- hours_change_at: when that next changes; the ingest state sweeper recounts the facility then,
-- so a facility closes and opens on time without a sensor event.
ALTER TABLE facility_state
  ADD COLUMN open_now boolean,
  ADD COLUMN hours_change_at timestamptz;

CREATE INDEX facility_state_hours_change_at ON facility_state (hours_change_at) WHERE hours_change_at IS NOT NULL;
