import type { Logger } from '@freiplatz/config';
import { type Db, refreshAllFacilityStates, refreshOutOfStepFacilityStates } from '@freiplatz/db';

export interface StateSweeper {
  /** Runs one sweep now (also used by tests): the facilities the clock changed, or all with `full`. */
  sweep(options?: { full?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Periodically re-evaluates facility state against the clock, so a sensor that falls silent turns
 * its spot unknown, and a facility closes and opens at its opening hours (facility_state.hours_change_at,
 * the next change, written with each count), bumping the facility's version for signage even
 * though no event arrives. Hours take effect within one sweep interval.
 * A periodic sweep recounts only the facilities that need it; a full sweep recounts all.
 */
export function createStateSweeper(options: { db: Db; intervalMs: number; logger: Logger; now?: () => Date }): StateSweeper {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | null = null;
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
