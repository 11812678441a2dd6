import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HOST } from '@freiplatz/config';
import type { ApiApp } from './app.js';

export interface ApiServerOptions {
  app: ApiApp;
  /** 0 picks a free port. */
  port: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** How long `close()` lets requests in flight finish before cutting connections; default 5000 ms. */
  graceMs?: number;
}

export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Stops accepting, closes the app's resources, lets requests in flight finish (up to the grace period), then resolves. */
  close(): Promise<void>;
}

/** Serves the app's node:http listener (its raw public reads in front of Hono, see app.ts); resolves once it listens. */
export async function startApiServer({ app, port, host = DEFAULT_HOST, graceMs = 5000 }: ApiServerOptions): Promise<ApiServer> {
  const server = createServer(app.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      // Open event streams never finish by themselves: end them with the app's resources.
      void app.close();
      server.close((err) => {
        clearTimeout(force);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url, close };
}
