import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**', 'test/fuzz/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration tests share two cores with PostgreSQL and the broker.
    maxWorkers: 2,
    // An external broker (MQTT_URL) is shared by all files, and ingest workers subscribe to every bay topic.
    fileParallelism: !process.env.MQTT_URL,
  },
});
