import type { FacilityKind, SpotCategory } from '@freiplatz/domain';
import type { FacilityEntry } from '../state/facility-entry.js';
import {
  categoryElementId,
  facilityRef,
  HEADER_INFORMATION,
  multilingual,
  openPayload,
  PARKING_TABLE_ID,
  xmlEscape,
} from './datex2-xml.js';
import type { Publication } from './publication.js';

const STRUCTURE: Record<FacilityKind, string> = {
  car_park: 'offStreetStructure',
  park_and_ride: 'offStreetSurface',
  rv_site: 'offStreetSurface',
  on_street: 'onStreet',
};

const CATEGORY_NAME: Record<SpotCategory, string> = {
  standard: 'Allgemeine Stellplätze',
  disabled: 'Behindertenstellplätze',
  ev: 'Stellplätze mit Ladesäule',
  camper: 'Wohnmobilstellplätze',
  family: 'Familienstellplätze',
  motorcycle: 'Motorradstellplätze',
  bus: 'Busstellplätze',
  truck: 'Lkw-Stellplätze',
};

/** Who or what a category's spaces are reserved for, as a DATEX II `Qualification`. */
const QUALIFICATION: Partial<Record<SpotCategory, string>> = {
  disabled: '<fac:userQualification><fac:userGroup>personsWithDisabilities</fac:userGroup></fac:userQualification>',
  family: '<fac:userQualification><fac:userGroup>families</fac:userGroup></fac:userQualification>',
  ev: '<fac:propulsionEnergyType>battery</fac:propulsionEnergyType>',
  camper: '<fac:vehicleCharacteristics><com:vehicleType>motorhome</com:vehicleType></fac:vehicleCharacteristics>',
  motorcycle: '<fac:vehicleCharacteristics><com:vehicleType>motorcycle</com:vehicleType></fac:vehicleCharacteristics>',
  bus: '<fac:vehicleCharacteristics><com:vehicleType>bus</com:vehicleType></fac:vehicleCharacteristics>',
  truck: '<fac:vehicleCharacteristics><com:vehicleType>lorry</com:vehicleType></fac:vehicleCharacteristics>',
};

const supply = (n: number) => `<prk:supply><prk:quantity>${n}</prk:quantity><prk:viewType>spaceView</prk:viewType></prk:supply>`;

function renderSite(e: FacilityEntry): string {
  const f = e.record;
  const categories = Object.entries(f.state.byCategory) as Array<[SpotCategory, { capacity: number }]>;
  let out =
    `<prk:hierarchyElementGeneral xsi:type="prk:Place" id="${xmlEscape(f.id)}" version="1">` +
    multilingual('fac:name', f.name) +
    (f.address ? multilingual('fac:description', f.address) : '') +
    (f.openingHours ? multilingual('fac:additionalInformation', `Öffnungszeiten (OSM opening_hours): ${f.openingHours}`) : '') +
    `<fac:locationReference xsi:type="loc:PointLocation"><loc:pointByCoordinates><loc:pointCoordinates><loc:latitude>${f.location.lat}</loc:latitude><loc:longitude>${f.location.lon}</loc:longitude></loc:pointCoordinates></loc:pointByCoordinates></fac:locationReference>` +
    `<prk:layer>1</prk:layer><prk:type>place</prk:type>` +
    categories.map(([c]) => facilityRef('prk:childId', categoryElementId(f.id, c))).join('') +
    supply(f.state.capacity) +
    `<prk:commonComponents><prk:characteristics><prk:structureType>${STRUCTURE[f.kind]}</prk:structureType><prk:openToPublic>true</prk:openToPublic><prk:spacesTotal>${f.state.capacity}</prk:spacesTotal></prk:characteristics></prk:commonComponents>` +
    '</prk:hierarchyElementGeneral>';
  for (const [category, counts] of categories) {
    const qualification = QUALIFICATION[category];
    out +=
      `<prk:hierarchyElementGeneral xsi:type="prk:SubplaceElement" id="${xmlEscape(categoryElementId(f.id, category))}" version="1">` +
      multilingual('fac:name', `${f.name}: ${CATEGORY_NAME[category]}`) +
      `<prk:layer>2</prk:layer><prk:type>subplaceElement</prk:type>` +
      facilityRef('prk:parentId', f.id) +
      supply(counts.capacity) +
      '<prk:subplaceType>statisticsOnly</prk:subplaceType>' +
      (qualification
        ? `<prk:commonComponents><prk:additionalCharacteristics><prk:assignment><prk:exclusivelyAssignedFor><fac:qualification>${qualification}</fac:qualification></prk:exclusivelyAssignedFor></prk:assignment></prk:additionalCharacteristics></prk:commonComponents>`
        : '') +
      '</prk:hierarchyElementGeneral>';
  }
  return out;
}

/**
 * DATEX II v3.6 `ParkingTablePublication`: each facility a `Place` (location, capacity, structure)
 * with one `SubplaceElement` per spot category (its capacity and whom it is reserved for).
 */
export function renderDatex2Table(entries: readonly FacilityEntry[], p: Publication, at: Date): string {
  return (
    openPayload('ParkingTablePublication', p, at) +
    HEADER_INFORMATION +
    `<prk:parkingTable id="${PARKING_TABLE_ID}" version="1">` +
    multilingual('prk:name', `Parken in ${p.publisher}`) +
    `<prk:versionTime>${at.toISOString()}</prk:versionTime>` +
    entries.map(renderSite).join('') +
    '</prk:parkingTable></d2:payload>\n'
  );
}
