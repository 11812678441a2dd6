import type { FacilityRecord } from '@freiplatz/db';
import { type CategoryAvailability, type Counts, computeFacilityStatus, type SpotCategory, spotCategories } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { validateDatex2 } from '../../../../test/support/datex2-schema.js';
import { FacilityEntry } from '../state/facility-entry.js';
import { renderDatex2Status } from './datex2-status.js';
import { renderDatex2Table } from './datex2-table.js';
import { toPublication } from './publication.js';

const at = new Date('2026-05-04T10:00:00Z');
const tally = (capacity: number, free: number, occupied: number, unknown: number, closed = 0): Counts => ({
  capacity,
  free,
  occupied,
  unknown,
  closed,
});
/** A category's counts with its own status, as the state carries them (packages/domain/src/availability.ts). */
const counts = (capacity: number, free: number, occupied: number, unknown: number, closed = 0): CategoryAvailability => {
  const c = tally(capacity, free, occupied, unknown, closed);
  return { ...c, status: computeFacilityStatus(c, { almostFullThreshold: 0.1 }) };
};

function facility(
  id: string,
  state: Partial<FacilityRecord['state']> & { byCategory: Partial<Record<SpotCategory, CategoryAvailability>> },
): FacilityEntry {
  const total = Object.values(state.byCategory).reduce<Counts>(
    (a, c) => tally(a.capacity + c.capacity, a.free + c.free, a.occupied + c.occupied, a.unknown + c.unknown, a.closed + c.closed),
    tally(0, 0, 0, 0),
  );
  return new FacilityEntry({
    id,
    name: `Parkplatz ${id} <&>`,
    kind: 'car_park',
    location: { lat: 52.13, lon: 11.63 },
    address: 'Breiter Weg 1, 39104 Magdeburg',
    openingHours: 'Mo-Su 06:00-22:00',
    almostFullThreshold: 0.1,
    timeZone: 'Europe/Berlin',
    minKnownShare: 0.5,
    tags: [],
    state: { ...total, status: 'open', confidence: 1, version: 4, updatedAt: at, openNow: null, hoursChangeAt: null, ...state },
  });
}

/** The four facilities the issue names: every category, closed, all sensors silent, counted by gates. */
const cases = [
  facility('every-category', { byCategory: Object.fromEntries(spotCategories.map((c) => [c, counts(4, 1, 2, 1)])) }),
  facility('closed', { status: 'closed', byCategory: { standard: counts(10, 0, 0, 0, 10) } }),
  facility('silent', { status: 'unknown', confidence: 0, byCategory: { standard: counts(6, 0, 0, 6), disabled: counts(2, 0, 0, 2) } }),
  facility('gates', { byCategory: { standard: counts(400, 120, 280, 0) } }),
];
const publication = toPublication({
  publisher: 'Landeshauptstadt Magdeburg',
  country: 'DE',
  licence: {
    id: 'dl-de/by-2-0',
    name: 'Datenlizenz Deutschland – Namensnennung – Version 2.0',
    url: 'https://www.govdata.de/dl-de/by-2-0',
  },
});

describe('DATEX II v3.6 documents', () => {
  it('renders a parking table valid against DATEXII_3_D2Payload.xsd', async () => {
    const xml = renderDatex2Table(cases, publication, at);
    expect(await validateDatex2(xml)).toEqual([]);
    expect(xml).toContain('<prk:hierarchyElementGeneral xsi:type="prk:SubplaceElement" id="every-category.camper" version="1">');
    expect(xml).toContain('<com:vehicleType>motorhome</com:vehicleType>');
    expect(xml).toContain('<fac:userGroup>personsWithDisabilities</fac:userGroup>');
    expect(xml).toContain('Datenlizenz Deutschland – Namensnennung – Version 2.0');
  });

  it('renders a parking status valid against DATEXII_3_D2Payload.xsd', async () => {
    const xml = renderDatex2Status(cases, publication, at);
    expect(await validateDatex2(xml)).toEqual([]);
  });

  it('is checked by a validator that refuses a broken document', async () => {
    const xml = renderDatex2Status(cases, publication, at).replace('<prk:numberOfVacantSpaces>120<', '<prk:numberOfVacantSpaces>many<');
    expect((await validateDatex2(xml)).join('\n')).toMatch(/numberOfVacantSpaces/);
  });

  it('never publishes unknown spaces as vacant', () => {
    const xml = renderDatex2Status(cases, publication, at);
    const site = (id: string) =>
      xml.slice(xml.indexOf(`id="${id}"`), xml.indexOf('</prk:parkingStatusInformation>', xml.indexOf(`id="${id}"`)));
    // All silent: no occupancy at all, the status says unknown.
    expect(site('silent')).not.toContain('numberOfVacantSpaces');
    expect(site('silent')).toContain('<prk:status>unknown</prk:status>');
    expect(site('silent')).toContain('<fac:openingStatus>statusUnknown</fac:openingStatus>');
    // Some unknown: only the bounds the known spaces prove (8 free of 32 known, 8 unknown).
    expect(site('every-category')).toContain('<prk:numberOfVacantSpacesLowerThan>17</prk:numberOfVacantSpacesLowerThan>');
    expect(site('every-category')).toContain('<prk:numberOfVacantSpacesHigherThan>7</prk:numberOfVacantSpacesHigherThan>');
    expect(site('every-category')).not.toContain('<prk:numberOfVacantSpaces>');
    // All known (counted by gates): exact.
    expect(site('gates')).toContain(
      '<prk:numberOfVacantSpaces>120</prk:numberOfVacantSpaces><prk:numberOfOccupiedSpaces>280</prk:numberOfOccupiedSpaces>',
    );
    expect(site('closed')).toContain('<fac:openingStatus>closed</fac:openingStatus>');
    expect(site('closed')).not.toContain('occupancy');
  });
});
