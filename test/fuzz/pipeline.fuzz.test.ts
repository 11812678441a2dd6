import { describePipelineFuzz, FULL_BUDGET } from './suites.js';

describePipelineFuzz(FULL_BUDGET);
