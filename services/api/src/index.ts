export * from './app.js';
export type { AppEnv } from './app-env.js';
export * from './create-api.js';
export * from './errors.js';
export type { PublicApiOptions } from './public-api.js';
export * from './server.js';
