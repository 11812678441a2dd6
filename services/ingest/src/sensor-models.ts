import type { Logger } from '@freiplatz/config';
import { type Db, listSensorModelAssignments, listSensorModels } from '@freiplatz/db';
import { resolveSensorModel, type SensorModel } from '@freiplatz/domain';

export interface SensorModelLookup {
  /** The model of a sensor (generic when unknown); never waits for the database. */
  modelOf(sensorId: string): SensorModel;
  /** Reloads the registry's models and assignments now. */
  refresh(): Promise<void>;
}

export interface SensorModelLookupOptions {
  db: Db;
  logger: Logger;
  /** Reload in the background when the copy is older than this. Default 30 s. */
  maxAgeMs?: number;
  /** An unknown sensor triggers a reload at most this often. Default 5 s. */
  missReloadMs?: number;
  now?: () => number;
}

/**
 * In-memory sensor → model map for the decoders, reloaded in the background (no timers: a
 * lookup that finds the copy old, or a sensor it does not know, starts a reload).
 */
export function createSensorModelLookup(options: SensorModelLookupOptions): SensorModelLookup {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const missReloadMs = options.missReloadMs ?? 5_000;
  let models = new Map<string, SensorModel>();
  let assignments = new Map<string, string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;
  const resolved = new Map<string, SensorModel>();

  const refresh = (): Promise<void> => {
    attemptedAt = now();
    loading ??= Promise.all([listSensorModels(options.db), listSensorModelAssignments(options.db)])
      .then(([m, a]) => {
        models = m;
        assignments = a;
        resolved.clear();
        loadedAt = now();
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'sensor models could not be loaded: using the last copy'))
      .finally(() => {
        loading = null;
      });
    return loading;
  };

  return {
    refresh,
    modelOf(sensorId) {
      const t = now();
      const known = assignments.get(sensorId);
      if (t - loadedAt > maxAgeMs || (known === undefined && t - attemptedAt > missReloadMs)) void refresh();
      let model = resolved.get(sensorId);
      if (!model) {
        model = resolveSensorModel(known, models);
        if (known !== undefined) resolved.set(sensorId, model);
      }
      return model;
    },
  };
}

const lookups = new WeakMap<Db, SensorModelLookup>();

/** One lookup per database handle, created on first use. */
export function getSensorModelLookup(db: Db, logger: Logger): SensorModelLookup {
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = createSensorModelLookup({ db, logger });
    lookups.set(db, lookup);
  }
  return lookup;
}
