import { readFileSync } from 'node:fs';
import { findFreePort } from '@freiplatz/testing';
import { type ServiceProcess, startService } from '../support/processes.js';

export interface WorkerProcess extends ServiceProcess {
  metricsPort: number;
  /** Current value of one metric from the worker's `/metrics` (summed over labels). */
  metric(name: string): Promise<number>;
  /** Resident memory of the worker process now, in MiB. */
  rssMiB(): number;
  /** Peak resident memory of the worker process so far (VmHWM), in MiB. */
  peakRssMiB(): number;
}

/** Runs `services/ingest/src/main.ts` as its own process with a metrics port, and waits until it is subscribed. */
export async function startWorkerProcess(env: Record<string, string>, entry = 'services/ingest/src/main.ts'): Promise<WorkerProcess> {
  const metricsPort = await findFreePort();
  const service = startService(entry, {
    LOG_LEVEL: 'info',
    INGEST_METRICS_PORT: String(metricsPort),
    ...env,
  });
  await service.waitForOutput('ingest worker subscribed');
  return {
    ...service,
    metricsPort,
    async metric(name) {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch((err: unknown) => {
        throw new Error(`worker /metrics unreachable; worker output:\n${service.output().slice(-3000)}`, { cause: err });
      });
      const body = await response.text();
      return readMetric(body, name);
    },
    rssMiB: () => readStatusMiB(service.child.pid, 'VmRSS'),
    peakRssMiB: () => readStatusMiB(service.child.pid, 'VmHWM'),
  };
}

/** Sums the samples of `name` in a Prometheus text body (NaN when absent). */
export function readMetric(body: string, name: string): number {
  let found = false;
  let sum = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      found = true;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return found ? sum : Number.NaN;
}

function readStatusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}
