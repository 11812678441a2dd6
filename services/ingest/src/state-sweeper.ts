import type { Logger } from '@freiplatz/config';
import {
  type Db,
  DEFAULT_EVENTS_RETENTION_DAYS,
  maintainEventPartitions,
  refreshAllFacilityStates,
  refreshOutOfStepFacilityStates,
} from '@freiplatz/db';

export interface StateSweeper {
  /** Runs one sweep now (also used by tests): the facilities the clock changed, or all with `full`. */
  sweep(options?: { full?: boolean }): Promise<number>;
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
 */
export function createStateSweeper(options: {
  db: Db;
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
  /** Days raw occupancy events are kept (EVENTS_RETENTION_DAYS, default 180). */
  eventsRetentionDays?: number;
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
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
