export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

const de = {
  tagline: 'Freie Parkplätze und Wohnmobil-Stellplätze in Magdeburg – live',
  switchLanguage: 'English',
  filterLegend: 'Anzeigen',
  filterAll: 'Alle',
  filterCar: 'Auto',
  filterCamper: 'Wohnmobil',
  filterDisabled: 'Behindertenparkplatz',
  filterEv: 'E-Ladeplatz',
  nearMe: 'In meiner Nähe sortieren',
  locating: 'Standort wird ermittelt …',
  locationDenied: 'Standort nicht verfügbar – Liste bleibt nach Namen sortiert.',
  map: 'Karte',
  mapUnavailable: 'Die Karte kann gerade nicht geladen werden.',
  mapFallbackListAbove: 'Die Liste oben ist vollständig.',
  mapFallbackListBeside: 'Die Liste rechts ist vollständig.',
  list: 'Parkmöglichkeiten',
  free: 'frei',
  of: 'von',
  noMatch: 'Keine Parkmöglichkeit passt zu diesem Filter.',
  updated: 'Aktualisiert',
  live: 'Live',
  offline: 'Verbindung unterbrochen – Zahlen werden nicht aktualisiert',
  status_open: 'Plätze frei',
  status_almost_full: 'Fast voll',
  status_full: 'Voll',
  status_closed: 'Geschlossen',
  status_unknown: 'Keine aktuellen Daten',
  kind_car_park: 'Parkhaus / Parkplatz',
  kind_on_street: 'Straßenparken',
  kind_rv_site: 'Wohnmobil-Stellplatz',
  kind_park_and_ride: 'Park + Ride',
  category_standard: 'Standard',
  category_disabled: 'Behinderten\u00adparkplätze', // soft hyphen: wraps there on a phone
  category_ev: 'E-Ladeplätze',
  category_camper: 'Wohnmobil-Stellplätze',
  category_family: 'Familien\u00adparkplätze',
  category_motorcycle: 'Motorrad',
  category_bus: 'Bus',
  category_truck: 'Lkw',
  amenity_power: 'Strom',
  amenity_water: 'Wasser',
  amenity_dump_station: 'Entsorgungsstation',
  amenity_wifi: 'WLAN',
  amenity_toilets: 'Toiletten',
  amenity_showers: 'Duschen',
  amenities: 'Ausstattung',
  address: 'Adresse',
  openingHours: 'Öffnungszeiten',
  categories: 'Nach Platzart',
  category: 'Platzart',
  capacity: 'Plätze',
  unknown: 'unbekannt',
  today: 'Heute',
  typical: 'Üblich an diesem Wochentag',
  occupancyChart: 'Belegung heute im Vergleich zum üblichen Verlauf',
  forecast: 'Vorhersage',
  forecastIn: 'in {h} Std.',
  expectedFree: 'erwartet frei',
  noHistory: 'Noch keine Verlaufsdaten.',
  back: 'Zur Übersicht',
  confidence: 'Datenqualität',
  signageStale: 'Anzeige nicht aktuell',
  noData: 'keine Daten',
  allSpaces: '(alle Plätze)',
  closedLabel: 'geschlossen',
  status: 'Status',
  notFound: 'Diese Parkmöglichkeit gibt es nicht.',
  distance: 'Entfernung',
};
export type MessageKey = keyof typeof de;

const en: Record<MessageKey, string> = {
  tagline: 'Free parking bays and camper pitches in Magdeburg – live',
  switchLanguage: 'Deutsch',
  filterLegend: 'Show',
  filterAll: 'All',
  filterCar: 'Car',
  filterCamper: 'Camper',
  filterDisabled: 'Disabled parking',
  filterEv: 'EV charging',
  nearMe: 'Sort by distance to me',
  locating: 'Finding your location …',
  locationDenied: 'Location not available – the list stays sorted by name.',
  map: 'Map',
  mapUnavailable: 'The map cannot be loaded right now.',
  mapFallbackListAbove: 'The list above is complete.',
  mapFallbackListBeside: 'The list on the right is complete.',
  list: 'Places to park',
  free: 'free',
  of: 'of',
  noMatch: 'No place matches this filter.',
  updated: 'Updated',
  live: 'Live',
  offline: 'Connection lost – numbers are not being updated',
  status_open: 'Spaces free',
  status_almost_full: 'Almost full',
  status_full: 'Full',
  status_closed: 'Closed',
  status_unknown: 'No current data',
  kind_car_park: 'Car park',
  kind_on_street: 'On-street parking',
  kind_rv_site: 'Camper site',
  kind_park_and_ride: 'Park and ride',
  category_standard: 'Standard',
  category_disabled: 'Disabled bays',
  category_ev: 'EV charging bays',
  category_camper: 'Camper pitches',
  category_family: 'Family bays',
  category_motorcycle: 'Motorcycle',
  category_bus: 'Bus',
  category_truck: 'Truck',
  amenity_power: 'Power',
  amenity_water: 'Water',
  amenity_dump_station: 'Dump station',
  amenity_wifi: 'Wi-Fi',
  amenity_toilets: 'Toilets',
  amenity_showers: 'Showers',
  amenities: 'Amenities',
  address: 'Address',
  openingHours: 'Opening hours',
  categories: 'By type of space',
  category: 'Type',
  capacity: 'Spaces',
  unknown: 'unknown',
  today: 'Today',
  typical: 'Typical for this weekday',
  occupancyChart: "Today's occupancy against the typical curve",
  forecast: 'Forecast',
  forecastIn: 'in {h} h',
  expectedFree: 'expected free',
  noHistory: 'No history yet.',
  back: 'Back to the overview',
  confidence: 'Data quality',
  signageStale: 'Display not up to date',
  noData: 'no data',
  allSpaces: '(all spaces)',
  closedLabel: 'closed',
  status: 'Status',
  notFound: 'There is no such place.',
  distance: 'Distance',
};

const dictionaries: Record<Language, Record<MessageKey, string>> = { de, en };

/** Looks a message up; unknown keys fall back to the key itself, so a missing text is visible. */
export function translate(lang: Language, key: string): string {
  return dictionaries[lang][key as MessageKey] ?? key;
}

/**
 * Chooses the page language: explicit `?lang=`, then the cookie, then Accept-Language. German
 * without a preference (a German city's pages); English for anyone whose browser asks for neither.
 */
export function pickLanguage(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Language {
  for (const candidate of [query, cookie]) {
    if (candidate === 'de' || candidate === 'en') return candidate;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { lang: tag.split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if (lang === 'de' || lang === 'en') return lang;
  return ranked.some(({ lang }) => lang && lang !== '*') ? 'en' : 'de';
}

/** The messages a client script needs, for embedding as JSON. */
export function clientMessages(lang: Language, keys: readonly MessageKey[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, dictionaries[lang][k]]));
}
