import type {} from 'vitest';

// What setupTestPostgres (global-postgres.ts) provides to every test file of the run.
declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
