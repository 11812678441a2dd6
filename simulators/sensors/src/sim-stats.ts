import type { WindowedPublisher } from './windowed-publisher.js';

/** Why the simulator stopped. */
export type StopReason = 'events' | 'duration' | 'stopped' | 'error';

/** Printed every few seconds while playing. */
export interface SimProgress {
  eventsSent: number;
  ratePerSecond: number;
  /** Share of all sensed spots occupied, 0–1. */
  occupancy: number;
  simTime: Date;
  elapsedSeconds: number;
}

/** Totals of a run; `eventsSent` counts messages handed to the broker connection. */
export interface SimStats {
  eventsSent: number;
  initialSent: number;
  changesSent: number;
  heartbeatsSent: number;
  /** Acknowledged (QoS 1) or written (QoS 0). */
  delivered: number;
  failed: number;
  outstanding: number;
  occupancy: number;
  simTime: Date;
  startedAt: Date | null;
  elapsedSeconds: number;
  stopReason: StopReason | null;
  error?: string;
}

/** Snapshot of the counters a simulator keeps. */
export function createSimStats(input: {
  counters: { published: number; initial: number; change: number; heartbeat: number };
  publisher: WindowedPublisher | undefined;
  startedAtMs: number | null;
  stopReason: StopReason | null;
  error: string | undefined;
  simMs: number;
  occupancy: number;
}): SimStats {
  const counts = input.publisher?.counts() ?? { outstanding: 0, completed: 0, failed: 0 };
  return {
    eventsSent: input.counters.published,
    initialSent: input.counters.initial,
    changesSent: input.counters.change,
    heartbeatsSent: input.counters.heartbeat,
    delivered: counts.completed,
    failed: counts.failed,
    outstanding: counts.outstanding,
    occupancy: input.occupancy,
    simTime: new Date(input.simMs),
    startedAt: input.startedAtMs === null ? null : new Date(input.startedAtMs),
    elapsedSeconds: input.startedAtMs === null ? 0 : (Date.now() - input.startedAtMs) / 1000,
    stopReason: input.stopReason,
    ...(input.error === undefined ? {} : { error: input.error }),
  };
}
