import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    mqttUrl: string;
    mqttProtocolVersion: 4 | 5;
    brokerKind: string;
  }
}
