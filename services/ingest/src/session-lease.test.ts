import { createSilentLogger } from '@freiplatz/config';
import { createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlotLeases, type SlotLeases } from './session-lease.js';

const SLOTS = ['w-1', 'w-2'];

/** A worker's leases, with the sessions it would consume. */
function worker(h: TestDatabase, home: string) {
  const consuming = new Set<string>();
  const leases: SlotLeases = createSlotLeases({
    connectionString: h.databaseUrl,
    slots: SLOTS,
    home,
    pollMs: 100,
    logger: createSilentLogger(),
    onAcquire: (slot) => consuming.add(slot),
    onRelease: async (slot) => {
      consuming.delete(slot);
    },
    onLost: async (slots) => {
      for (const s of slots) consuming.delete(s);
    },
  });
  return { consuming, leases };
}

describe('slot leases (PostgreSQL advisory locks)', () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
  });
  afterAll(async () => h?.close());

  it('a worker takes over the slot of one that is gone and gives it back when it returns', async () => {
    const one = worker(h, 'w-1');
    await expect.poll(() => [...one.consuming].sort()).toEqual(['w-1', 'w-2']);
    const two = worker(h, 'w-2');
    await expect.poll(() => [...one.consuming]).toEqual(['w-1']);
    await expect.poll(() => [...two.consuming]).toEqual(['w-2']);

    // Its database session ends (a dead process): PostgreSQL releases its locks.
    await two.leases.close();
    await expect.poll(() => [...one.consuming].sort()).toEqual(['w-1', 'w-2']);
    const again = worker(h, 'w-2');
    await expect.poll(() => [...again.consuming]).toEqual(['w-2']);
    expect([...one.consuming]).toEqual(['w-1']);
    await one.leases.close();
    await again.leases.close();
  });

  it('drops every slot when its lease connection is killed, and takes them again once reconnected', async () => {
    const one = worker(h, 'w-1');
    await expect.poll(() => one.consuming.size).toBe(2);
    const admin = new pg.Client({ connectionString: h.databaseUrl });
    await admin.connect();
    let lost = false;
    const watch = setInterval(() => {
      if (one.consuming.size === 0) lost = true;
    }, 5);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'freiplatz-ingest-lease' AND datname = current_database()`,
    );
    await expect.poll(() => lost).toBe(true);
    clearInterval(watch);
    await expect.poll(() => one.consuming.size, { timeout: 5000 }).toBe(2);
    await admin.end();
    await one.leases.close();
  });
});
