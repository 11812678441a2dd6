import { Worker } from 'node:worker_threads';
import type { Logger } from '@freiplatz/config';
import { bayColumnBuffers, type IngestBatch } from '@freiplatz/db';
import { COMMIT_THREAD_DIED } from './batcher.js';

/** What a commit reports back: counts only (the changed states stay in the commit thread). */
export interface CommitCounts {
  inserted: number;
  duplicates: number;
  rejected: number;
  changedFacilities: number;
}

export interface CommitThreadData {
  databaseUrl: string;
  poolSize: number;
  applicationName: string;
}

export type CommitRequest = { type: 'commit'; id: number; batch: IngestBatch } | { type: 'close' };

export type CommitThreadMessage =
  | { type: 'committed'; id: number; result: CommitCounts }
  | { type: 'failed'; id: number; error: { message: string; code?: string } }
  | { type: 'closed' };

export interface CommitThread {
  /** Commits one batch in the commit thread; rejects with the database's error (its SQLSTATE as `code`). */
  commit(batch: IngestBatch): Promise<CommitCounts>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (counts: CommitCounts) => void;
  reject: (err: Error) => void;
}

/**
 * Starts the thread: the built module beside the bundle (container image), or the TypeScript
 * source, which then registers tsx itself (`--import tsx` does not reach worker threads).
 */
function newCommitWorker(options: ConstructorParameters<typeof Worker>[1]): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./commit-thread.mjs', import.meta.url), options);
  const source = new URL('./commit-thread.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * Runs the database side of ingest in a worker thread of its own. The main thread reads MQTT and
 * decodes; under load its event loop is busy in slices of several milliseconds, and every
 * round trip of a commit waited for the next gap (a 2,500-event commit made ~8 of them). The
 * commit thread's loop waits only on PostgreSQL, so a commit takes its database time, and the
 * rendering of its parameters runs on the other core. Batches cross as structured clones (dates
 * and bytes kept), their bay events as columns with the typed arrays transferred. If the thread
 * dies, commits in flight fail with `COMMIT_THREAD_DIED` (the batcher retries them, and isolates
 * the culprit of a batch that kills the thread twice) and a new thread starts.
 */
export function startCommitThread(options: CommitThreadData & { logger: Logger; maxHeapMiB?: number }): CommitThread {
  const log = options.logger;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closing = false;
  let onClosed: (() => void) | null = null;
  const data: CommitThreadData = { databaseUrl: options.databaseUrl, poolSize: options.poolSize, applicationName: options.applicationName };

  const spawn = (): Worker => {
    const w = newCommitWorker({
      workerData: data,
      // Its live data is the batches in flight and a pool: a small young generation keeps its RSS small.
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMiB ?? 48, maxYoungGenerationSizeMb: 16 },
    });
    w.on('message', (m: CommitThreadMessage) => {
      if (m.type === 'closed') {
        onClosed?.();
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.type === 'committed') p.resolve(m.result);
      else p.reject(Object.assign(new Error(m.error.message), m.error.code === undefined ? {} : { code: m.error.code }));
    });
    w.on('error', (err) => log.error({ err }, 'commit thread failed'));
    w.on('exit', (code) => {
      alive = false;
      // Marked, so that the batcher can tell a batch that keeps killing the thread (and isolate its culprit).
      const died = () => Object.assign(new Error(`commit thread exited (code ${code})`), { code: COMMIT_THREAD_DIED });
      for (const p of pending.values()) p.reject(died());
      pending.clear();
      if (closing) {
        onClosed?.();
        return;
      }
      log.warn({ code }, 'commit thread exited: starting a new one in 1 s');
      setTimeout(() => {
        if (closing) return;
        worker = spawn();
        alive = true;
      }, 1000).unref();
    });
    return w;
  };
  let worker = spawn();
  let alive = true;

  return {
    commit(batch) {
      // Between a thread's death and its successor the commit fails at once; the batcher retries.
      if (!alive) return Promise.reject(new Error('commit thread restarting'));
      // Bay events cross as columns, their typed arrays transferred (see BayColumns): the batcher
      // builds a batch for every attempt, so nothing here uses them after.
      const request: CommitRequest = { type: 'commit', id: nextId++, batch };
      return new Promise<CommitCounts>((resolve, reject) => {
        pending.set(request.id, { resolve, reject });
        worker.postMessage(request, bayColumnBuffers(batch.bay));
      });
    },
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => {
        onClosed = resolve;
      });
      worker.postMessage({ type: 'close' } satisfies CommitRequest);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      await worker.terminate();
    },
  };
}
