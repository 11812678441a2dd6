-- Open data (issue 17): who publishes the exports under which licence, and the guidance systems
-- the ingest service polls (their counts arrive as events of synthetic counter sensors
-- `source:<sourceId>:<facilityId>`, registered in `sensors` like any counter).

-- One row: the registry's `openData` (publisher, country, licence, attribution).
CREATE TABLE open_data_publisher (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  definition jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The registry's `sources[]`, with what the last poll found (for conditional requests and operators).
CREATE TABLE data_sources (
  id              text PRIMARY KEY,
  definition      jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_status     integer,
  last_error      text,
  etag            text,
  last_modified   text
);
