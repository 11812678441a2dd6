import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../test/harness.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';

const scrape = async (port: number, path = '/metrics') => fetch(`http://127.0.0.1:${port}${path}`);

/** Value of one sample line, e.g. `freiplatz_ingest_rejected_total{code="NOT_JSON"}`. */
const sample = (body: string, series: string) => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
};

describe('worker /metrics', () => {
  let h: Harness;
  let server: MetricsServer;

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'm', spots: 3 }));
    const worker = await h.startIngest();
    server = await startMetricsServer(worker.metrics.registry, 0);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('serves every ingest metric with the counts of what was received', async () => {
    const event = { occupied: true, seq: 1, ts: Date.now() - 60_000 };
    await h.publish('parking/v1/bays/m-1-s', event);
    await h.publish('parking/v1/bays/m-2-s', { ...event, occupied: false });
    await h.publish('parking/v1/bays/m-3-s', 'not json');
    await h.publish('parking/v1/bays/m-3-s', { occupied: 'maybe' });
    await expect
      .poll(async () => sample(await (await scrape(server.port)).text(), 'freiplatz_ingest_committed_total'), { timeout: 10_000 })
      .toBe(2);
    // The same event again, as a broker redelivery would bring it: stored once, counted as a duplicate.
    await h.publish('parking/v1/bays/m-1-s', event);
    await expect
      .poll(async () => sample(await (await scrape(server.port)).text(), 'freiplatz_ingest_duplicates_total'), { timeout: 10_000 })
      .toBe(1);

    const response = await scrape(server.port);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(sample(body, 'freiplatz_ingest_received_total')).toBe(5);
    expect(sample(body, 'freiplatz_ingest_committed_total')).toBe(2);
    expect(sample(body, 'freiplatz_ingest_rejected_total{code="NOT_JSON"}')).toBe(1);
    expect(sample(body, 'freiplatz_ingest_rejected_total{code="INVALID_PAYLOAD"}')).toBe(1);
    expect(sample(body, 'freiplatz_ingest_commit_failures_total')).toBe(0);
    expect(sample(body, 'freiplatz_ingest_batch_size_sum')).toBe(5);
    expect(sample(body, 'freiplatz_ingest_batch_size_count')).toBeGreaterThanOrEqual(2);
    expect(sample(body, 'freiplatz_ingest_commit_seconds_count')).toBe(sample(body, 'freiplatz_ingest_batch_size_count'));
    expect(sample(body, 'freiplatz_ingest_commit_seconds_sum')).toBeGreaterThan(0);
    expect(sample(body, 'freiplatz_ingest_unacked_messages')).toBe(0);
    expect(sample(body, 'freiplatz_ingest_oldest_unacked_seconds')).toBe(0);
    expect(sample(body, 'freiplatz_ingest_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers 404 on any other path', async () => {
    expect((await scrape(server.port, '/')).status).toBe(404);
    expect((await scrape(server.port, '/metrics/../admin')).status).toBe(404);
  });
});
