export * from './connection.js';
export type * from './database.js';
export * from './embedded.js';
export * from './facilities.repository.js';
export * from './facility-state.repository.js';
export * from './ingest.repository.js';
export * from './migrate.js';
export * from './registry.repository.js';
