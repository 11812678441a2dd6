import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  port: number;
  host?: string;
  /** When set, clients must present these credentials. */
  credentials?: { username: string; password: string };
}

export interface EmbeddedBrokerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts an in-process Aedes broker (MQTT 3.1.1, in-memory sessions) on loopback. */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBrokerHandle> {
  const broker = await Aedes.createBroker();
  const { credentials } = options;
  if (credentials) {
    broker.authenticate = (_client, username, password, done) => {
      done(
        null,
        equalsConstantTime(username ?? '', credentials.username) && equalsConstantTime(password?.toString() ?? '', credentials.password),
      );
    };
  }
  const server: Server = createServer(broker.handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Compares two secrets without leaking where they differ (hashes make the lengths equal). */
function equalsConstantTime(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
