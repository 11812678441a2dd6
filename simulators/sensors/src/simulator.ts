import { createSilentLogger, type Logger } from '@freiplatz/config';
import type { Registry } from '@freiplatz/domain';
import type { IClientOptions } from 'mqtt';
import { connectBrokerSessions } from './broker-sessions.js';
import type { FaultRates } from './faults.js';
import type { MessageFormat } from './message-format.js';
import { measureOccupancy } from './occupancy-model.js';
import { createSimStats, type SimProgress, type SimStats, type StopReason } from './sim-stats.js';
import { createSimulationCore } from './simulation-core.js';
import { createWindowedPublisher, type WindowedPublisher } from './windowed-publisher.js';

export interface SimulatorOptions {
  mqttUrl: string;
  registry: Registry;
  /** Simulated seconds per real second; heartbeats and `ts` stay in real time. Default 1. */
  speed?: number;
  qos?: 0 | 1;
  /** Stop after this many real seconds. */
  durationSeconds?: number;
  /** Stop after this many published messages. */
  maxEvents?: number;
  seed?: number;
  /** Simulated start instant; default: now. */
  startAt?: Date;
  timeZone?: string;
  tickMs?: number;
  progressIntervalMs?: number;
  /** Most messages outstanding at once. Default 256. */
  window?: number;
  onProgress?: (progress: SimProgress) => void;
  logger?: Logger;
  mqttOptions?: IClientOptions;
  /**
   * Per-sensor broker passwords (sensor id -> password): each sensor connects as its own account,
   * as the production broker requires (broker-sessions.ts). Unset: one connection for all.
   */
  credentials?: ReadonlyMap<string, string>;
  /** Wire format: native topics (default), or as The Things Stack v3 / ChirpStack v4 uplinks. */
  format?: MessageFormat;
  /** Fault injection: share of devices that die, stick, flap, run a skewed clock or drain fast; share of garbage messages. */
  faults?: FaultRates;
}

export interface Simulator {
  /** Connects and starts playing; rejects when the broker cannot be reached. */
  start(): Promise<void>;
  /** Stops, waits for outstanding messages (up to 5 s) and disconnects. */
  stop(): Promise<void>;
  /** Resolves once the simulator has stopped, for whatever reason; never rejects. */
  done: Promise<SimStats>;
  stats(): SimStats;
}

/** Creates a simulator that plays a registry's bay sensors over MQTT. */
export function createSimulator(options: SimulatorOptions): Simulator {
  const speed = options.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const tickMs = options.tickMs ?? 200;
  const progressMs = options.progressIntervalMs ?? 5000;
  const seed = options.seed ?? 1;
  const log = (options.logger ?? createSilentLogger()).child({ module: 'sim-sensors' });
  const core = createSimulationCore({
    registry: options.registry,
    speed,
    seed,
    realStartMs: Date.now(),
    ...(options.startAt === undefined ? {} : { simStartMs: options.startAt.getTime() }),
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  const { model, devices } = core;
  const counters = { published: 0, initial: 0, change: 0, heartbeat: 0 };
  let publisher: WindowedPublisher | undefined;
  let startedAtMs: number | null = null;
  let stopReason: StopReason | null = null;
  let error: string | undefined;
  let wakeUp: (() => void) | undefined;
  let started: Promise<void> | undefined;
  let finish: (stats: SimStats) => void = () => {};
  const done = new Promise<SimStats>((resolve) => (finish = resolve));

  const stats = (): SimStats =>
    createSimStats({ counters, publisher, startedAtMs, stopReason, error, simMs: model.simMs, occupancy: measureOccupancy(model) });
  const requestStop = (reason: StopReason): void => {
    stopReason ??= reason;
    publisher?.close();
    wakeUp?.();
  };
  const boundHit = (): boolean => {
    if (options.maxEvents !== undefined && counters.published >= options.maxEvents) requestStop('events');
    if (options.durationSeconds !== undefined && startedAtMs !== null && Date.now() - startedAtMs >= options.durationSeconds * 1000) {
      requestStop('duration');
    }
    return stopReason !== null;
  };

  async function play(send: WindowedPublisher): Promise<void> {
    let lastProgress = { atMs: Date.now(), published: 0 };
    while (!boundHit()) {
      for (const planned of core.plan(Date.now())) {
        if (boundHit()) break;
        const message = core.build(planned, Date.now());
        if (!message) continue;
        if (!(await send.send(message.topic, message.payload))) break;
        counters.published++;
        counters[planned.reason]++;
      }
      const now = Date.now();
      if (now - lastProgress.atMs >= progressMs) {
        const progress = toProgress(stats(), (counters.published - lastProgress.published) / ((now - lastProgress.atMs) / 1000));
        lastProgress = { atMs: now, published: counters.published };
        log.debug(progress, 'progress');
        options.onProgress?.(progress);
      }
      if (stopReason === null) await sleepUnlessWoken(tickMs);
    }
  }

  function sleepUnlessWoken(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    const client = await connectBrokerSessions(
      options.mqttUrl,
      { ...options.mqttOptions, protocolVersion: options.mqttOptions?.protocolVersion === 5 ? 5 : 4 },
      options.credentials,
      devices.map((d) => d.sensorId),
      log,
    );
    const send = createWindowedPublisher(client, {
      qos: options.qos ?? 1,
      window: options.window ?? 256,
      onError: (err) => log.warn({ err }, 'publish failed'),
    });
    publisher = send;
    startedAtMs = Date.now();
    log.info({ sensors: devices.length, speed, qos: options.qos ?? 1 }, 'simulator started');
    const playing = play(send)
      .catch((err: unknown) => {
        error = err instanceof Error ? err.message : String(err);
        requestStop('error');
      })
      .then(async () => {
        const drained = await send.drain(5000);
        if (!drained) log.warn(send.counts(), 'gave up waiting for outstanding messages');
        await client.end(!drained);
        log.info(stats(), 'simulator stopped');
        finish(stats());
      });
    void playing;
  }

  return {
    start() {
      started ??= run().catch((err: unknown) => {
        error = err instanceof Error ? err.message : String(err);
        requestStop('error');
        finish(stats());
        throw err;
      });
      return started;
    },
    async stop() {
      requestStop('stopped');
      if (started === undefined) finish(stats());
      await done;
    },
    done,
    stats,
  };
}

function toProgress(stats: SimStats, ratePerSecond: number): SimProgress {
  return {
    eventsSent: stats.eventsSent,
    ratePerSecond,
    occupancy: stats.occupancy,
    simTime: stats.simTime,
    elapsedSeconds: stats.elapsedSeconds,
  };
}
