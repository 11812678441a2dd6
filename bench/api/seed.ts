import { type Db, refreshAllFacilityStates } from '@freiplatz/db';
import { sql } from 'kysely';

/** The area facilities are spread over (Magdeburg, about 18 × 18 km). */
export const AREA = { lat: 52.05, lon: 11.5, dLat: 0.16, dLon: 0.26 };
export const CENTRE = { lat: AREA.lat + AREA.dLat / 2, lon: AREA.lon + AREA.dLon / 2 };

/**
 * Seeds facilities, spots, sensors and fresh sensor state in SQL, then computes facility state the real way.
 * Locations have six decimals (~10 cm), as surveyed registry data has (the demo registry has five).
 */
export async function seedCity(db: Db, facilities: number, spotsPerFacility: number): Promise<void> {
  await sql`SELECT setseed(0.42)`.execute(db);
  await sql`
    INSERT INTO facilities (id, name, kind, lat, lon, almost_full_threshold)
    SELECT 'f' || lpad(i::text, 6, '0'), 'Bench ' || i, (ARRAY['car_park','on_street','rv_site','park_and_ride'])[1 + i % 4],
      round((${AREA.lat} + random() * ${AREA.dLat})::numeric, 6)::float8, round((${AREA.lon} + random() * ${AREA.dLon})::numeric, 6)::float8, 0.1
    FROM generate_series(1, ${facilities}::int) i`.execute(db);
  await sql`
    INSERT INTO spots (id, facility_id, category, amenities)
    SELECT f.id || '-' || s, f.id,
      CASE WHEN s % 10 = 0 THEN 'camper' WHEN s % 17 = 0 THEN 'disabled' ELSE 'standard' END,
      CASE WHEN s % 10 = 0 THEN '{power,water}'::text[] ELSE '{}'::text[] END
    FROM facilities f CROSS JOIN generate_series(1, ${spotsPerFacility}::int) s`.execute(db);
  await sql`INSERT INTO sensors (id, spot_id, heartbeat_interval_seconds) SELECT id || '-s', id, 86400 FROM spots`.execute(db);
  await sql`
    INSERT INTO sensor_state (sensor_id, ts, seq, occupied, first_seen_at, last_seen_at, event_count)
    SELECT id, now(), 0, random() < 0.6, now(), now(), 1 FROM sensors`.execute(db);
  await sql`ANALYZE`.execute(db);
  await refreshAllFacilityStates(db, new Date(), 500);
}
