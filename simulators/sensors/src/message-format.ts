import { type LorawanBinding, lorawanDeviceKey } from '@freiplatz/domain';

/** How messages are put on the wire: native topics, or as The Things Stack v3 / ChirpStack v4 publish uplinks. */
export const messageFormats = ['native', 'tts', 'chirpstack'] as const;
export type MessageFormat = (typeof messageFormats)[number];

/** What a bay sensor says, before it is encoded for a network server. */
export interface BayReading {
  sensorId: string;
  occupied: boolean;
  ts: Date;
  seq: number;
  battery: number;
  rssi: number;
  heartbeat: boolean;
}

const TTS_APP = 'freiplatz-sim';
const CHIRPSTACK_APP = '00000000-0000-4000-8000-00000000f1a7';

/**
 * Encodes a reading: native `parking/v1/bays/…`, TTS v3 `v3/…/up` or ChirpStack v4 `application/…/event/up`.
 * A sensor the registry binds to a network server (`lorawan`) is always sent as that server
 * publishes it, with its application, tenant and device id: ingest takes it from nowhere else.
 */
export function encodeBayReading(format: MessageFormat, r: BayReading, binding?: LorawanBinding): { topic: string; payload: string } {
  if (binding) return encodeBoundReading(binding, r);
  return encodeForNetwork(format, r, {
    application: format === 'chirpstack' ? CHIRPSTACK_APP : TTS_APP,
    tenant: 'freiplatz',
    device: r.sensorId,
  });
}

function encodeBoundReading(binding: LorawanBinding, r: BayReading): { topic: string; payload: string } {
  return encodeForNetwork(binding.network, r, {
    application: binding.application,
    tenant: binding.tenant,
    device: lorawanDeviceKey(r.sensorId, binding),
  });
}

function encodeForNetwork(
  format: MessageFormat,
  r: BayReading,
  ids: { application: string; tenant: string | undefined; device: string },
): { topic: string; payload: string } {
  if (format === 'tts') {
    // TTS leaves out zero and empty values: no f_cnt 0, no false heartbeat.
    const decoded: Record<string, unknown> = { occupied: r.occupied, battery_voltage: r.battery };
    if (r.heartbeat) decoded.heartbeat = true;
    return {
      topic: `v3/${ids.application}${ids.tenant ? `@${ids.tenant}` : ''}/devices/${ids.device}/up`,
      payload: JSON.stringify({
        end_device_ids: { device_id: ids.device, application_ids: { application_id: ids.application } },
        received_at: r.ts.toISOString(),
        uplink_message: {
          f_port: 1,
          ...(r.seq > 0 ? { f_cnt: r.seq } : {}),
          decoded_payload: decoded,
          rx_metadata: [{ gateway_ids: { gateway_id: 'sim-gw-1' }, rssi: r.rssi, channel_rssi: r.rssi }],
          received_at: r.ts.toISOString(),
        },
      }),
    };
  }
  if (format === 'chirpstack') {
    return {
      topic: `application/${ids.application}/device/${ids.device}/event/up`,
      payload: JSON.stringify({
        time: r.ts.toISOString(),
        deviceInfo: {
          ...(ids.tenant ? { tenantId: ids.tenant } : {}),
          applicationId: ids.application,
          applicationName: 'freiplatz-sim',
          deviceName: r.sensorId,
          devEui: ids.device,
        },
        fCnt: r.seq,
        fPort: 2,
        object: { occupied: r.occupied, battery_voltage: r.battery, ...(r.heartbeat ? { heartbeat: true } : {}) },
        rxInfo: [{ gatewayId: '0016c001ff1e0001', rssi: r.rssi, snr: 7.5 }],
      }),
    };
  }
  const body: Record<string, unknown> = { occupied: r.occupied, ts: r.ts.toISOString(), seq: r.seq, battery: r.battery, rssi: r.rssi };
  if (r.heartbeat) body.heartbeat = true;
  return { topic: `parking/v1/bays/${r.sensorId}`, payload: JSON.stringify(body) };
}
