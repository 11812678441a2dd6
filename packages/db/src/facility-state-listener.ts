import pg from 'pg';
import { FACILITY_STATE_CHANNEL, parseFacilityStatePayload } from './facility-notify.js';
import type { ChangedFacility } from './facility-state-write.js';

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
