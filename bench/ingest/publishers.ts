import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PublisherJob, PublisherMessage } from './publisher.js';

export interface Publishers {
  /** Events the broker acknowledged so far, over all publishers. */
  acked(): number;
  /** Lets the publishers (together) have published up to `total` events (max mode). */
  credit(total: number): void;
  stop(): void;
  done: Promise<{ acked: number; attempted: number; failed: number }>;
}

const entry = fileURLToPath(new URL('./publisher.ts', import.meta.url));

/** Starts `count` publisher processes, each with its own connection and share of the sensors. */
export function startPublishers(count: number, job: Omit<PublisherJob, 'sensorIds'> & { sensorIds: readonly string[] }): Publishers {
  const progress = new Array<number>(count).fill(0);
  const children = Array.from({ length: count }, (_, i) => {
    const child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const own: PublisherJob = {
      ...job,
      sensorIds: job.sensorIds.filter((_, k) => k % count === i),
      ratePerSec: job.ratePerSec / count,
      maxEvents: Math.floor(job.maxEvents / count),
    };
    child.on('error', () => {}); // a send racing the child's exit (EPIPE) is harmless here
    child.send({ type: 'job', job: own });
    const finished = new Promise<{ acked: number; attempted: number; failed: number }>((resolve, reject) => {
      child.on('message', (m: PublisherMessage) => {
        if (m.type === 'progress') progress[i] = m.acked;
        else {
          progress[i] = m.acked;
          resolve(m);
        }
      });
      child.once('exit', (code) => reject(new Error(`publisher ${i} exited with ${code} before reporting`)));
    });
    return { child, finished };
  });
  const send = (m: { type: 'credit'; upTo: number } | { type: 'stop' }) => {
    for (const { child } of children) if (child.connected) child.send(m);
  };
  return {
    acked: () => progress.reduce((a, b) => a + b, 0),
    credit: (total) => send({ type: 'credit', upTo: Math.floor(total / count) }),
    stop: () => send({ type: 'stop' }),
    done: Promise.all(children.map((c) => c.finished)).then((all) =>
      all.reduce((s, r) => ({ acked: s.acked + r.acked, attempted: s.attempted + r.attempted, failed: s.failed + r.failed }), {
        acked: 0,
        attempted: 0,
        failed: 0,
      }),
    ),
  };
}
