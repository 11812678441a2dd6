import type { Publication } from './publication.js';

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A DATEX II `MultilingualString` with one German value. */
export const multilingual = (tag: string, value: string) =>
  `<${tag}><com:values><com:value lang="de">${xmlEscape(value)}</com:value></com:values></${tag}>`;

const NAMESPACES = [
  'xmlns:d2="http://datex2.eu/schema/3/d2Payload"',
  'xmlns:com="http://datex2.eu/schema/3/common"',
  'xmlns:prk="http://datex2.eu/schema/3/parking"',
  'xmlns:fac="http://datex2.eu/schema/3/facilities"',
  'xmlns:loc="http://datex2.eu/schema/3/locationReferencing"',
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
].join(' ');

/** Id of the parking table both publications refer to. */
export const PARKING_TABLE_ID = 'freiplatz';

/**
 * Opens a DATEX II v3 `d2:payload` of the given publication type, with the licence and attribution in
 * `feedDescription` and the publisher as `publicationCreator`.
 */
export function openPayload(type: 'ParkingTablePublication' | 'ParkingStatusPublication', p: Publication, at: Date): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload ${NAMESPACES} xsi:type="prk:${type}" lang="de" modelBaseVersion="3">` +
    multilingual(
      'com:feedDescription',
      `Parken in ${p.publisher} (Freiplatz). Lizenz: ${p.licence.name} (${p.licence.url}). Namensnennung: ${p.attribution}`,
    ) +
    `<com:publicationTime>${at.toISOString()}</com:publicationTime>` +
    `<com:publicationCreator><com:country>${xmlEscape(p.country)}</com:country><com:nationalIdentifier>${xmlEscape(p.publisher)}</com:nationalIdentifier></com:publicationCreator>`
  );
}

/** `headerInformation`: open data, real information. */
export const HEADER_INFORMATION =
  '<prk:headerInformation><com:confidentiality>noRestriction</com:confidentiality><com:informationStatus>real</com:informationStatus></prk:headerInformation>';

/** A versioned reference to a facility object (site or category element). */
export const facilityRef = (tag: string, id: string) => `<${tag} targetClass="fac:FacilityObject" id="${xmlEscape(id)}" version="1"/>`;

/** Id of the element that stands for one category of a site. */
export const categoryElementId = (facilityId: string, category: string) => `${facilityId}.${category}`;
