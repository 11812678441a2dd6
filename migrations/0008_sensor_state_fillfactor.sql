-- sensor_state is updated in place all the time (every event of a sensor rewrites its row) and read
-- by primary key. With full pages, an update cannot stay on its page and adds a new index entry
-- (a non-HOT update): at ~20,000 events/s over 20,000 sensors only ~40 % of the updates were HOT,
-- and the table and its index bloated within seconds. Half-full pages leave room for the new row
-- version next to the old one, and a more eager autovacuum returns the dead versions' space.
-- (Applies to pages written from now on; `VACUUM FULL sensor_state` rewrites existing ones.)
ALTER TABLE sensor_state SET (
  fillfactor = 50,
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_cost_delay = 0
);
