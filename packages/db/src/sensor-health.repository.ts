import type { FacilityKind } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Everything the health rules need about one sensor, registered or merely heard. */
export interface SensorHealthRecord {
  sensorId: string;
  /** null when the sensor is not in the registry. */
  kind: 'bay' | 'counter' | null;
  model: string | null;
  heartbeatIntervalSeconds: number | null;
  spotId: string | null;
  facilityId: string | null;
  facilityKind: FacilityKind | null;
  /** null when never heard. */
  state: {
    lastSeenAt: Date;
    ts: Date;
    occupied: boolean | null;
    vehicles: number | null;
    battery: number | null;
    batteryLevel: number | null;
    rssi: number | null;
    temperature: number | null;
    margin: number | null;
    stateSince: Date | null;
    eventCount: number;
  } | null;
  changesLastHour: number;
  lastClockSkewAt: Date | null;
}

interface Row {
  sensor_id: string;
  kind: 'bay' | 'counter' | null;
  model: string | null;
  heartbeat_interval_seconds: number | null;
  spot_id: string | null;
  facility_id: string | null;
  facility_kind: FacilityKind | null;
  last_seen_at: Date | null;
  ts: Date | null;
  occupied: boolean | null;
  vehicles: number | null;
  battery: number | null;
  battery_level: number | null;
  rssi: number | null;
  temperature: number | null;
  margin: number | null;
  state_since: Date | null;
  event_count: number | null;
  changes: number;
  skew_at: Date | null;
}

/**
 * Lists sensors (registered ones and those only heard) with their state, occupancy changes in the
 * last hour and the last clock-skewed event of the last day. `facilityIds` limits to those facilities
 * (unassigned sensors belong to none); `sensorId` picks one.
 */
export async function listSensorHealth(
  db: Kysely<Database>,
  now: Date,
  filter: { facilityIds?: readonly string[] | null; sensorId?: string } = {},
): Promise<SensorHealthRecord[]> {
  const ids = filter.facilityIds ?? null;
  const { rows } = await sql<Row>`
    WITH changes AS (
      SELECT sensor_id, count(*) FILTER (WHERE prev IS NOT NULL AND occupied IS DISTINCT FROM prev)::int AS changes
      FROM (SELECT sensor_id, occupied, lag(occupied) OVER (PARTITION BY sensor_id ORDER BY ts, seq) AS prev
            FROM occupancy_events WHERE ts > ${now}::timestamptz - interval '1 hour' AND occupied IS NOT NULL) t
      GROUP BY sensor_id
    ),
    skew AS (
      SELECT sensor_id, max(received_at) AS at FROM occupancy_events
      WHERE ts > ${now}::timestamptz - interval '25 hours' AND 'clock_skew' = ANY(flags) GROUP BY sensor_id
    ),
    sensor AS (
      SELECT coalesce(se.id, ss.sensor_id) AS sensor_id, se.kind, se.model, se.heartbeat_interval_seconds, se.spot_id,
        coalesce(sp.facility_id, se.facility_id) AS facility_id,
        ss.last_seen_at, ss.ts, ss.occupied, ss.vehicles, ss.battery, ss.battery_level, ss.rssi, ss.temperature, ss.margin,
        ss.state_since, ss.event_count
      FROM sensors se
      FULL JOIN sensor_state ss ON ss.sensor_id = se.id
      LEFT JOIN spots sp ON sp.id = se.spot_id
    )
    SELECT s.*, f.kind AS facility_kind, coalesce(c.changes, 0) AS changes, k.at AS skew_at
    FROM sensor s
    LEFT JOIN facilities f ON f.id = s.facility_id
    LEFT JOIN changes c ON c.sensor_id = s.sensor_id
    LEFT JOIN skew k ON k.sensor_id = s.sensor_id
    WHERE (${ids}::text[] IS NULL OR s.facility_id = ANY(${ids}::text[]))
      AND (${filter.sensorId ?? null}::text IS NULL OR s.sensor_id = ${filter.sensorId ?? null}::text)
    ORDER BY s.sensor_id`.execute(db);
  return rows.map((r) => ({
    sensorId: r.sensor_id,
    kind: r.kind,
    model: r.model,
    heartbeatIntervalSeconds: r.heartbeat_interval_seconds,
    spotId: r.spot_id,
    facilityId: r.facility_id,
    facilityKind: r.facility_kind,
    state:
      r.last_seen_at === null || r.ts === null
        ? null
        : {
            lastSeenAt: r.last_seen_at,
            ts: r.ts,
            occupied: r.occupied,
            vehicles: r.vehicles,
            battery: r.battery,
            batteryLevel: r.battery_level,
            rssi: r.rssi,
            temperature: r.temperature,
            margin: r.margin,
            stateSince: r.state_since,
            eventCount: r.event_count ?? 0,
          },
    changesLastHour: r.changes,
    lastClockSkewAt: r.skew_at,
  }));
}

/** A sensor's most recent events, newest first. */
export async function listRecentEvents(db: Kysely<Database>, sensorId: string, limit: number) {
  return db
    .selectFrom('occupancy_events')
    .select([
      'ts',
      'seq',
      'received_at',
      'occupied',
      'vehicles',
      'entered',
      'exited',
      'battery',
      'battery_level',
      'rssi',
      'temperature',
      'heartbeat',
      'flags',
    ])
    .where('sensor_id', '=', sensorId)
    .orderBy('ts', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}
