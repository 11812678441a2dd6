export * from './datex2-status.js';
export * from './parkapi-v3.js';
export * from './source.schema.js';
export * from './source-events.js';
export * from './source-reading.js';
