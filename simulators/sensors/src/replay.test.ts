import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.js';
import { buildSensorsRegistry } from '../../../test/sensors/registry.js';
import { encodeBayReading } from './message-format.js';
import { readReplaySample, replayAsOf } from './replay.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TTS_SAMPLE = `${ROOT}test/fixtures/lorawan/tts-v3-uplink-occupied.json`;
const NOW = Date.parse('2026-12-06T10:00:00.000Z');

describe('replaying a recorded uplink as of now', () => {
  it('moves every timestamp by the same amount, the newest to now', async () => {
    const { payload } = await readReplaySample(TTS_SAMPLE);
    const { payload: moved, shiftedByMs } = replayAsOf(payload, NOW);
    const m = moved as { received_at: string; uplink_message: { received_at: string; rx_metadata: Array<{ time: string }> } };
    expect(m.received_at).toBe('2026-12-06T10:00:00.000Z');
    expect(Date.parse(m.uplink_message.received_at)).toBe(NOW - 14); // 09:15:04.498 vs .512 in the sample
    expect(Date.parse(m.uplink_message.rx_metadata[0]?.time ?? '')).toBe(NOW - 211);
    expect(shiftedByMs).toBe(NOW - Date.parse('2026-11-26T09:15:04.512Z'));
    expect(JSON.stringify(moved)).not.toContain('2026-11-26');
  });

  describe('through the broker and ingest', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
      await h.importRegistry(buildSensorsRegistry());
      await h.startIngest();
    });
    afterAll(async () => h?.close());

    const sensor = () => h.db.selectFrom('sensor_state').selectAll().where('sensor_id', '=', 'bay-ulrich-017').executeTakeFirst();

    it('`pnpm sim replay FILE` moves a sensor the sample as recorded no longer moves', { timeout: 60_000 }, async () => {
      // What the running simulator said a minute ago, as The Things Stack forwards this bound device: the bay is free.
      const binding = buildSensorsRegistry().sensors.find((s) => s.id === 'bay-ulrich-017')?.lorawan;
      const reading = {
        sensorId: 'bay-ulrich-017',
        occupied: false,
        ts: new Date(Date.now() - 60_000),
        seq: 1,
        battery: 3.6,
        rssi: -90,
        heartbeat: false,
      };
      const simulated = encodeBayReading('native', reading, binding);
      await h.publish(simulated.topic, simulated.payload);
      await expect.poll(async () => (await sensor())?.occupied).toBe(false);
      const { topic, payload } = await readReplaySample(TTS_SAMPLE);
      await h.publish(topic, payload); // as recorded: older, so it goes into history only
      await expect
        .poll(async () => (await h.db.selectFrom('occupancy_events').select('seq').where('seq', '=', 4211).execute()).length)
        .toBe(1);
      expect((await sensor())?.occupied).toBe(false);

      const stderr = await new Promise<string>((resolve, reject) => {
        const args = ['--import', 'tsx', 'simulators/sensors/src/main.ts', 'replay', TTS_SAMPLE, '--url', h.mqttUrl];
        execFile(process.execPath, args, { cwd: ROOT }, (err, _out, errOut) => (err ? reject(new Error(errOut)) : resolve(errOut)));
      });
      expect(stderr).toContain(`sent ${topic}`);
      await expect.poll(async () => (await sensor())?.occupied).toBe(true);
      const state = await sensor();
      expect(Math.abs((state?.ts.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      expect(Math.abs((state?.state_since?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000); // not "stuck" for 10 days
    });
  });
});
