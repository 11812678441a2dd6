import type { SensorHealthRecord } from '@freiplatz/db';
import { computeSensorHealth, type HealthFlag, isSourceSensorId, resolveSensorModel, type SensorModel } from '@freiplatz/domain';

const DEFAULT_HEARTBEAT_SECONDS = 600;

/** A sensor as operators see it: where it is, what it last said, and its health flags. */
export function toSensorView(r: SensorHealthRecord, models: ReadonlyMap<string, SensorModel>, now: Date) {
  const model = resolveSensorModel(r.model ?? (r.kind === null ? 'generic' : 'native'), models);
  const heartbeatIntervalSeconds = r.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
  const health: HealthFlag[] = computeSensorHealth(
    {
      assigned: r.kind !== null && (r.spotId !== null || r.facilityId !== null),
      source: isSourceSensorId(r.sensorId),
      heartbeatIntervalSeconds,
      facilityKind: r.facilityKind,
      thresholds: model.health,
      state: r.state && {
        lastSeenAt: r.state.lastSeenAt,
        battery: r.state.battery,
        batteryLevel: r.state.batteryLevel,
        stateSince: r.kind === 'counter' ? null : r.state.stateSince,
      },
      changesLastHour: r.changesLastHour,
      lastClockSkewAt: r.lastClockSkewAt,
    },
    now,
  );
  const s = r.state;
  return {
    id: r.sensorId,
    kind: r.kind,
    model: model.id,
    facilityId: r.facilityId,
    spotId: r.spotId,
    heartbeatIntervalSeconds,
    health,
    lastSeenAt: s?.lastSeenAt.toISOString() ?? null,
    occupied: s?.occupied ?? null,
    vehicles: s?.vehicles ?? null,
    battery: s?.battery ?? null,
    batteryLevel: s?.batteryLevel ?? null,
    rssi: s?.rssi ?? null,
    temperature: s?.temperature ?? null,
    stateSince: s?.stateSince?.toISOString() ?? null,
    changesLastHour: r.changesLastHour,
    events: s?.eventCount ?? 0,
  };
}
export type SensorView = ReturnType<typeof toSensorView>;
