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

/** Encodes a reading: native `parking/v1/bays/…`, TTS v3 `v3/…/up` or ChirpStack v4 `application/…/event/up`. */
export function encodeBayReading(format: MessageFormat, r: BayReading): { topic: string; payload: string } {
  if (format === 'tts') {
    // TTS leaves out zero and empty values: no f_cnt 0, no false heartbeat.
    const decoded: Record<string, unknown> = { occupied: r.occupied, battery_voltage: r.battery };
    if (r.heartbeat) decoded.heartbeat = true;
    return {
      topic: `v3/${TTS_APP}@freiplatz/devices/${r.sensorId}/up`,
      payload: JSON.stringify({
        end_device_ids: { device_id: r.sensorId, application_ids: { application_id: TTS_APP } },
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
      topic: `application/${CHIRPSTACK_APP}/device/${r.sensorId}/event/up`,
      payload: JSON.stringify({
        time: r.ts.toISOString(),
        deviceInfo: { applicationId: CHIRPSTACK_APP, applicationName: 'freiplatz-sim', deviceName: r.sensorId, devEui: r.sensorId },
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
