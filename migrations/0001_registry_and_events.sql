-- Registry, event history, maintained state and dead letters (DESIGN §5).
-- Plain PostgreSQL >= 15; TimescaleDB specifics live only in 0002_timescaledb.sql.

CREATE TABLE facilities (
  id                    text PRIMARY KEY,
  name                  text NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('car_park', 'on_street', 'rv_site', 'park_and_ride')),
  lat                   double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon                   double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  address               text,
  opening_hours         text,
  almost_full_threshold real NOT NULL DEFAULT 0.1 CHECK (almost_full_threshold BETWEEN 0 AND 1),
  tags                  text[] NOT NULL DEFAULT '{}',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spots (
  id          text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
  category    text NOT NULL CHECK (category IN ('standard', 'disabled', 'ev', 'camper', 'family', 'motorcycle', 'bus', 'truck')),
  amenities   text[] NOT NULL DEFAULT '{}',
  closed      boolean NOT NULL DEFAULT false
);
CREATE INDEX spots_facility_idx ON spots (facility_id);

CREATE TABLE sensors (
  id                         text PRIMARY KEY,
  kind                       text NOT NULL DEFAULT 'bay' CHECK (kind IN ('bay')),
  model                      text NOT NULL DEFAULT 'native',
  spot_id                    text UNIQUE REFERENCES spots (id) ON DELETE SET NULL,
  heartbeat_interval_seconds integer NOT NULL DEFAULT 600 CHECK (heartbeat_interval_seconds > 0),
  created_at                 timestamptz NOT NULL DEFAULT now()
);

-- Append-only history. The dedupe key includes the time column so it also holds on a hypertable;
-- seq = -1 stands for "the device sent no sequence number".
CREATE TABLE occupancy_events (
  sensor_id   text NOT NULL,
  ts          timestamptz NOT NULL,
  seq         bigint NOT NULL DEFAULT -1,
  received_at timestamptz NOT NULL,
  occupied    boolean,
  battery     real,
  rssi        real,
  heartbeat   boolean NOT NULL DEFAULT false,
  flags       text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (sensor_id, ts, seq)
);
CREATE INDEX occupancy_events_ts_idx ON occupancy_events (ts DESC);

-- Latest truth per sensor heard, registered or not (no foreign key: unknown sensors are kept too).
CREATE TABLE sensor_state (
  sensor_id     text PRIMARY KEY,
  ts            timestamptz NOT NULL,
  seq           bigint NOT NULL DEFAULT -1,
  occupied      boolean,
  battery       real,
  rssi          real,
  first_seen_at timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0
);

-- Sensors heard but not in the registry, for operators to map.
CREATE VIEW unassigned_sensors AS
  SELECT ss.sensor_id, ss.first_seen_at, ss.last_seen_at, ss.event_count
  FROM sensor_state ss
  LEFT JOIN sensors s ON s.id = ss.sensor_id
  WHERE s.id IS NULL OR s.spot_id IS NULL;

CREATE TABLE facility_state (
  facility_id text PRIMARY KEY REFERENCES facilities (id) ON DELETE CASCADE,
  capacity    integer NOT NULL DEFAULT 0,
  free        integer NOT NULL DEFAULT 0,
  occupied    integer NOT NULL DEFAULT 0,
  unknown     integer NOT NULL DEFAULT 0,
  closed      integer NOT NULL DEFAULT 0,
  by_category jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'unknown',
  confidence  real NOT NULL DEFAULT 0,
  -- Bumped on every change of the counts or status; ETags derive from it.
  version     bigint NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Dead letters: every MQTT payload that could not be turned into an event.
CREATE TABLE ingest_rejects (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic       text NOT NULL,
  payload     bytea NOT NULL,
  code        text NOT NULL,
  reason      text NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX ingest_rejects_received_idx ON ingest_rejects (received_at DESC);
CREATE INDEX ingest_rejects_code_idx ON ingest_rejects (code, received_at DESC);
