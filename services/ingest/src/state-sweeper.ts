import { DEFAULT_EVENTS_RETENTION_DAYS, type Logger } from '@freiplatz/config';
import {
  type Db,
  deleteExpiredRows,
  type ExpiringTable,
  maintainEventPartitions,
  refreshAllFacilityStates,
  refreshOutOfStepFacilityStates,
} from '@freiplatz/db';

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
 * its spot unknown, and a facility closes and opens at its opening hours (facility_state.hours_change_at,
 * the next change, written with each count), bumping the facility's version for signage even
 * though no event arrives. Hours take effect within one sweep interval.
 * A periodic sweep recounts only the facilities that need it; a full sweep recounts all.
 * Once a (UTC) day, the first sweep also applies the raw-event retention (migration 0017): daily
 * partitions created ahead, those older than `eventsRetentionDays` dropped whole.
 * With `retention`, each periodic sweep also deletes old dead letters and audit entries.
 */
export function createStateSweeper(options: {
  db: Db;
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
  /** Days raw occupancy events are kept (EVENTS_RETENTION_DAYS, default 180). */
  eventsRetentionDays?: number;
  retention?: RetentionOptions;
}): StateSweeper {
  const now = options.now ?? (() => new Date());
  const retentionDays = options.eventsRetentionDays ?? DEFAULT_EVENTS_RETENTION_DAYS;
  let retainedDay = -1;
  let running: Promise<number> | null = null;

  const retain = async (at: Date) => {
    const day = Math.floor(at.getTime() / DAY_MS);
    if (day === retainedDay) return;
    const dropped = await maintainEventPartitions(options.db, retentionDays, at);
    retainedDay = day;
    if (dropped.length > 0) options.logger.info({ dropped, retentionDays }, 'raw events past their retention dropped');
  };

  let expiring: Promise<Record<ExpiringTable, number>> | null = null;
  const sweep = ({ full = false } = {}) => {
    const at = now();
    running ??= retain(at)
      .catch((err: unknown) => options.logger.warn({ err }, 'event retention failed: retrying at the next sweep'))
      .then(() => (full ? refreshAllFacilityStates(options.db, at) : refreshOutOfStepFacilityStates(options.db, at)))
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
