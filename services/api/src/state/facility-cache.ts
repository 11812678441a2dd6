import type { Logger } from '@freiplatz/config';
import {
  type ChangedFacility,
  createFacilityStateListener,
  type Db,
  type FacilityRecord,
  type FacilityStateListener,
  findFacilities,
  findFacilityVersion,
  listFacilities,
} from '@freiplatz/db';
import { FacilityEntry, type FacilitySlot } from './facility-entry.js';

/** The state could not be brought up to date (database unreachable). */
export class StateUnavailableError extends Error {
  override name = 'StateUnavailableError';
}

export interface FacilityCacheOptions {
  db: Db;
  logger: Logger;
  /** With a URL the copy is kept current by LISTEN/NOTIFY; without one, each read checks the version in the database. */
  databaseUrl?: string;
  /** Full reload from the database; default 30 s. */
  resyncIntervalMs?: number;
  /** `Cache-Control` of the availability answers each entry builds (facility-entry.ts). */
  availabilityCacheControl?: string;
  /** Called as each notification arrives, once the changes are marked pending (tests observe ordering with it). */
  onNotification?: (changes: readonly ChangedFacility[]) => void;
  /** Backoff of the LISTEN connection's reconnects; default 100 ms, doubling up to 5 s. */
  reconnectDelayMs?: { min: number; max: number };
}

/** All facilities, sorted by id; rebuilt only when facilities are added, removed or moved. */
export interface FacilityLayout {
  readonly generation: number;
  readonly slots: readonly FacilitySlot[];
}

export interface FacilityCache {
  /** The current entry (synchronously when the copy is known current); undefined when there is no such facility. */
  get(id: string): FacilityEntry | undefined | Promise<FacilityEntry | undefined>;
  /** All facilities, current as of the last notification. */
  layout(): Promise<FacilityLayout>;
  /** What `layout()` resolves to, when that is known without waiting (loaded, listening, nothing pending); else undefined. */
  currentLayout(): FacilityLayout | undefined;
  /** Called with the slot of every facility whose state version moved forward. */
  subscribe(listener: (slot: FacilitySlot) => void): () => void;
  /** Resolves once the copy is loaded (LISTEN in place and a first full read done). */
  ready(): Promise<void>;
  /** Facilities announced with a newer version that is not loaded yet. */
  readonly pendingCount: number;
  /** True while LISTEN is in place and the copy has caught up with it (reads are then served from memory). */
  readonly listening: boolean;
  close(): Promise<void>;
}

const MAX_FETCH_ROUNDS = 3;

