-- The time index of occupancy_events as BRIN on plain PostgreSQL (issue #16).
--
-- Events are appended in roughly time order, one daily partition at a time (0017), so a block
-- range index answers "events since T" (operators' sensor health: changes in the last hour, clock
-- skew in the last day) by skipping every range whose times lie before T. A B-tree on `ts` did the
-- same at the cost of a second B-tree insert per stored event, besides the dedupe key's; a BRIN
-- index is written only when a range is summarised or an event widens a summarised range.
-- Measured in probes of bench:ingest's full-rate phase: PostgreSQL's CPU per stored event 2–7 %
-- lower (bench/HISTORY.md, 2026-12-06, session 8).
--
-- Late events (a gateway's backlog) widen the range they land in: the index stays right, only
-- less selective for that range. `autosummarize` summarises each range once it is full, so ranges
-- are not left to the next vacuum.
--
-- TimescaleDB keeps its B-tree: there each chunk holds one day and chunk exclusion does what the
-- ranges do here, and compressed chunks are indexed by the compression settings (0002).
DO $$
BEGIN
  IF freiplatz_events_are_hypertable() THEN
    RETURN;
  END IF;
  -- The partitioned index and every partition's index with it (each daily partition, the default
  -- one and the table as it was before 0017).
  DROP INDEX occupancy_events_ts_idx;
  -- Built on every partition; partitions created later (freiplatz_maintain_event_partitions) get
  -- one when they are attached.
  CREATE INDEX occupancy_events_ts_idx ON occupancy_events USING brin (ts) WITH (autosummarize = on);
END
$$;
