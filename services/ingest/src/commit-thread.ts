// The commit thread's entry point (see commit-thread-client.ts): owns a pool and commits the
// batches the main thread sends, one message per batch, answering with the counts or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { commitIngestBatch, createDb } from '@freiplatz/db';
import type { CommitRequest, CommitThreadData, CommitThreadMessage } from './commit-thread-client.js';

const port = parentPort;
if (port === null) throw new Error('commit-thread.ts runs as a worker thread (startCommitThread)');
const { databaseUrl, poolSize, applicationName } = workerData as CommitThreadData;
const db = createDb({ connectionString: databaseUrl, max: poolSize, applicationName, preparedStatements: true });

port.on('message', (request: CommitRequest) => {
  if (request.type === 'close') {
    void db.destroy().finally(() => port.postMessage({ type: 'closed' } satisfies CommitThreadMessage));
    return;
  }
  commitIngestBatch(db, request.batch).then(
    (r) =>
      port.postMessage({
        type: 'committed',
        id: request.id,
        result: { inserted: r.inserted, duplicates: r.duplicates, rejected: r.rejected, changedFacilities: r.changedFacilities.length },
      } satisfies CommitThreadMessage),
    (err: unknown) => {
      const e = err as { message?: unknown; code?: unknown } | null;
      port.postMessage({
        type: 'failed',
        id: request.id,
        error: { message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) },
      } satisfies CommitThreadMessage);
    },
  );
});
