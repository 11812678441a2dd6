import { defineConfig } from 'vitest/config';

// `pnpm test:fuzz`: the full fuzzing run (≥ 100,000 generated payloads). The normal test run has a
// small sample of the same properties in test/security/fuzz-sample.test.ts.
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { FUZZ_PROFILE: 'full' },
    testTimeout: 600_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
