import type { Logger } from '@freiplatz/config';
import { type Db, deleteExpiredRows, type ExpiringTable, refreshAllFacilityStates, refreshOutOfStepFacilityStates } from '@freiplatz/db';

/** How long dead letters and audit entries are kept; older ones are deleted in small batches by the periodic sweep. */
export interface RetentionOptions {
  ingestRejectsDays: number;
  auditLogDays: number;
  /** Rows per delete (default 1,000). */
  batchSize?: number;
  /** Deletes per table and sweep at most (default 20); the rest waits for the next sweep. */
  maxBatches?: number;
}

export interface StateSweeper {
  /** Runs one sweep now (also used by tests): the facilities the clock changed, or all with `full`. */
  sweep(options?: { full?: boolean }): Promise<number>;
  /** Deletes expired dead letters and audit entries now (also part of every periodic sweep); rows deleted per table. */
  expire(): Promise<Record<ExpiringTable, number>>;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Periodically re-evaluates facility state against the clock, so a sensor that falls silent turns
 * its spot unknown (and bumps the facility's version for signage) even though no event arrives.
 * A periodic sweep recounts only the facilities that need it; a full sweep recounts all. With
 * `retention`, each periodic sweep also deletes old dead letters and audit entries.
 */
export function createStateSweeper(options: {
  db: Db;
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
  retention?: RetentionOptions;
}): StateSweeper {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | null = null;
  let expiring: Promise<Record<ExpiringTable, number>> | null = null;
  const sweep = ({ full = false } = {}) => {
    running ??= (full ? refreshAllFacilityStates(options.db, now()) : refreshOutOfStepFacilityStates(options.db, now()))
      .then((changed) => {
        if (changed.length > 0) options.logger.debug({ changed: changed.length }, 'facility state refreshed by the clock');
        return changed.length;
      })
      .catch((err: unknown) => {
        options.logger.warn({ err }, 'state sweep failed: retrying at the next interval');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const expireTable = async (table: ExpiringTable, days: number): Promise<number> => {
    const r = options.retention;
    const batchSize = r?.batchSize ?? 1000;
    const before = new Date(now().getTime() - days * DAY_MS);
    let deleted = 0;
    for (let i = 0; i < (r?.maxBatches ?? 20); i++) {
      const n = await deleteExpiredRows(options.db, table, before, batchSize);
      deleted += n;
      if (n < batchSize) break;
    }
    return deleted;
  };
  const expire = () => {
    const r = options.retention;
    if (!r) return Promise.resolve({ ingest_rejects: 0, audit_log: 0 });
    expiring ??= (async () => ({
      ingest_rejects: await expireTable('ingest_rejects', r.ingestRejectsDays),
      audit_log: await expireTable('audit_log', r.auditLogDays),
    }))()
      .then((deleted) => {
        if (deleted.ingest_rejects + deleted.audit_log > 0) options.logger.info({ deleted }, 'expired rows deleted');
        return deleted;
      })
      .catch((err: unknown) => {
        options.logger.warn({ err }, 'deleting expired rows failed: retrying at the next interval');
        return { ingest_rejects: 0, audit_log: 0 };
      })
      .finally(() => {
        expiring = null;
      });
    return expiring;
  };
  const timer = setInterval(() => void sweep().then(expire), options.intervalMs);
  timer.unref();
  return {
    sweep,
    expire,
    async stop() {
      clearInterval(timer);
      await running;
      await expiring;
    },
  };
}
