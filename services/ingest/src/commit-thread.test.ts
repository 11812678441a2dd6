import { createSilentLogger } from '@freiplatz/config';
import { toIngestBatch, toReject } from '@freiplatz/db';
import type { OccupancyEvent } from '@freiplatz/domain';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermanentDbError } from './batcher.js';
import { type CommitThread, startCommitThread } from './commit-thread-client.js';

const bay = (sensorId: string, seq: number, occupied: boolean): OccupancyEvent =>
  ({
    kind: 'bay',
    sensorId,
    ts: new Date(Date.now() - 60_000 + seq),
    seq,
    receivedAt: new Date(),
    occupied,
    battery: 3.6,
    rssi: -80,
    heartbeat: false,
    flags: [],
  }) as unknown as OccupancyEvent;

describe('commit thread', () => {
  let h: TestDatabase;
  let thread: CommitThread;

  beforeAll(async () => {
    h = await createTestDatabase();
    await h.importRegistry(buildRegistry({ id: 'ct', spots: 3 }));
    thread = startCommitThread({
      databaseUrl: h.databaseUrl,
      poolSize: 2,
      applicationName: 'test-commit-thread',
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await thread?.close();
    await h?.close();
  });

  it('commits a batch in its own thread: events, sensor state and facility counts, duplicates counted', async () => {
    const events = [bay('ct-1-s', 1, true), bay('ct-2-s', 1, false), bay('ct-3-s', 1, true)];
    const payload = new Uint8Array([0x7b, 0x00, 0x7d]);
    const reject = toReject({ topic: 'parking/v1/bays/ct-9-s', payload, code: 'NOT_JSON', reason: 'test', receivedAt: new Date() });
    expect(await thread.commit(toIngestBatch(events, [reject]))).toEqual({ inserted: 3, duplicates: 0, rejected: 1, changedFacilities: 1 });
    // The same events again (a redelivery): nothing new.
    expect(await thread.commit(toIngestBatch(events))).toEqual({ inserted: 0, duplicates: 3, rejected: 0, changedFacilities: 0 });

    const state = await h.db
      .selectFrom('facility_state')
      .select(['free', 'occupied', 'unknown'])
      .where('facility_id', '=', 'ct')
      .executeTakeFirstOrThrow();
    expect(state).toEqual({ free: 1, occupied: 2, unknown: 0 });
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events WHERE sensor_id LIKE 'ct-%'`.execute(h.db);
    expect(stored.rows[0]?.n).toBe(3);
    // Bytes cross the thread boundary intact.
    const dead = await sql<{ payload: Buffer }>`SELECT payload FROM ingest_rejects WHERE topic = 'parking/v1/bays/ct-9-s'`.execute(h.db);
    expect([...(dead.rows[0]?.payload ?? [])]).toEqual([0x7b, 0x00, 0x7d]);
  });

  it('rejects with the database error and its SQLSTATE, which the batcher tells apart', async () => {
    // PostgreSQL text cannot hold NUL: the statement fails with a data exception (class 22).
    const err = await thread.commit(toIngestBatch([bay('ct-\u0000-s', 1, true)])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toMatch(/^22/);
    expect(isPermanentDbError(err)).toBe(true);
    // The thread keeps working after a failed commit.
    expect((await thread.commit(toIngestBatch([bay('ct-1-s', 2, false)]))).inserted).toBe(1);
  });
});
