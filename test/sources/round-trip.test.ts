import { createSilentLogger } from '@freiplatz/config';
import { commitIngestBatch, findFacility, toIngestBatch } from '@freiplatz/db';
import { parseRegistry, type Registry } from '@freiplatz/domain';
import type { IngestWorker } from '@freiplatz/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startApiServer } from '../../services/api/src/index.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';

const at = () => new Date();
const event = (sensorId: string, fields: { occupied?: boolean; vehicles?: number }) =>
  fields.vehicles === undefined
    ? {
        kind: 'bay' as const,
        sensorId,
        ts: at(),
        seq: null,
        receivedAt: at(),
        battery: null,
        rssi: null,
        flags: [],
        occupied: fields.occupied ?? false,
        heartbeat: false,
      }
    : {
        kind: 'counter' as const,
        sensorId,
        ts: at(),
        seq: null,
        receivedAt: at(),
        battery: null,
        rssi: null,
        flags: [],
        vehicles: fields.vehicles,
        entered: null,
        exited: null,
      };

function parse(input: unknown): Registry {
  const parsed = parseRegistry(input);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.registry;
}

describe('round trip: Freiplatz reads its own DATEX II status feed', () => {
  let a: Harness;
  let b: Harness;
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let worker: IngestWorker;

  beforeAll(async () => {
    [a, b] = await Promise.all([createHarness(), createHarness()]);
    const bays = buildRegistry({ id: 'bays', spots: 4 });
    await a.importRegistry(
      parse({
        ...bays,
        facilities: [
          ...bays.facilities,
          { id: 'gates', name: 'Parkhaus am Tor', kind: 'car_park', location: { lat: 52.1, lon: 11.6 }, capacity: 400 },
        ],
        sensors: [...bays.sensors, { id: 'gates-in', kind: 'counter', facilityId: 'gates' }],
      }),
    );
    await commitIngestBatch(
      a.db,
      toIngestBatch([
        event('bays-1-s', { occupied: true }),
        event('bays-2-s', { occupied: false }),
        event('bays-3-s', { occupied: true }),
        event('bays-4-s', { occupied: true }),
        event('gates-in', { vehicles: 263 }),
      ]),
    );
    server = await startApiServer({
      app: createApp({ db: a.db, logger: createSilentLogger(), databaseUrl: a.databaseUrl }),
      port: 0,
      host: '127.0.0.1',
    });
    const counted = (id: string, capacity: number) => ({ id, name: id, kind: 'car_park', location: { lat: 52.1, lon: 11.6 }, capacity });
    await b.importRegistry(
      parse({
        version: 1,
        facilities: [counted('bays', 4), counted('gates', 400)],
        sources: [
          {
            id: 'freiplatz-a',
            url: `${server.url}/v1/exports/datex2/parking-status`,
            format: 'datex2-v3-status',
            pollIntervalSeconds: 3600,
            idMap: { bays: 'bays', gates: 'gates' },
          },
        ],
      }),
    );
    worker = await b.startIngest({ sources: { env: {} } });
  });
  afterAll(async () => {
    await b?.close();
    await server?.close();
    await a?.close();
  });

  it('gives the second database the same counts', async () => {
    await worker.sources?.pollAll();
    for (const id of ['bays', 'gates']) {
      const original = (await findFacility(a.db, id))?.state;
      await expect.poll(async () => (await findFacility(b.db, id))?.state.free, { timeout: 5000 }).toBe(original?.free);
      const copy = (await findFacility(b.db, id))?.state;
      expect({ ...copy, id }).toMatchObject({
        id,
        capacity: original?.capacity,
        free: original?.free,
        occupied: original?.occupied,
        unknown: 0,
      });
    }
    expect((await findFacility(b.db, 'gates'))?.state).toMatchObject({ free: 137, occupied: 263 });
  });
});
