import { createSilentLogger, type Logger } from '@freiplatz/config';
import { createApp } from '../../services/api/src/app.js';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { createHarness, type Harness } from '../harness.js';
import { buildSensorsRegistry } from '../sensors/registry.js';

export interface OpsFixture {
  h: Harness;
  app: ReturnType<typeof createApp>;
  keys: { admin: string; reader: string; garage: string };
  /** Moves the API's clock. */
  setNow(ms: number): void;
  get(path: string, token?: string): Promise<Response>;
  send(method: string, path: string, body: unknown, token?: string): Promise<Response>;
}

async function makeKey(h: Harness, name: string, scopes: string[], facilityIds: string[] = []): Promise<string> {
  const result = await createOperatorKey(h.db, { name, scopes, facilityIds });
  if (!result.ok) throw new Error(result.message);
  return result.token;
}

/** A harness with the sensors test city, an ingest worker, the API with a movable clock, and three operator keys. */
export async function createOpsFixture(logger: Logger = createSilentLogger()): Promise<OpsFixture> {
  const h = await createHarness();
  await h.importRegistry(buildSensorsRegistry());
  let nowMs = Date.now();
  const app = createApp({ db: h.db, logger, now: () => new Date(nowMs) });
  const keys = {
    admin: await makeKey(h, 'city admin', ['ops:read', 'registry:write']),
    reader: await makeKey(h, 'city reader', ['ops:read']),
    garage: await makeKey(h, 'garage operator', ['ops:read', 'registry:write'], ['garage']),
  };
  const auth = (token?: string): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});
  return {
    h,
    app,
    keys,
    setNow(ms) {
      nowMs = ms;
    },
    get: (path, token) => Promise.resolve(app.hono.request(path, { headers: auth(token) })),
    send: (method, path, body, token) =>
      Promise.resolve(
        app.hono.request(path, {
          method,
          headers: { ...auth(token), 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
  };
}
