import { describe, expect, it } from 'vitest';
import { validateDatex2 } from '../../../test/support/datex2-schema.js';
import { startGuidanceFeed } from './guidance-feed.js';

describe('guidance feed', () => {
  it('serves a DATEX II v3.6 status valid against the schema, with an ETag and 304', async () => {
    const feed = await startGuidanceFeed({ siteId: 'PR-MESSE', kind: 'park_and_ride', capacity: 76 });
    try {
      const res = await fetch(feed.url);
      const body = await res.text();
      expect(await validateDatex2(body)).toEqual([]);
      expect(body).toContain(`<prk:numberOfVacantSpaces>${76 - feed.vehicles()}</prk:numberOfVacantSpaces>`);
      const again = await fetch(feed.url, { headers: { 'If-None-Match': res.headers.get('ETag') ?? '' } });
      expect(again.status).toBe(304);
    } finally {
      await feed.close();
    }
  });
});
