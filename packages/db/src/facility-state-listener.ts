import type { CategoryAvailability, Counts, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import pg from 'pg';
import type { FacilityStateRecord } from './facilities.repository.js';
import { type ChangedFacility, FACILITY_STATE_CHANNEL } from './facility-state.repository.js';

export interface FacilityStateListenerOptions {
  connectionString: string;
  /** Committed changes, as announced by `notifyFacilityChanges`. */
  onChanges(changes: ChangedFacility[]): void;
  /**
   * Called each time LISTEN is (again) in place. Changes committed while no connection listened
   * were not announced, so the caller should resync from the database here.
   */
  onListening(): void;
  /** Connection problems; the listener reconnects by itself. */
  onError?(err: Error): void;
  /** Backoff between reconnect attempts; default 100 ms doubling up to 5000 ms. */
  reconnectDelayMs?: { min: number; max: number };
}

export interface FacilityStateListener {
  /** Resolves once LISTEN was in place the first time. */
  ready: Promise<void>;
  /** True while a connection listens. */
  readonly listening: boolean;
  close(): Promise<void>;
}

const COUNT_FIELDS = ['capacity', 'free', 'occupied', 'unknown', 'closed'] as const;
const isCounts = (x: unknown): x is Counts =>
  typeof x === 'object' && x !== null && COUNT_FIELDS.every((k) => Number.isInteger((x as Record<string, unknown>)[k]));

/** The committed state announced with a change, or undefined when absent or malformed (the reader then reads it back). */
function parseState(x: unknown, version: number): FacilityStateRecord | undefined {
  if (!isCounts(x)) return undefined;
  const s = x as unknown as Record<string, unknown>;
  const byCategory = s.byCategory;
  if (typeof s.status !== 'string' || !FACILITY_STATUSES.has(s.status) || typeof s.confidence !== 'number') return undefined;
  if (typeof s.updatedAt !== 'number' || typeof byCategory !== 'object' || byCategory === null) return undefined;
  if (!Object.values(byCategory).every(isCounts)) return undefined;
  const openNow = s.openNow ?? null;
  const hoursChangeAt = s.hoursChangeAt ?? null;
  if ((openNow !== null && typeof openNow !== 'boolean') || (hoursChangeAt !== null && typeof hoursChangeAt !== 'number')) return undefined;
  return {
    capacity: x.capacity,
    free: x.free,
    occupied: x.occupied,
    unknown: x.unknown,
    closed: x.closed,
    status: s.status as FacilityStatus,
    confidence: s.confidence,
    byCategory: byCategory as Partial<Record<SpotCategory, CategoryAvailability>>,
    openNow,
    hoursChangeAt: hoursChangeAt === null ? null : new Date(hoursChangeAt),
    version,
    updatedAt: new Date(s.updatedAt),
  };
}

const FACILITY_STATUSES = new Set<string>(['open', 'almost_full', 'full', 'closed', 'unknown']);

/**
 * Parses a `facility_state` payload: a JSON array of `[facilityId, version]` or
 * `[facilityId, version, state]` (see `notifyFacilityChanges`); bad entries are left out.
 */
export function parseFacilityStatePayload(payload: string | undefined): ChangedFacility[] {
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((p): ChangedFacility[] => {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number') return [];
      const state = parseState(p[2], p[1]);
      return [state ? { facilityId: p[0], version: p[1], state } : { facilityId: p[0], version: p[1] }];
    });
  } catch {
    return [];
  }
}

/** LISTENs on `facility_state` over a dedicated connection and reconnects with backoff when it is lost. */
export function createFacilityStateListener(options: FacilityStateListenerOptions): FacilityStateListener {
  const { min, max } = options.reconnectDelayMs ?? { min: 100, max: 5000 };
  let client: pg.Client | null = null;
  let closed = false;
  let listening = false;
  let delay = min;
  let timer: NodeJS.Timeout | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const scheduleReconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    delay = Math.min(max, delay * 2);
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: options.connectionString, application_name: 'freiplatz-api-listen', keepAlive: true });
    client = c;
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      listening = false;
      if (err) options.onError?.(err);
      c.removeAllListeners('notification');
      void c.end().catch(() => {});
      if (client === c) client = null;
      scheduleReconnect();
    };
    c.on('error', (err) => onLost(err));
    c.on('end', () => onLost());
    c.on('notification', (n) => {
      if (n.channel !== FACILITY_STATE_CHANNEL) return;
      const changes = parseFacilityStatePayload(n.payload);
      if (changes.length > 0) options.onChanges(changes);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${FACILITY_STATE_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    listening = true;
    delay = min;
    options.onListening();
    resolveReady();
  };

  void connect();
  return {
    ready,
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      listening = false;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
