-- A dead letter keeps at most the first 1 KiB of its payload, with the payload's full size and its
-- SHA-256: enough to see what a sensor sent and to recognise the same payload again, without one
-- sensor's oversized garbage filling the database (or the commit's memory). Rows stored before
-- keep their first 1 KiB too. The retention sweep (services/ingest/src/state-sweeper.ts) deletes
-- old rows by `received_at` through the existing index.
ALTER TABLE ingest_rejects
  ADD COLUMN payload_size integer,
  ADD COLUMN payload_sha256 bytea;
UPDATE ingest_rejects
  SET payload_size = octet_length(payload), payload_sha256 = sha256(payload), payload = substring(payload FROM 1 FOR 1024);
ALTER TABLE ingest_rejects
  ALTER COLUMN payload_size SET NOT NULL,
  ALTER COLUMN payload_sha256 SET NOT NULL,
  ADD CONSTRAINT ingest_rejects_payload_excerpt CHECK (octet_length(payload) <= 1024 AND payload_size >= octet_length(payload));
