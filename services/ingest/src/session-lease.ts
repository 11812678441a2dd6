import { DEFAULT_SLOT_POLL_MS, type Logger } from '@freiplatz/config';
import pg from 'pg';
import { lockKeys, PRESENCE_CLASS, planLeases } from './lease-plan.js';

export interface SlotLeaseOptions {
  connectionString: string;
  /** Every slot of the group (MQTT client ids), the same list in every worker. */
  slots: readonly string[];
  /** This worker's own slot, if it has one (a standby worker has none). */
  home?: string;
  /** How often lock states are checked (default 1000 ms): a dead worker's share resumes within about this. */
  pollMs?: number;
  logger: Logger;
  /** The lease is ours: start consuming the slot's session. */
  onAcquire(slot: string): void;
  /** Give the slot back: resolve once its session is no longer consumed here (the lease is released after). */
  onRelease(slot: string): Promise<void>;
  /** The database connection was lost, and every lease with it: stop consuming all slots at once. */
  onLost(slots: string[]): Promise<void>;
}

export interface SlotLeases {
  held(): string[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds slot leases as session-level advisory locks on one dedicated PostgreSQL connection: when a
 * worker dies, its connection drops and PostgreSQL releases its locks, so a live worker can take
 * the slot over (lease-plan.ts says which). Nobody else connects with a slot's client id while
 * its lease is held here; if this connection is lost, every slot is dropped at once.
 */
export function createSlotLeases(options: SlotLeaseOptions): SlotLeases {
  const log = options.logger.child({ module: 'slot-lease' });
  const pollMs = options.pollMs ?? DEFAULT_SLOT_POLL_MS;
  const held = new Set<string>();
  let closing = false;
  let client: pg.Client | null = null;
  let wake: (() => void) | null = null;

  const query = async <R extends pg.QueryResultRow>(c: pg.Client, text: string, values: unknown[]) => (await c.query<R>(text, values)).rows;
  const tryLock = async (c: pg.Client, kind: 'lease' | 'presence', slot: string) =>
    (await query<{ ok: boolean }>(c, 'SELECT pg_try_advisory_lock($1, $2) AS ok', lockKeys(kind, slot)))[0]?.ok === true;

  /** Slots whose presence lock another backend of this database holds. */
  const homesElsewhere = async (c: pg.Client) => {
    const rows = await query<{ objid: number }>(
      c,
      `SELECT objid::int8 AS objid FROM pg_locks
        WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted AND pid <> pg_backend_pid()
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [PRESENCE_CLASS],
    );
    const keys = new Set(rows.map((r) => Number(r.objid)));
    return new Set(options.slots.filter((s) => keys.has(lockKeys('presence', s)[1])));
  };

  const lose = async (reason: unknown) => {
    const c = client;
    client = null;
    c?.removeAllListeners('error');
    c?.on('error', () => {});
    await c?.end().catch(() => {});
    if (held.size === 0) return;
    const lost = [...held];
    held.clear();
    log.error({ err: reason, slots: lost }, 'lease connection lost: every slot is given up');
    await options.onLost(lost);
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: options.connectionString, application_name: 'freiplatz-ingest-lease', keepAlive: true });
    c.on('error', (err) => void lose(err));
    c.on('end', () => {
      if (client === c && !closing) void lose(new Error('connection ended'));
    });
    await c.connect();
    client = c;
    if (options.home !== undefined && !(await tryLock(c, 'presence', options.home))) {
      log.warn({ slot: options.home }, 'another worker runs with this home slot: helping out with free slots only');
    }
    return c;
  };

  const tick = async () => {
    const c = client ?? (await connect());
    const plan = planLeases({ slots: options.slots, home: options.home, held, homeElsewhere: await homesElsewhere(c) });
    for (const slot of plan.release) {
      log.info({ slot }, 'home worker is back: giving the slot back');
      await options.onRelease(slot);
      held.delete(slot);
      await query(c, 'SELECT pg_advisory_unlock($1, $2)', lockKeys('lease', slot));
    }
    for (const slot of plan.acquire) {
      if (closing || client !== c || !(await tryLock(c, 'lease', slot))) continue;
      held.add(slot);
      log.info(
        { slot, home: slot === options.home },
        slot === options.home ? 'holding the home slot' : 'taking over a slot whose worker is away',
      );
      options.onAcquire(slot);
    }
  };

  const loop = (async () => {
    while (!closing) {
      try {
        await tick();
      } catch (err) {
        await lose(err);
      }
      if (closing) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        void sleep(pollMs).then(() => resolve());
      });
      wake = null;
    }
  })();

  return {
    held: () => [...held],
    async close() {
      closing = true;
      wake?.();
      await loop;
      const c = client;
      client = null;
      held.clear();
      // Ending the session releases its locks; the caller has stopped consuming the slots first.
      await c?.end().catch(() => {});
    },
  };
}
