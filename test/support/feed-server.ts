import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export type FeedMode = 'ok' | '500' | 'timeout' | 'malformed';

/** A fixture under test/fixtures/opendata. */
export const readOpenDataFixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/opendata/${name}`, import.meta.url)), 'utf8');

/** A feed: a fixture whose times move to `now` and whose first vacant count is `vacant`. */
export interface Feed {
  path: string;
  contentType: string;
  render(now: Date, vacant: number): string;
}

/** A guidance system's HTTP server on 127.0.0.1: conditional requests (ETag → 304), and failures on demand. */
export async function startFeedServer(feeds: readonly Feed[]) {
  const state = { mode: 'ok' as FeedMode, vacant: 100, now: new Date() };
  const requests: Array<{ path: string; headers: IncomingHttpHeaders; status: number }> = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const feed = feeds.find((f) => f.path === req.url);
    const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
      requests.push({ path: req.url ?? '', headers: req.headers, status });
      res.writeHead(status, headers).end(body);
    };
    if (!feed) return answer(404);
    if (state.mode === 'timeout') {
      requests.push({ path: feed.path, headers: req.headers, status: 0 });
      held.add(res);
      return;
    }
    if (state.mode === '500') return answer(500, 'internal error');
    const body = state.mode === 'malformed' ? '<d2:payload><unclosed>' : feed.render(state.now, state.vacant);
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) return answer(304, '', { ETag: etag });
    answer(200, body, { 'Content-Type': feed.contentType, ETag: etag });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    state,
    requests,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The three fixtures, as a feed server serves them. */
export const fixtureFeeds: Feed[] = [
  {
    path: '/datex2-v3',
    contentType: 'application/xml',
    render: (now, vacant) =>
      readOpenDataFixture('datex2-v3-status.xml')
        .replaceAll(/2026-05-04T09:5\d:\d\dZ/g, now.toISOString())
        .replace('<prk:numberOfVacantSpaces>137<', `<prk:numberOfVacantSpaces>${vacant}<`),
  },
  {
    path: '/datex2-v2',
    contentType: 'application/xml',
    render: (now, vacant) =>
      readOpenDataFixture('datex2-v2.3-status.xml')
        .replaceAll(/2026-05-04T09:5\d:\d\d\+02:00/g, now.toISOString())
        .replace('<parkingNumberOfVacantSpaces>44<', `<parkingNumberOfVacantSpaces>${vacant}<`),
  },
  {
    path: '/parkapi',
    contentType: 'application/json',
    render: (now, vacant) =>
      readOpenDataFixture('parkapi-v3-parking-sites.json')
        .replace('2026-05-04T07:58:00Z', now.toISOString())
        .replace('"realtime_free_capacity": 91', `"realtime_free_capacity": ${vacant}`),
  },
];
