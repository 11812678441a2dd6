export * from './app.js';
export type { AppEnv } from './app-env.js';
export * from './errors.js';
export { type PublicApiOptions, whenAppReady } from './public-api.js';
export * from './server.js';
