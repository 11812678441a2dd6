import { createSilentLogger } from '@freiplatz/config';
import { upsertDataSources } from '@freiplatz/db';
import { type DataSource, parseRegistry } from '@freiplatz/domain';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSourcePoller, type SourcePoller } from '../../services/ingest/src/sources/source-poller.js';
import { createHarness, type Harness } from '../harness.js';
import { fixtureFeeds, startFeedServer } from '../support/feed-server.js';

// The poller's timers follow the registry: a changed interval is rescheduled, a removed source stops.
describe('source poller schedule', () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof startFeedServer>>;
  let poller: SourcePoller;
  let source: DataSource;
  const polls = () => server.requests.filter((r) => r.path === '/parkapi').length;
  // Only setInterval is faked: the database and the feed server answer for real.
  const tick = async (ms: number) => {
    vi.advanceTimersByTime(ms);
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    h = await createHarness();
    server = await startFeedServer(fixtureFeeds);
    const parsed = parseRegistry({
      version: 1,
      facilities: [{ id: 'sued', name: 'P+R Süd', kind: 'car_park', location: { lat: 52.1, lon: 11.6 }, capacity: 250 }],
      sources: [
        { id: 'parkapi', url: server.url('/parkapi'), format: 'parkapi-v3', pollIntervalSeconds: 3600, idMap: { 'pr-sued': 'sued' } },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.issues.join('; '));
    source = parsed.registry.sources[0] as DataSource;
    await h.importRegistry(parsed.registry);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    poller = createSourcePoller({ db: h.db, logger: createSilentLogger(), submit: async () => {}, env: {} });
  });
  afterAll(async () => {
    await poller?.stop();
    vi.useRealTimers();
    await server?.close();
    await h?.close();
  });

  it('polls at the interval the registry now gives, and stops polling a source that is gone', async () => {
    await expect.poll(polls, { timeout: 5000 }).toBe(1);
    await tick(60_000);
    expect(polls()).toBe(1);

    await upsertDataSources(h.db, [{ ...source, pollIntervalSeconds: 5 }]);
    await poller.reload();
    await expect.poll(polls, { timeout: 5000 }).toBe(2);
    await tick(5000);
    await tick(5000);
    expect(polls()).toBe(4);

    await sql`DELETE FROM data_sources WHERE id = 'parkapi'`.execute(h.db);
    await poller.reload();
    await tick(5000);
    await tick(5000);
    expect(polls()).toBe(4);
  });
});
