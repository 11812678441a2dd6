-- Real sensors (issue 4) and operator keys (issue 7): sensor models, counted facilities, richer
-- events and sensor state for health rules, hashed API keys and the audit log.
-- Plain PostgreSQL; ADD COLUMN of nullable columns without defaults also works on a compressed hypertable.

-- Counted facilities (entry/exit counters instead of bay sensors) have a capacity and no spots.
ALTER TABLE facilities ADD COLUMN capacity integer CHECK (capacity >= 0);

-- Registry-defined sensor models (field mappings, health thresholds); built-in models live in code.
CREATE TABLE sensor_models (
  id         text PRIMARY KEY,
  definition jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE sensors DROP CONSTRAINT sensors_kind_check;
ALTER TABLE sensors ADD CONSTRAINT sensors_kind_check CHECK (kind IN ('bay', 'counter'));
-- The counted facility of a counter sensor (bay sensors reach theirs through the spot).
ALTER TABLE sensors ADD COLUMN facility_id text REFERENCES facilities (id) ON DELETE SET NULL;
CREATE INDEX sensors_facility_idx ON sensors (facility_id) WHERE facility_id IS NOT NULL;

ALTER TABLE occupancy_events
  ADD COLUMN vehicles      integer,
  ADD COLUMN entered       integer,
  ADD COLUMN exited        integer,
  ADD COLUMN temperature   real,
  ADD COLUMN battery_level real,
  ADD COLUMN margin        smallint;

ALTER TABLE sensor_state
  ADD COLUMN battery_level real,
  ADD COLUMN temperature   real,
  ADD COLUMN margin        smallint,
  -- Since when the sensor reports its current occupancy (for the `stuck` rule).
  ADD COLUMN state_since   timestamptz,
  -- Counters: current net count, and the (ts, seq) of the absolute count it rests on.
  ADD COLUMN vehicles      integer,
  ADD COLUMN vehicles_ts   timestamptz,
  ADD COLUMN vehicles_seq  bigint;

-- Counted facilities: the raw (unclamped) count and how often it had to be clamped to [0, capacity].
ALTER TABLE facility_state
  ADD COLUMN vehicles       integer,
  ADD COLUMN vehicle_clamps bigint NOT NULL DEFAULT 0;

-- Unassigned now also means: a counter without a facility.
CREATE OR REPLACE VIEW unassigned_sensors AS
  SELECT ss.sensor_id, ss.first_seen_at, ss.last_seen_at, ss.event_count
  FROM sensor_state ss
  LEFT JOIN sensors s ON s.id = ss.sensor_id
  WHERE s.id IS NULL OR (s.spot_id IS NULL AND s.facility_id IS NULL);

-- Operator API keys. `id` is the public lookup prefix inside the key; only a scrypt hash of the
-- secret part is stored. facility_ids NULL = every facility.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL,
  facility_ids text[],
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz
);

-- Who did what: every key use, failed authentication and registry write. Append-only.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  action      text NOT NULL,
  key_id      text,
  method      text,
  path        text,
  status      integer,
  facility_id text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_key_idx ON audit_log (key_id, at DESC);
