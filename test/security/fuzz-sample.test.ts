import { describeDecoderFuzz, describePipelineFuzz, describeQueryFuzz, SAMPLE_BUDGET } from '../fuzz/suites.js';

// A small sample of `pnpm test:fuzz` (test/fuzz/) in every normal run: same properties, fewer inputs.
describeDecoderFuzz(SAMPLE_BUDGET);
describeQueryFuzz(SAMPLE_BUDGET);
describePipelineFuzz(SAMPLE_BUDGET);
