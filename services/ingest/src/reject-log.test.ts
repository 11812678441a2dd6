import { createLogger } from '@freiplatz/config';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../test/harness.js';

describe('rejected messages in the log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'rl', spots: 1 }));
  });
  afterAll(async () => h?.close());

  it('are logged as counts per reason code with one sample per interval, not a line each', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line) => void lines.push(JSON.parse(line)) } });
    const worker = await h.startIngest({ logger, rejectLogIntervalMs: 250 });
    const send = (i: number) => h.publish('parking/v1/bays/rl-1-s', i % 4 === 0 ? Buffer.alloc(5000, 1) : `not json ${i}`);
    await Promise.all(Array.from({ length: 2000 }, (_, i) => send(i)));
    const stored = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ingest_rejects`.execute(h.db)).rows[0]?.n;
    await expect.poll(stored, { timeout: 20_000 }).toBe(2000);
    await worker.stop();

    const rejectLines = lines.filter((l) => String(l.msg).startsWith('payloads rejected'));
    const warnLines = lines.filter((l) => (l.level as number) >= 40);
    expect(rejectLines.length).toBeGreaterThan(0);
    // One line per 250 ms interval at most, however many messages: 2,000 rejects once wrote 2,000 lines.
    expect(warnLines.length).toBeLessThan(40);
    const byCode: Record<string, number> = {};
    for (const l of rejectLines) {
      for (const [code, n] of Object.entries(l.byCode as Record<string, number>)) byCode[code] = (byCode[code] ?? 0) + n;
      expect(l.sample).toMatchObject({ topic: 'parking/v1/bays/rl-1-s', code: expect.any(String), reason: expect.any(String) });
    }
    expect(byCode).toEqual({ NOT_JSON: 1500, PAYLOAD_TOO_LARGE: 500 });
  });
});
