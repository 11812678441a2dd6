export * from './app.js';
export type { AppEnv } from './app-env.js';
export * from './errors.js';
export * from './server.js';
