import type { Db } from '@freiplatz/db';
import { sql } from 'kysely';
import mqtt, { type IClientOptions } from 'mqtt';

export interface LoadOptions {
  url: string;
  protocolVersion: 4 | 5;
  sensorIds: readonly string[];
  /** Events per second, spread over 20 ms ticks. */
  ratePerSec: number;
  /** Hard bound on the number of events. */
  maxEvents: number;
  /** Hard bound on publishing time. */
  maxMs: number;
  clientId: string;
  /** TLS and credentials for a secured broker. */
  connect?: Partial<IClientOptions>;
}

export interface Load {
  /** Events the broker acknowledged (PUBACK), as `sensorId:seq`. */
  readonly acked: Set<string>;
  /** Events handed to the client, acknowledged or not yet. */
  readonly attempted: Set<string>;
  /** Resolves when publishing stopped (bound, time or `stop()`) and every publish settled. */
  done: Promise<void>;
  stop(): void;
}

/** A stable `ts` per (sensor index, seq), so a redelivered copy has the same dedupe key. */
const tsOf = (t0: number, sensor: number, seq: number) => t0 + seq * 1000 + sensor;

/**
 * Publishes QoS 1 bay events at a fixed rate, round-robin over the sensors with per-sensor
 * increasing `seq`, bounded in count and time; reconnects on its own when the broker restarts.
 */
export async function startLoad(options: LoadOptions): Promise<Load> {
  const client = await mqtt.connectAsync(options.url, {
    protocolVersion: options.protocolVersion,
    clientId: options.clientId,
    reconnectPeriod: 300,
    ...options.connect,
  });
  const acked = new Set<string>();
  const attempted = new Set<string>();
  const t0 = Date.now() - 86_400_000;
  const pending = new Set<Promise<void>>();
  let stopped = false;
  let sent = 0;
  const started = Date.now();
  const run = async () => {
    const n = options.sensorIds.length;
    while (!stopped && sent < options.maxEvents && Date.now() - started < options.maxMs) {
      const due = Math.min(options.maxEvents, Math.floor(((Date.now() - started) / 1000) * options.ratePerSec));
      while (sent < due) {
        const sensor = sent % n;
        const seq = Math.floor(sent / n) + 1;
        const sensorId = options.sensorIds[sensor] as string;
        const key = `${sensorId}:${seq}`;
        const payload = JSON.stringify({ occupied: (seq + sensor) % 3 === 0, seq, ts: tsOf(t0, sensor, seq), battery: 3.6 });
        attempted.add(key);
        const p: Promise<void> = client.publishAsync(`parking/v1/bays/${sensorId}`, payload, { qos: 1 }).then(
          () => {
            acked.add(key);
            pending.delete(p);
          },
          () => {
            pending.delete(p);
          },
        );
        pending.add(p);
        sent += 1;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(pending);
    await client.endAsync();
  };
  return {
    acked,
    attempted,
    done: run(),
    stop() {
      stopped = true;
    },
  };
}

export const countStored = async (db: Db) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(db)).rows[0]?.n ?? 0;

export interface Accounting {
  published: number;
  stored: number;
  /** Acknowledged by the broker, not stored: lost. */
  missing: string[];
  /** Stored but never published: impossible unless something invents events. */
  unexpected: string[];
}

/** Compares what the broker acknowledged with what is stored, by (sensorId, seq). */
export async function accountFor(db: Db, load: Pick<Load, 'acked' | 'attempted'>): Promise<Accounting> {
  const rows = await sql<{ sensor_id: string; seq: number }>`SELECT sensor_id, seq FROM occupancy_events`.execute(db);
  const stored = new Set(rows.rows.map((r) => `${r.sensor_id}:${r.seq}`));
  return {
    published: load.acked.size,
    stored: rows.rows.length,
    missing: [...load.acked].filter((k) => !stored.has(k)).slice(0, 20),
    unexpected: [...stored].filter((k) => !load.attempted.has(k)).slice(0, 20),
  };
}
