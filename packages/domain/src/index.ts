export * from './availability.js';
export * from './bay-payload.schema.js';
export * from './decode.js';
export type * from './event.js';
export * from './registry.schema.js';
export * from './state.js';
