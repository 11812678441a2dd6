import type {} from 'vitest';

// What test/global-setup.ts provides besides the database (packages/testing/src/provided-context.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    mqttUrl: string;
    mqttProtocolVersion: 4 | 5;
    brokerKind: string;
  }
}
