import { createLogger, createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../services/api/src/index.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { fuzzDecoder } from './decoder-properties.js';
import { fuzzDecoders } from './decoders.js';
import { fuzzHttp } from './http-fuzz.js';
import { fuzzPipeline } from './pipeline-fuzz.js';
import { fuzzQueryParser, fuzzQueryParsers } from './query-parsers.js';

/** How many generated inputs each part gets: the full `pnpm test:fuzz` run, or the sample of the normal run. */
export interface FuzzBudget {
  perDecoder: number;
  perQueryParser: number;
  httpRequests: number;
  pipelineMessages: number;
  /**
   * fast-check seed of the decoder fuzzing: fixed for the sample in the normal test run, so that it
   * cannot flake (a random 500 rarely holds a valid TTS uplink: 0–4 per run), random for `pnpm test:fuzz`.
   */
  seed?: number;
}

export const FULL_BUDGET: FuzzBudget = { perDecoder: 25_000, perQueryParser: 5_000, httpRequests: 3_000, pipelineMessages: 5_000 };
export const SAMPLE_BUDGET: FuzzBudget = {
  perDecoder: 500,
  perQueryParser: 200,
  httpRequests: 150,
  pipelineMessages: 300,
  seed: 20_261_127,
};

export function describeDecoderFuzz(budget: FuzzBudget): void {
  describe('decoders under fuzzing', () => {
    for (const decoder of fuzzDecoders) {
      it(`${decoder.name} accepts a storable event or rejects with a code and a reason, for any topic and bytes`, () => {
        const tally = fuzzDecoder(decoder, budget.perDecoder, budget.seed);
        console.log(
          `[fuzz] ${decoder.name}: ${tally.runs} payloads, ${tally.accepted} accepted, rejected ${JSON.stringify(tally.rejected)}`,
        );
        expect(tally.runs).toBe(budget.perDecoder);
        expect(tally.accepted).toBeGreaterThan(0);
        expect(Object.keys(tally.rejected).length).toBeGreaterThan(1);
      });
    }
  });
}

export function describeQueryFuzz(budget: FuzzBudget): void {
  describe('query parameter parsers under fuzzing', () => {
    for (const parser of fuzzQueryParsers) {
      it(`${parser.name} returns a value or refuses with a 400 and a reason, for any parameters`, () => {
        const tally = fuzzQueryParser(parser, budget.perQueryParser);
        expect(tally.accepted + tally.rejected).toBe(budget.perQueryParser);
        expect(tally.rejected).toBeGreaterThan(0);
      });
    }
  });

  describe('HTTP API under fuzzed parameters', () => {
    let harness: Harness;
    let app: ReturnType<typeof createApp>;
    beforeAll(async () => {
      harness = await createHarness();
      await harness.importRegistry(buildRegistry({ id: 'fz-a', spots: 2 }, { id: 'fz-b', spots: 1 }));
      app = createApp({ db: harness.db, logger: createSilentLogger(), rateLimit: { ratePerSecond: 1e6, burst: 1e6 } });
    });
    afterAll(async () => {
      await app.close();
      await harness?.close();
    });

    it('answers every generated GET without a 5xx, and every error in the one shape without internals', async () => {
      const statuses = await fuzzHttp(app.hono, budget.httpRequests);
      console.log(`[fuzz] HTTP: ${budget.httpRequests} requests, statuses ${JSON.stringify(statuses)}`);
      expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(budget.httpRequests);
      expect(statuses[400]).toBeGreaterThan(0);
    });
  });
}

export function describePipelineFuzz(budget: FuzzBudget): void {
  describe('ingest pipeline under fuzzing (real broker and database)', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('receives every generated message and stores exactly the rejected ones in ingest_rejects', async () => {
      // The worker's errors (a failed commit) go into the failure message.
      const errors: string[] = [];
      const logger = createLogger({
        level: 'warn',
        destination: { write: (line) => (line.includes('payload rejected') ? undefined : errors.push(line.slice(0, 2000))) },
      });
      const worker = await harness.startIngest({ batchSize: 500, flushMs: 20, logger });
      const result = await fuzzPipeline(harness, worker, budget.pipelineMessages, undefined, () => errors.slice(-3).join('\n'));
      console.log(`[fuzz] pipeline: ${result.published} messages via ${harness.brokerKind}, ${result.storedRejects} dead letters`);
      expect(result.storedRejects).toBe(result.expectedRejects);
    }, 180_000);
  });
}
