import type { LorawanBinding } from '@freiplatz/domain';
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface FacilitiesTable {
  id: string;
  name: string;
  kind: string;
  lat: number;
  lon: number;
  address: string | null;
  opening_hours: string | null;
  almost_full_threshold: number;
  time_zone: Generated<string>;
  min_known_share: Generated<number>;
  tags: string[];
  capacity: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface SpotsTable {
  id: string;
  facility_id: string;
  category: string;
  amenities: string[];
  closed: Generated<boolean>;
}

export interface SensorsTable {
  id: string;
  kind: Generated<string>;
  model: Generated<string>;
  spot_id: string | null;
  facility_id: ColumnType<string | null, string | null | undefined, string | null>;
  heartbeat_interval_seconds: number;
  /** LoRaWAN binding (migration 0013); null for native sensors. */
  lorawan: ColumnType<LorawanBinding | null, string | null | undefined, string | null>;
  created_at: DefaultedTimestamp;
}

export interface OccupancyEventsTable {
  sensor_id: string;
  ts: Timestamp;
  seq: number;
  received_at: Timestamp;
  occupied: boolean | null;
  battery: number | null;
  rssi: number | null;
  heartbeat: boolean;
  flags: string[];
  vehicles: number | null;
  entered: number | null;
  exited: number | null;
  temperature: number | null;
  battery_level: number | null;
  margin: number | null;
}

export interface SensorStateTable {
  sensor_id: string;
  ts: Timestamp;
  seq: number;
  occupied: boolean | null;
  battery: number | null;
  rssi: number | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  event_count: number;
  battery_level: number | null;
  temperature: number | null;
  margin: number | null;
  state_since: Date | null;
  vehicles: number | null;
  vehicles_ts: Date | null;
  vehicles_seq: number | null;
  /** What the sensor's spot last contributed to facility counts (migration 0007); null = never accounted. */
  counted_status: 'free' | 'occupied' | 'unknown' | null;
}

export interface FacilityStateTable {
  facility_id: string;
  capacity: number;
  free: number;
  occupied: number;
  unknown: number;
  closed: number;
  by_category: ColumnType<Record<string, unknown>, string, string>;
  status: string;
  confidence: number;
  version: number;
  updated_at: Timestamp;
  vehicles: ColumnType<number | null, number | null | undefined, number | null>;
  vehicle_clamps: Generated<number>;
  open_now: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  hours_change_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface SensorModelsTable {
  id: string;
  definition: ColumnType<unknown, string, string>;
  updated_at: DefaultedTimestamp;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  facility_ids: string[] | null;
  created_at: DefaultedTimestamp;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface OpsSessionsTable {
  token_hash: string;
  key_id: string;
  created_at: DefaultedTimestamp;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: DefaultedTimestamp;
  action: string;
  key_id: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  facility_id: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface IngestRejectsTable {
  id: Generated<number>;
  topic: string;
  /** At most the first 1 KiB (migration 0012). */
  payload: Buffer;
  payload_size: number;
  payload_sha256: Buffer;
  code: string;
  reason: string;
  received_at: Timestamp;
}

export interface UnassignedSensorsView {
  sensor_id: string;
  first_seen_at: Date;
  last_seen_at: Date;
  event_count: number;
}

export interface Database {
  facilities: FacilitiesTable;
  spots: SpotsTable;
  sensors: SensorsTable;
  occupancy_events: OccupancyEventsTable;
  sensor_state: SensorStateTable;
  facility_state: FacilityStateTable;
  ingest_rejects: IngestRejectsTable;
  unassigned_sensors: UnassignedSensorsView;
  sensor_models: SensorModelsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  ops_sessions: OpsSessionsTable;
}
