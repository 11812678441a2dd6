import type { DecodeResult, Rejection } from './decode.js';
import type { OccupancyEvent } from './event.js';
import { type LorawanBinding, type LorawanNetwork, lorawanDeviceKey, type Registry } from './registry.schema.js';
import { resolveSensorModel, type SensorModel } from './sensor-model.js';

/** What the decoders need to know of a registered sensor. */
export interface DirectorySensor {
  id: string;
  kind: 'bay' | 'counter';
  model: SensorModel;
  lorawan: LorawanBinding | null;
}

/** The registered sensors, by id and by the id their network server names them by. */
export interface SensorDirectory {
  sensor(id: string): DirectorySensor | undefined;
  /** Sensors bound to this network with this device key (TTS device id, ChirpStack DevEUI), in any application. */
  devices(network: LorawanNetwork, deviceKey: string): readonly DirectorySensor[];
}

const none: readonly DirectorySensor[] = [];

/** Builds a directory of the given sensors. */
export function createSensorDirectory(sensors: Iterable<DirectorySensor>): SensorDirectory {
  const byId = new Map<string, DirectorySensor>();
  const byDevice = new Map<string, DirectorySensor[]>();
  for (const s of sensors) {
    byId.set(s.id, s);
    if (s.lorawan === null) continue;
    const key = `${s.lorawan.network}\u0000${lorawanDeviceKey(s.id, s.lorawan)}`;
    const list = byDevice.get(key);
    if (list) list.push(s);
    else byDevice.set(key, [s]);
  }
  return {
    sensor: (id) => byId.get(id),
    devices: (network, deviceKey) => byDevice.get(`${network}\u0000${deviceKey}`) ?? none,
  };
}

/** A directory of a registry document's sensors (tools and tests; the ingest worker loads its own from the database). */
export function createRegistryDirectory(registry: Registry): SensorDirectory {
  const models = new Map(registry.sensorModels.map((m) => [m.id, m] as const));
  return createSensorDirectory(
    registry.sensors.map((s) => ({ id: s.id, kind: s.kind, model: resolveSensorModel(s.model, models), lorawan: s.lorawan ?? null })),
  );
}

/** No sensor registered: native sensors are taken as unassigned, LoRaWAN devices are unknown. */
export const EMPTY_DIRECTORY: SensorDirectory = createSensorDirectory([]);

/** Where a network server's uplink came from: its topic (and, for ChirpStack, the payload's tenant). */
export interface UplinkOrigin {
  network: LorawanNetwork;
  application: string;
  tenant: string | undefined;
  deviceKey: string;
}

const describeOrigin = (o: UplinkOrigin) =>
  `${o.network} device "${o.deviceKey}" of application "${o.application.slice(0, 64)}"${o.tenant === undefined ? '' : ` (tenant "${o.tenant.slice(0, 64)}")`}`;

/**
 * The registered sensor a network server's uplink is for: bound to that network, application and
 * (when the binding names one) tenant. Anything else is refused, so that an account allowed to
 * publish for one application cannot write another's devices, or a native sensor.
 */
export function resolveUplinkSensor(directory: SensorDirectory, origin: UplinkOrigin): { ok: true; sensor: DirectorySensor } | Rejection {
  const candidates = directory.devices(origin.network, origin.deviceKey);
  const sensor = candidates.find((s) => s.lorawan?.application === origin.application);
  if (sensor?.lorawan && (sensor.lorawan.tenant === undefined || sensor.lorawan.tenant === origin.tenant)) return { ok: true, sensor };
  if (sensor) {
    return {
      ok: false,
      code: 'BINDING_MISMATCH',
      reason: `${describeOrigin(origin)}: the device is bound to tenant "${sensor.lorawan?.tenant}"`,
    };
  }
  if (candidates.length > 0) {
    const apps = candidates.map((s) => `"${s.lorawan?.application}"`).join(', ');
    return { ok: false, code: 'BINDING_MISMATCH', reason: `${describeOrigin(origin)}: the device is bound to application ${apps}` };
  }
  if (directory.sensor(origin.deviceKey) !== undefined) {
    return { ok: false, code: 'BINDING_MISMATCH', reason: `${describeOrigin(origin)}: sensor "${origin.deviceKey}" is not bound to it` };
  }
  return {
    ok: false,
    code: 'UNKNOWN_DEVICE',
    reason: `${describeOrigin(origin)}: no sensor is bound to it (registry: sensors[].lorawan)`,
  };
}

/** Refuses an event that does not fit its sensor's kind (a counter reading for a bay sensor, or the reverse). */
export function checkEventKind(sensor: DirectorySensor | undefined, event: OccupancyEvent): DecodeResult {
  if (sensor === undefined || event.kind === 'status' || event.kind === sensor.kind) return { ok: true, event };
  return {
    ok: false,
    code: 'WRONG_KIND',
    reason: `sensor "${sensor.id}" is a ${sensor.kind} sensor; the message is a ${event.kind} reading`,
  };
}

/** Admits an event from a native topic: never for a LoRaWAN-bound sensor, and only of its sensor's kind. */
export function admitNativeEvent(directory: SensorDirectory, event: OccupancyEvent): DecodeResult {
  const sensor = directory.sensor(event.sensorId);
  if (sensor?.lorawan) {
    return {
      ok: false,
      code: 'BINDING_MISMATCH',
      reason: `sensor "${sensor.id}" is a ${sensor.lorawan.network} device: native topics cannot write it`,
    };
  }
  return checkEventKind(sensor, event);
}
