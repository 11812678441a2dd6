import { setupTestPostgres } from '@freiplatz/testing';
import type { TestProject } from 'vitest/node';
import { startBrokerBackend } from './support/broker.js';
import { ensureChromium } from './support/browser.js';
import './provided-context.js';

/** Starts one PostgreSQL (with its migrated template database) and one broker for the whole run. */
export default async function setup(project: TestProject) {
  // The browser tests always run: a missing Chromium is installed here or stops the run with what to do.
  ensureChromium();
  const [postgres, broker] = await Promise.all([setupTestPostgres(project), startBrokerBackend()]);
  console.log(`[test] backends: postgres=${postgres.description}, broker=${broker.kind} (${broker.url})`);
  project.provide('mqttUrl', broker.url);
  project.provide('mqttProtocolVersion', broker.protocolVersion);
  project.provide('brokerKind', broker.kind);
  return async () => {
    await Promise.all([postgres.stop(), broker.stop()]);
  };
}
