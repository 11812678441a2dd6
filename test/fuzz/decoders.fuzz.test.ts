import { describeDecoderFuzz, FULL_BUDGET } from './suites.js';

describeDecoderFuzz(FULL_BUDGET);
