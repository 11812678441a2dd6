import type { Logger } from '@freiplatz/config';
import { type Db, listSensorDirectory, listSensorModels } from '@freiplatz/db';
import { createSensorDirectory, type DirectorySensor, resolveSensorModel, type SensorDirectory } from '@freiplatz/domain';

export interface SensorDirectoryLookup {
  /** The registered sensors as last loaded (a sensor it does not know starts a reload); never waits for the database. */
  readonly directory: SensorDirectory;
  /** Resolves once a first copy is loaded (retried every second until it is). */
  readonly loaded: Promise<void>;
  /** True when a reload may be started now (the last attempt is older than the miss interval). */
  mayReload(): boolean;
  /** The reload under way, if any. */
  reloading(): Promise<void> | null;
  /** Reloads the registry's sensors and models now (joins a reload under way). */
  refresh(): Promise<void>;
  /** Stops retrying a first load. */
  close(): void;
}

export interface SensorDirectoryLookupOptions {
  db: Db;
  logger: Logger;
  /** Reload in the background when the copy is older than this. Default 30 s. */
  maxAgeMs?: number;
  /** An unknown sensor triggers a reload at most this often. Default 5 s. */
  missReloadMs?: number;
  now?: () => number;
}

/**
 * In-memory copy of the registered sensors (kind, model, LoRaWAN binding) for the decoders,
 * reloaded in the background (no timers: a lookup that finds the copy old, or a sensor it does not
 * know, starts a reload).
 */
export function createSensorDirectoryLookup(options: SensorDirectoryLookupOptions): SensorDirectoryLookup {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const missReloadMs = options.missReloadMs ?? 5_000;
  let current = createSensorDirectory([]);
  let loadedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;
  let closed = false;

  const refresh = (): Promise<void> => {
    attemptedAt = now();
    loading ??= Promise.all([listSensorModels(options.db), listSensorDirectory(options.db)])
      .then(([models, rows]) => {
        current = createSensorDirectory(
          rows.map((r): DirectorySensor => ({ id: r.id, kind: r.kind, model: resolveSensorModel(r.model, models), lorawan: r.lorawan })),
        );
        loadedAt = now();
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'registered sensors could not be loaded: using the last copy'))
      .finally(() => {
        loading = null;
      });
    return loading;
  };
  const loaded = (async () => {
    for (let attempt = 0; loadedAt === Number.NEGATIVE_INFINITY && !closed; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
      await refresh();
    }
  })();
  const stale = () => now() - loadedAt > maxAgeMs;
  const mayReload = () => now() - attemptedAt > missReloadMs;

  const directory: SensorDirectory = {
    sensor(id) {
      const found = current.sensor(id);
      if (loading === null && (stale() || (found === undefined && mayReload()))) void refresh();
      return found;
    },
    devices(network, deviceKey) {
      const found = current.devices(network, deviceKey);
      if (loading === null && (stale() || (found.length === 0 && mayReload()))) void refresh();
      return found;
    },
  };
  return {
    directory,
    loaded,
    mayReload,
    refresh,
    reloading: () => loading,
    close() {
      closed = true;
    },
  };
}
