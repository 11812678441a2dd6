import { describeQueryFuzz, FULL_BUDGET } from './suites.js';

describeQueryFuzz(FULL_BUDGET);
