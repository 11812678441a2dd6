import { CHIRPSTACK_EVENT_TOPIC, createSensorDirectory, decodeMessage, resolveSensorModel, TTS_UPLINK_TOPIC } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { applyFaults, assignFaults, type DeviceFaults, makeGarbage, NO_FAULTS, parseFaultRates } from './faults.js';
import { encodeBayReading, messageFormats } from './message-format.js';
import { createOccupancyModel } from './occupancy-model.js';
import { createRng } from './rng.js';
import { buildBayMessage, createSensorFleet, planMessages } from './sensor-fleet.js';
import { readDemoRegistry } from './test-registry.js';

const T0 = Date.UTC(2026, 10, 27, 9);

describe('fault injection', () => {
  it('parses rates and refuses unknown faults or rates outside 0–1', () => {
    expect(parseFaultRates('die=0.2,flap=0')).toEqual({ ok: true, rates: { die: 0.2, flap: 0 } });
    expect(parseFaultRates('')).toEqual({ ok: true, rates: {} });
    expect(parseFaultRates('die=-1')).toMatchObject({ ok: false });
    expect(parseFaultRates('rust=0.1')).toMatchObject({ ok: false });
  });

  it('gives about the requested share of devices each fault, and none without rates', () => {
    const faults = assignFaults(2000, { die: 0.1, stick: 0.05, skew: 0.2, drain: 0.5 }, createRng(3), T0);
    const share = (pick: (f: DeviceFaults) => boolean) => faults.filter(pick).length / faults.length;
    expect(share((f) => f.diesAtMs !== null)).toBeCloseTo(0.1, 1);
    expect(share((f) => f.stuck)).toBeCloseTo(0.05, 1);
    expect(share((f) => f.skewMs >= 10 * 60_000)).toBeCloseTo(0.2, 1);
    expect(share((f) => f.drainPerMessage > 0)).toBeCloseTo(0.5, 1);
    expect(share((f) => f.flapEveryMs !== null)).toBe(0);
    expect(assignFaults(100, {}, createRng(3), T0).every((f) => JSON.stringify(f) === JSON.stringify(NO_FAULTS))).toBe(true);
  });

  it.each<[string, DeviceFaults, boolean, boolean | null, number, boolean]>([
    ['a healthy device reports the bay', NO_FAULTS, true, false, T0, true],
    ['a stuck device keeps what it said', { ...NO_FAULTS, stuck: true }, true, false, T0, false],
    ['a stuck device still reports its first state', { ...NO_FAULTS, stuck: true }, true, null, T0, true],
    ['a flapping device toggles with its period (even slot)', { ...NO_FAULTS, flapEveryMs: 1000 }, false, false, 4000, true],
    ['a flapping device toggles with its period (odd slot)', { ...NO_FAULTS, flapEveryMs: 1000 }, true, true, 5000, false],
  ])('%s', (_name, faults, trueOccupied, reported, at, expected) => {
    expect(applyFaults(faults, trueOccupied, reported, at)).toBe(expected);
  });

  it('makes garbage that every decoder rejects with a reason', () => {
    const rng = createRng(5);
    for (let i = 0; i < 50; i++) {
      const result = decodeMessage('parking/v1/bays/s1', Buffer.from(makeGarbage(rng)), new Date(T0));
      expect(result.ok).toBe(false);
    }
  });
});

describe('message formats', () => {
  it.each(messageFormats)('encodes a reading as %s that decodes to the same bay event', (format) => {
    const reading = { sensorId: 'mdb-pf-004', occupied: true, ts: new Date(T0), seq: 7, battery: 3.55, rssi: -91, heartbeat: true };
    const { topic, payload } = encodeBayReading(format, reading);
    // Registered as ingest would need it: a LoRaWAN device bound to the simulator's application.
    const tts = TTS_UPLINK_TOPIC.exec(topic);
    const cs = CHIRPSTACK_EVENT_TOPIC.exec(topic);
    const lorawan = tts?.[1]
      ? { network: 'tts' as const, application: tts[1] }
      : cs?.[1]
        ? { network: 'chirpstack' as const, application: cs[1], devEui: reading.sensorId }
        : null;
    const directory = createSensorDirectory([{ id: reading.sensorId, kind: 'bay', model: resolveSensorModel(null), lorawan }]);
    const result = decodeMessage(topic, Buffer.from(payload), new Date(T0 + 500), directory);
    expect(result).toMatchObject({
      ok: true,
      event: { kind: 'bay', sensorId: 'mdb-pf-004', occupied: true, ts: new Date(T0), seq: 7, battery: 3.55, rssi: -91, heartbeat: true },
    });
  });

  it('leaves out a zero frame counter in TTS format, as The Things Stack does', () => {
    const { topic, payload } = encodeBayReading('tts', {
      sensorId: 's',
      occupied: false,
      ts: new Date(T0),
      seq: 0,
      battery: 3.6,
      rssi: -90,
      heartbeat: false,
    });
    expect(payload).not.toContain('f_cnt');
    const application = TTS_UPLINK_TOPIC.exec(topic)?.[1] ?? '';
    const directory = createSensorDirectory([
      { id: 's', kind: 'bay', model: resolveSensorModel(null), lorawan: { network: 'tts', application } },
    ]);
    expect(decodeMessage(topic, Buffer.from(payload), new Date(T0), directory)).toMatchObject({
      ok: true,
      event: { seq: 0 },
    });
  });

  it('sends a skewed clock ahead, which ingest flags as clock_skew', () => {
    const ts = new Date(T0 + 30 * 60_000);
    const { topic, payload } = encodeBayReading('native', {
      sensorId: 's',
      occupied: true,
      ts,
      seq: 1,
      battery: 3.6,
      rssi: -90,
      heartbeat: false,
    });
    expect(decodeMessage(topic, Buffer.from(payload), new Date(T0))).toMatchObject({ ok: true, event: { flags: ['clock_skew'] } });
  });
});

describe('a fleet with faults', () => {
  it('says nothing more from a device once it has died, keeps a stuck one heartbeating its old state, and drains fast', async () => {
    const registry = await readDemoRegistry();
    const rng = createRng(9);
    const model = createOccupancyModel(registry, { startMs: T0, rng });
    const devices = createSensorFleet(registry, model, rng);
    const faults: DeviceFaults[] = devices.map(() => NO_FAULTS);
    faults[0] = { ...NO_FAULTS, diesAtMs: T0 + 1000 };
    faults[1] = { ...NO_FAULTS, stuck: true, drainPerMessage: 0.2 };
    const send = (at: number) =>
      planMessages(devices, model, at, faults).map((p) => ({
        index: p.index,
        message: buildBayMessage(devices[p.index]!, p.occupied, p.reason, at, rng, { faults: faults[p.index]! }),
      }));
    expect(send(T0).map((m) => m.index)).toContain(0);
    const stuckState = devices[1]!.reported;
    model.spots[1]!.occupied = !stuckState;
    model.spots[0]!.occupied = !devices[0]!.reported;
    const later = send(T0 + 2 * 3_600_000);
    expect(later.map((m) => m.index)).not.toContain(0);
    const stuck = later.find((m) => m.index === 1);
    expect(stuck?.message?.reason).toBe('heartbeat');
    expect(JSON.parse(stuck?.message?.payload ?? '{}')).toMatchObject({ occupied: stuckState, heartbeat: true });
    expect(devices[1]!.battery).toBeLessThan(3.3);
  });
});