/** Creates the in-memory copy of facility state that availability reads are served from. */
export function createFacilityCache({
  db,
  logger,
  databaseUrl,
  resyncIntervalMs = 30_000,
  availabilityCacheControl,
  onNotification,
  reconnectDelayMs,
}: FacilityCacheOptions): FacilityCache {
  const log = logger.child({ module: 'facility-cache' });
  const slots = new Map<string, FacilitySlot>();
  const pending = new Map<string, number>();
  const listeners = new Set<(slot: FacilitySlot) => void>();
  let layout: FacilityLayout | null = null;
  let generation = 0;
  let applied = 0;
  let loadedOnce = false;
  const touchedAt = new Map<string, number>();
  const entryOf = (record: FacilityRecord) => new FacilityEntry(record, availabilityCacheControl);

  const apply = (record: FacilityRecord) => {
    const slot = slots.get(record.id);
    applied += 1;
    touchedAt.set(record.id, applied);
    const wanted = pending.get(record.id);
    if (wanted !== undefined && record.state.version >= wanted) pending.delete(record.id);
    if (!slot) {
      const created = { id: record.id, lat: record.location.lat, lon: record.location.lon, entry: entryOf(record) };
      slots.set(record.id, created);
      layout = null;
      for (const listener of listeners) listener(created);
      return;
    }
    const before = slot.entry.version;
    if (record.state.version < before) return;
    if (record.location.lat !== slot.lat || record.location.lon !== slot.lon) {
      slots.set(record.id, { id: record.id, lat: record.location.lat, lon: record.location.lon, entry: entryOf(record) });
      layout = null;
    } else {
      slot.entry = entryOf(record);
    }
    if (record.state.version > before) {
      const current = slots.get(record.id) as FacilitySlot;
      for (const listener of listeners) listener(current);
    }
  };

  const remove = (id: string) => {
    if (slots.delete(id)) layout = null;
    pending.delete(id);
  };

  // The copy is current once LISTEN is in place and a full read that started after it finished:
  // changes committed while nobody listened were never announced, so until that read is applied
  // (after a reconnect too) reads go to the database. `listenEpoch` counts the listener's starts.
  let listenEpoch = 0;
  let caughtUpEpoch = -1;
  const caughtUp = () => listener?.listening === true && caughtUpEpoch === listenEpoch;

  const reload = async () => {
    const startedAt = applied;
    const epoch = listener?.listening ? listenEpoch : -1;
    const records = await listFacilities(db);
    const seen = new Set<string>();
    for (const r of records) {
      seen.add(r.id);
      apply(r);
    }
    for (const id of [...slots.keys()]) if (!seen.has(id) && (touchedAt.get(id) ?? 0) <= startedAt) remove(id);
    loadedOnce = true;
    if (epoch === listenEpoch && listener?.listening) caughtUpEpoch = epoch;
  };

  const fetchIds = async (ids: readonly string[]) => {
    const records = await findFacilities(db, ids);
    for (const r of records) apply(r);
    const found = new Set(records.map((r) => r.id));
    for (const id of ids) if (!found.has(id)) remove(id);
  };

  // One fetch of pending facilities at a time; a caller arriving during a fetch waits for the next round.
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const fetchPending = (): Promise<void> => {
    if (!running) {
      running = fetchIds([...pending.keys()]).finally(() => {
        running = null;
      });
      return running;
    }
    next ??= running
      .catch(() => {})
      .then(() => {
        next = null;
        return fetchPending();
      });
    return next;
  };

  const onChanges = (changes: ChangedFacility[]) => {
    for (const { facilityId, version, state } of changes) {
      const slot = slots.get(facilityId);
      const current = slot?.entry.version ?? -1;
      if (version <= current) continue;
      // Announced with its committed state: applied at once, no read and no wait for readers.
      // (Registry changes come without it, as do new facilities: those are read back.)
      if (state !== undefined && slot !== undefined) {
        apply({ ...slot.entry.record, state });
        continue;
      }
      if (version > (pending.get(facilityId) ?? -1)) pending.set(facilityId, version);
    }
    if (pending.size > 0) fetchPending().catch((err) => log.warn({ err }, 'loading notified facility state failed'));
    onNotification?.(changes);
  };

  let listener: FacilityStateListener | null = null;
  let loaded: Promise<void>;
  let timer: NodeJS.Timeout | undefined;
  const resync = () =>
    reload().catch((err) => {
      log.warn({ err }, 'facility state resync failed');
      throw new StateUnavailableError('facility state could not be loaded', { cause: err });
    });

  if (databaseUrl) {
    listener = createFacilityStateListener({
      connectionString: databaseUrl,
      ...(reconnectDelayMs ? { reconnectDelayMs } : {}),
      onChanges,
      // Changes committed while nobody listened were never announced: reload everything.
      onListening: () => {
        listenEpoch += 1;
        void resync().catch(() => {});
      },
      onError: (err) => log.warn({ err }, 'facility_state listener lost its connection; reconnecting'),
    });
    loaded = listener.ready.then(resync);
    loaded.catch(() => {});
    timer = setInterval(() => void resync().catch(() => {}), resyncIntervalMs);
    timer.unref();
  } else {
    loaded = Promise.resolve();
  }

  const buildLayout = () => {
    layout ??= { generation: ++generation, slots: [...slots.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) };
    return layout;
  };

  const ensureLoaded = async () => {
    try {
      await loaded;
    } catch {
      loaded = resync();
      await loaded;
    }
  };

  const readThrough = async (id: string) => {
    const version = await findFacilityVersion(db, id).catch((err) => {
      log.warn({ err }, 'reading facility state failed');
      throw new StateUnavailableError('facility state could not be read', { cause: err });
    });
    const slot = slots.get(id);
    if (!slot || version === undefined || slot.entry.version !== version) await fetchIds([id]);
    return slots.get(id)?.entry;
  };

  const waitFresh = async (id: string) => {
    await ensureLoaded();
    if (!caughtUp()) return readThrough(id);
    for (let round = 0; pending.has(id); round++) {
      if (round >= MAX_FETCH_ROUNDS) throw new StateUnavailableError(`facility ${id} could not be brought up to date`);
      await fetchPending().catch((err) => {
        throw new StateUnavailableError('facility state could not be loaded', { cause: err });
      });
    }
    return slots.get(id)?.entry;
  };

  return {
    get(id) {
      // The hot path: answered from memory when the copy is loaded, listening and nothing newer was announced.
      if (loadedOnce && caughtUp() && !pending.has(id)) return slots.get(id)?.entry;
      return waitFresh(id);
    },
    async layout() {
      await ensureLoaded();
      if (!caughtUp()) await resync();
      else if (pending.size > 0) await fetchPending();
      return buildLayout();
    },
    currentLayout() {
      return loadedOnce && caughtUp() && pending.size === 0 ? buildLayout() : undefined;
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    ready: ensureLoaded,
    get pendingCount() {
      return pending.size;
    },
    get listening() {
      return caughtUp();
    },
    async close() {
      clearInterval(timer);
      await listener?.close();
    },
  };
}
