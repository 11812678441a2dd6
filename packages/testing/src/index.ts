export * from './global-postgres.js';
export * from './ports.js';
export * from './postgres-backend.js';
export * from './registry-builder.js';
export * from './service-roles.js';
export * from './test-database.js';
