import type { Counts, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import type { FacilityEntry } from '../state/facility-entry.js';
import { categoryElementId, facilityRef, HEADER_INFORMATION, openPayload, PARKING_TABLE_ID } from './datex2-xml.js';
import { freeOf } from './feed.js';
import type { Publication } from './publication.js';

const PLACE_STATUS: Record<FacilityStatus, string | null> = {
  open: 'spacesAvailable',
  almost_full: 'almostFull',
  full: 'full',
  closed: null,
  unknown: 'unknown',
};

/**
 * `prk:occupancy` of counts: exact vacant and occupied spaces when every space is known; while some
 * are unknown only the bounds the known ones prove (more than free − 1, fewer than free + unknown + 1);
 * nothing when the status is unknown. Unknown spaces are never published as vacant.
 */
function renderOccupancy(c: Counts, status: FacilityStatus | undefined): string {
  if (status === 'closed') return '';
  const { free, exact } = freeOf({ ...c, ...(status ? { status } : {}) });
  if (free === null) return '';
  const open = c.capacity - c.closed;
  if (exact) {
    const percent = open > 0 ? Math.round((c.occupied / open) * 1000) / 10 : 0;
    return `<prk:occupancy><prk:numberOfVacantSpaces>${free}</prk:numberOfVacantSpaces><prk:numberOfOccupiedSpaces>${c.occupied}</prk:numberOfOccupiedSpaces><prk:occupancy>${percent}</prk:occupancy></prk:occupancy>`;
  }
  return `<prk:occupancy><prk:numberOfVacantSpacesLowerThan>${free + c.unknown + 1}</prk:numberOfVacantSpacesLowerThan>${free > 0 ? `<prk:numberOfVacantSpacesHigherThan>${free - 1}</prk:numberOfVacantSpacesHigherThan>` : ''}</prk:occupancy>`;
}

const opening = (status: FacilityStatus) => (status === 'closed' ? 'closed' : status === 'unknown' ? 'statusUnknown' : 'open');

function renderSite(e: FacilityEntry): string {
  const f = e.record;
  const s = f.state;
  const updated = `<fac:lastUpdated>${s.updatedAt.toISOString()}</fac:lastUpdated>`;
  const placeStatus = PLACE_STATUS[s.status];
  let out =
    '<prk:parkingStatusInformation xsi:type="prk:PlaceStatus">' +
    facilityRef('fac:reference', f.id) +
    updated +
    `<fac:openingStatus>${opening(s.status)}</fac:openingStatus>` +
    (s.status === 'unknown' ? '<prk:parkingFault>noParkingInformationAvailable</prk:parkingFault>' : '') +
    renderOccupancy(s, s.status) +
    (placeStatus ? `<prk:status>${placeStatus}</prk:status>` : '') +
    '</prk:parkingStatusInformation>';
  for (const [category, counts] of Object.entries(s.byCategory) as Array<[SpotCategory, Counts]>) {
    // A category says only what its own counts say: no status of its own, the facility's opening.
    const known = counts.unknown < counts.capacity - counts.closed || counts.capacity === counts.closed;
    out +=
      '<prk:parkingStatusInformation>' +
      facilityRef('fac:reference', categoryElementId(f.id, category)) +
      updated +
      `<fac:openingStatus>${opening(s.status)}</fac:openingStatus>` +
      renderOccupancy(counts, s.status === 'closed' ? 'closed' : known ? undefined : 'unknown') +
      '</prk:parkingStatusInformation>';
  }
  return out;
}

/**
 * DATEX II v3.6 `ParkingStatusPublication`: per facility a `PlaceStatus` (opening status, vacant
 * and occupied spaces, full / almost full / spaces available, observation time) and one status per
 * spot category, referring to the elements of the parking table.
 */
export function renderDatex2Status(entries: readonly FacilityEntry[], p: Publication, at: Date): string {
  return (
    openPayload('ParkingStatusPublication', p, at) +
    `<prk:parkingTableReference targetClass="prk:ParkingTable" id="${PARKING_TABLE_ID}" version="1"/>` +
    HEADER_INFORMATION +
    entries.map(renderSite).join('') +
    '</d2:payload>\n'
  );
}
