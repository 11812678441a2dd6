import { createSilentLogger } from '@freiplatz/config';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { type ApiServer, startApiServer } from '../server.js';

/** The value of one sample line of the Prometheus text format, or undefined when absent. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('GET /metrics (Prometheus)', () => {
  let h: Harness;
  let server: ApiServer;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'm-garage', spots: 2 }));
    const app = createApp({ db: h.db, logger: createSilentLogger(), databaseUrl: h.databaseUrl, metrics: { processMetrics: true } });
    server = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 50 });
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });
  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/plain');
    return res.text();
  };

  it('counts and times requests by route pattern, never by concrete path', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/v1/facilities/m-garage`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/facilities/nowhere`)).status).toBe(404);
    const text = await scrape();
    expect(sample(text, 'freiplatz_api_requests_total{route="/v1/facilities/:id",method="GET",status="200"}')).toBe(3);
    expect(sample(text, 'freiplatz_api_requests_total{route="/v1/facilities/:id",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'freiplatz_api_request_duration_seconds_count{route="/v1/facilities/:id"}')).toBe(4);
    expect(text).not.toContain('m-garage');
    expect(text).toContain('freiplatz_api_process_resident_memory_bytes');
  });

  it('counts the node fast paths (signage availability, plain search) with one counter each', async () => {
    const before = sample(await scrape(), 'freiplatz_api_fast_path_responses_total{route="/v1/facilities/:id/availability"}') ?? 0;
    const first = await fetch(`${server.url}/v1/facilities/m-garage/availability`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('ETag') ?? '';
    expect((await fetch(`${server.url}/v1/facilities/m-garage/availability`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(`${server.url}/v1/facilities`)).status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'freiplatz_api_fast_path_responses_total{route="/v1/facilities/:id/availability"}')).toBe(before + 2);
    expect(sample(text, 'freiplatz_api_fast_path_responses_total{route="/v1/facilities"}')).toBeGreaterThanOrEqual(1);
  });

  it('reports open event streams and the in-memory state', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/v1/stream`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    try {
      const text = await scrape();
      expect(sample(text, 'freiplatz_api_stream_clients')).toBe(1);
      expect(sample(text, 'freiplatz_api_state_listening')).toBe(1);
      expect(sample(text, 'freiplatz_api_state_version_lag_facilities')).toBe(0);
    } finally {
      controller.abort();
    }
    await expect.poll(async () => sample(await scrape(), 'freiplatz_api_stream_clients')).toBe(0);
  });

  it('leaves process metrics off unless asked (apps built in tests stay light)', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    try {
      const text = await (await app.hono.request('/metrics')).text();
      expect(text).toContain('freiplatz_api_requests_total');
      expect(text).not.toContain('process_resident_memory_bytes');
    } finally {
      await app.close();
    }
  });
});
