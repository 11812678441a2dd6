export * from './address-ranges.js';
export * from './defaults.js';
export * from './env.js';
export * from './logger.js';
