import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@freiplatz/config';
import type { TestDatabase } from '@freiplatz/testing';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from '../../services/api/src/app.js';
import { type ApiServer, startApiServer } from '../../services/api/src/server.js';

// Headers that legitimately differ between two responses: the clock and connection handling.
export const VOLATILE = new Set(['date', 'keep-alive', 'connection']);
export const headersOf = (res: Response) => Object.fromEntries([...res.headers.entries()].filter(([k]) => !VOLATILE.has(k)));

export interface Served {
  /** startApiServer: the app's node listener (the raw public reads in front of Hono). */
  fast: ApiServer;
  /** The same app (same cache, same rate-limit buckets) served by @hono/node-server alone. */
  honoUrl: string;
  /** Requests that reached Hono through the node listener (the adapter left them). */
  honoCalls(): number;
  lines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function serveBoth(h: Pick<TestDatabase, 'db' | 'databaseUrl'>, options: Partial<AppOptions> = {}): Promise<Served> {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  const app = createApp({ db: h.db, logger, databaseUrl: h.databaseUrl, ...options });
  await app.ready();
  let calls = 0;
  const fetchApp = app.hono.fetch;
  // Counts what reaches Hono from the node listener (made on first use, by startApiServer below).
  app.hono.fetch = (req, env, ctx) => {
    calls += 1;
    return fetchApp(req, env, ctx);
  };
  const fast = await startApiServer({ app, port: 0 });
  const plain = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: fetchApp, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  return {
    fast,
    honoUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    honoCalls: () => calls,
    lines,
    async close() {
      plain.closeAllConnections();
      await new Promise((r) => plain.close(r));
      await fast.close();
    },
  };
}
