import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';

describe('a message the database refuses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'poison', spots: 5 }));
    // Stands for any value no check in the decoder foresaw: the database refuses seq 666.
    await sql`ALTER TABLE occupancy_events ADD CONSTRAINT test_refuses_666 CHECK (seq <> 666)`.execute(h.db);
    await h.startIngest({ batchSize: 1000, flushMs: 200 });
  });
  afterAll(async () => h?.close());

  it('becomes a dead letter while the rest of its batch is stored, and ingest goes on', async () => {
    const t = Date.now() - 60_000;
    for (let seq = 660; seq < 672; seq++) {
      await h.publish(`parking/v1/bays/poison-${(seq % 5) + 1}-s`, { occupied: seq % 2 === 0, ts: t + seq, seq });
    }
    const stored = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(h.db)).rows[0]?.n;
    await expect.poll(stored, { timeout: 15_000 }).toBe(11);
    const rejects = await h.db.selectFrom('ingest_rejects').select(['code', 'topic', 'payload', 'reason']).execute();
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ code: 'STORE_FAILED', topic: 'parking/v1/bays/poison-2-s' });
    expect(JSON.parse(rejects[0]?.payload.toString() ?? '{}')).toMatchObject({ seq: 666 });
    expect(rejects[0]?.reason).toContain('test_refuses_666');

    await h.publish('parking/v1/bays/poison-1-s', { occupied: true, ts: t + 1000, seq: 700 });
    await expect.poll(stored, { timeout: 5000 }).toBe(12);
  });
});
