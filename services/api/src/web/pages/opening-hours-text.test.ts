import { describe, expect, it } from 'vitest';
import { describeHoursForPage } from './opening-hours-text.js';

describe('opening hours in words on the pages', () => {
  it.each([
    ['24/7', 'de', 'rund um die Uhr'],
    ['24/7', 'en', 'around the clock'],
    ['Mo-Sa 07:00-22:00', 'de', 'Mo–Sa 07:00–22:00 Uhr'],
    ['Mo-Sa 07:00-22:00; Su off', 'en', 'Mon–Sat 07:00–22:00; Sun closed'],
    ['Mo,We 08:00-12:00,14:00-18:00', 'de', 'Mo, Mi 08:00–12:00 Uhr, 14:00–18:00 Uhr'],
  ] as const)('%s (%s) → %s', (osm, lang, words) => {
    expect(describeHoursForPage(osm, lang)).toBe(words);
  });

  it('shows what it cannot put into words as written', () => {
    expect(describeHoursForPage('Mo-Fr 08:00-18:00; PH off; easter off', 'de')).toBe('Mo-Fr 08:00-18:00; PH off; easter off');
  });
});
