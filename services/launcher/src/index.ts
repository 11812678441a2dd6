export * from './demo-registry.js';
export * from './embedded-broker.js';
