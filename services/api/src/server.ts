import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HOST } from '@freiplatz/config';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import type { NodeFastPath } from './fast-path/raw-reads.js';
import { closeApp, nodeFastPathOf } from './public-api.js';

/** A node:http server whose requests go through `fastPath` first and on to Hono's listener when it declines. */
function serverWithFastPath(fastPath: NodeFastPath): typeof createServer {
  return ((options: ServerOptions, listener: RequestListener) =>
    createServer(options, (req, res) => fastPath(req, res, () => listener(req, res)))) as typeof createServer;
}

export interface ApiServerOptions {
  app: Hono<AppEnv>;
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

/**
 * Serves the app over HTTP with @hono/node-server; resolves once it listens. The app's raw fast path
 * (the signage GET, see public-api.ts) answers first, without Request/Response adaptation.
 */
export async function startApiServer({ app, port, host = DEFAULT_HOST, graceMs = 5000 }: ApiServerOptions): Promise<ApiServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    // Only plain HTTP options are passed, so serve() creates a node:http Server.
    const fastPath = nodeFastPathOf(app);
    const s = serve({ fetch: app.fetch, port, hostname: host, ...(fastPath ? { createServer: serverWithFastPath(fastPath) } : {}) }, () =>
      resolve(s as Server),
    ) as Server;
    s.once('error', reject);
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      // Open event streams never finish by themselves: end them with the app's resources.
      void closeApp(app);
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
