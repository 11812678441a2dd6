import type { Logger } from '@freiplatz/config';
import type { RejectCode } from '@freiplatz/domain';

export interface RejectLog {
  /** Counts one rejected message (the first of an interval is kept as its sample). */
  note(topic: string, code: RejectCode, reason: string): void;
  /** Writes what was counted since the last line, if anything. */
  flush(): void;
  /** Writes what is left and stops the timer. */
  close(): void;
}

/**
 * Logs rejected messages as one `warn` line per interval: counts per reason code and one sample
 * (topic, code, reason). A line per message let one sensor's garbage flood the log (5,000 garbage
 * messages wrote 5,025 lines); every message is still in `ingest_rejects` and in the
 * `rejected_total{code}` metric.
 */
export function createRejectLog(logger: Logger, intervalMs: number): RejectLog {
  let counts: Partial<Record<RejectCode, number>> = {};
  let total = 0;
  let sample: { topic: string; code: RejectCode; reason: string } | null = null;
  const flush = () => {
    if (total === 0) return;
    logger.warn({ rejected: total, byCode: counts, sample, intervalMs }, 'payloads rejected (stored in ingest_rejects)');
    counts = {};
    total = 0;
    sample = null;
  };
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  return {
    note(topic, code, reason) {
      counts[code] = (counts[code] ?? 0) + 1;
      total += 1;
      sample ??= { topic: topic.slice(0, 200), code, reason: reason.slice(0, 500) };
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
