export * from './ack-queue.js';
export * from './metrics.js';
export * from './metrics-server.js';
export * from './mqtt-consumer.js';
export * from './start-ingest.js';
export * from './state-sweeper.js';
export * from './worker.js';
