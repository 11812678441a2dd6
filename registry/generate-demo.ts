import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Amenity, FacilityKind, SpotCategory } from '../packages/domain/src/index.js';
import { parseRegistry } from '../packages/domain/src/index.js';

/** How many spots of a category a facility gets, in layout order. */
type Block = [category: SpotCategory, count: number, amenities?: Amenity[]];

interface FacilityPlan {
  id: string;
  sensorPrefix: string;
  name: string;
  kind: FacilityKind;
  lat: number;
  lon: number;
  address: string;
  openingHours: string;
  almostFullThreshold: number;
  tags: string[];
  heartbeatIntervalSeconds: number;
  blocks: Block[];
  /** A counted facility fed by the city's guidance system (`sources`), not by bay sensors. */
  capacity?: number;
}

const plans: FacilityPlan[] = [
  {
    id: 'allee-center',
    sensorPrefix: 'mdb-ac',
    name: 'Parkhaus Allee-Center',
    kind: 'car_park',
    lat: 52.13063,
    lon: 11.63653,
    address: 'Ernst-Reuter-Allee 11, 39104 Magdeburg',
    openingHours: 'Mo-Sa 07:00-22:00',
    almostFullThreshold: 0.1,
    tags: ['shopping', 'covered', 'city-centre'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 6],
      ['family', 8],
      ['ev', 8],
      ['motorcycle', 4],
      ['standard', 74],
    ],
  },
  {
    id: 'city-carre',
    sensorPrefix: 'mdb-cc',
    name: 'Tiefgarage City Carré',
    kind: 'car_park',
    lat: 52.12973,
    lon: 11.62934,
    address: 'Kantstraße 5a, 39104 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.1,
    tags: ['underground', 'hauptbahnhof', 'city-centre'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 4],
      ['ev', 6],
      ['family', 4],
      ['standard', 72],
    ],
  },
  {
    id: 'breiter-weg',
    sensorPrefix: 'mdb-bw',
    name: 'Breiter Weg (Ernst-Reuter-Allee – Universitätsplatz)',
    kind: 'on_street',
    lat: 52.13497,
    lon: 11.63852,
    address: 'Breiter Weg, 39104 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.15,
    tags: ['paid', 'max-stay-2h'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 2],
      ['motorcycle', 2],
      ['standard', 26],
    ],
  },
  {
    id: 'otto-von-guericke-strasse',
    sensorPrefix: 'mdb-og',
    name: 'Otto-von-Guericke-Straße',
    kind: 'on_street',
    lat: 52.12741,
    lon: 11.63311,
    address: 'Otto-von-Guericke-Straße, 39104 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.15,
    tags: ['paid', 'max-stay-2h'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 2],
      ['ev', 2],
      ['standard', 24],
    ],
  },
  {
    id: 'hasselbachplatz',
    sensorPrefix: 'mdb-hb',
    name: 'Hasselbachplatz / Liebigstraße',
    kind: 'on_street',
    lat: 52.12178,
    lon: 11.63063,
    address: 'Hasselbachplatz, 39104 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.15,
    tags: ['paid', 'nightlife'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 1],
      ['motorcycle', 4],
      ['standard', 19],
    ],
  },
  {
    id: 'petrifoerder',
    sensorPrefix: 'mdb-pf',
    name: 'Wohnmobilstellplatz Petriförder',
    kind: 'rv_site',
    lat: 52.13551,
    lon: 11.64418,
    address: 'Petriförder 1, 39104 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.1,
    tags: ['elbe', 'riverside', 'dump_station', 'max-stay-3d'],
    heartbeatIntervalSeconds: 900,
    blocks: [['camper', 36, ['power', 'water']]],
  },
  {
    id: 'pr-messe',
    sensorPrefix: 'mdb-pr',
    name: 'P+R Messe / Elbauenpark',
    kind: 'park_and_ride',
    lat: 52.13944,
    lon: 11.67702,
    address: 'Tessenowstraße 9, 39114 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.1,
    tags: ['tram', 'free-of-charge'],
    heartbeatIntervalSeconds: 600,
    blocks: [],
    capacity: 76,
  },
  {
    id: 'pr-neustaedter-see',
    sensorPrefix: 'mdb-pn',
    name: 'P+R Neustädter See',
    kind: 'park_and_ride',
    lat: 52.17402,
    lon: 11.62847,
    address: 'Neustädter See, 39126 Magdeburg',
    openingHours: '24/7',
    almostFullThreshold: 0.1,
    tags: ['tram', 'free-of-charge'],
    heartbeatIntervalSeconds: 600,
    blocks: [
      ['disabled', 4],
      ['ev', 4],
      ['motorcycle', 4],
      ['standard', 48],
    ],
  },
];

/** Publisher and licence of the open-data exports. */
const openData = { publisher: 'Landeshauptstadt Magdeburg' };

/**
 * The city's car-park guidance system, as the simulator serves it (simulators/sensors/src/guidance-feed.ts);
 * `pnpm start` replaces the URL with the one the simulator's feed listens on.
 */
const sources = [
  {
    id: 'parkleitsystem',
    url: 'http://127.0.0.1:3001/datex2/parking-status',
    format: 'datex2-v3-status',
    pollIntervalSeconds: 30,
    idMap: { 'PR-MESSE': 'pr-messe' },
  },
];

/**
 * Real LoRaWAN devices of the shared samples (test/fixtures/lorawan/), each on a spot of a matching
 * facility, so the samples can be replayed against `pnpm start`: TTS v3 by device id, ChirpStack v4 by DevEUI,
 * each bound to the application (and tenant) of its sample, so that no other topic reaches it.
 */
const lorawanDevices: Record<string, { id: string; model: string; lorawan: Record<string, string> }> = {
  'breiter-weg-017': {
    id: 'bay-ulrich-017',
    model: 'occupied-voltage',
    lorawan: { network: 'tts', application: 'magdeburg-parking', tenant: 'city-md' },
  },
  'petrifoerder-004': {
    id: 'a84041000181c0de',
    model: 'occupied-voltage',
    lorawan: {
      network: 'chirpstack',
      application: '6f2d6a4e-1c1b-4d2a-9a51-3b1f0c7e9d10',
      tenant: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
      devEui: 'a84041000181c0de',
    },
  },
};

/** Builds the demo registry document (plain JSON, defaults spelled out). */
export function buildDemoRegistry(): unknown {
  const facilities = [];
  const sensors = [];
  for (const plan of plans) {
    const spots = [];
    let n = 0;
    for (const [category, count, amenities] of plan.blocks) {
      for (let i = 0; i < count; i++) {
        n++;
        const number = String(n).padStart(3, '0');
        const spotId = `${plan.id}-${number}`;
        spots.push(amenities ? { id: spotId, category, amenities } : { id: spotId, category });
        const device = lorawanDevices[spotId];
        sensors.push({
          id: device?.id ?? `${plan.sensorPrefix}-${number}`,
          kind: 'bay',
          spotId,
          model: device?.model ?? 'native',
          heartbeatIntervalSeconds: plan.heartbeatIntervalSeconds,
          ...(device ? { lorawan: device.lorawan } : {}),
        });
      }
    }
    const { id, name, kind, lat, lon, address, openingHours, almostFullThreshold, tags, capacity } = plan;
    facilities.push({
      id,
      name,
      kind,
      location: { lat, lon },
      address,
      openingHours,
      almostFullThreshold,
      tags,
      spots,
      ...(capacity === undefined ? {} : { capacity }),
    });
  }
  return { version: 1, facilities, sensors, openData, sources };
}

/** Pretty JSON with one line per spot and per sensor, so diffs stay reviewable. */
export function formatRegistry(document: unknown): string {
  const rows: string[] = [];
  const json = JSON.stringify(
    document,
    (key, value: unknown) => {
      if ((key === 'spots' || key === 'sensors') && Array.isArray(value)) {
        return value.map((item) => `\u0000${rows.push(JSON.stringify(item)) - 1}`);
      }
      return value;
    },
    2,
  );
  return `${json.replace(/"\\u0000(\d+)"/g, (_, i: string) => rows[Number(i)] ?? '')}\n`;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const document = buildDemoRegistry();
  const parsed = parseRegistry(document);
  if (!parsed.ok) {
    process.stderr.write(`generated registry is invalid:\n  ${parsed.issues.join('\n  ')}\n`);
    process.exit(1);
  }
  const target = fileURLToPath(new URL('./demo-magdeburg.json', import.meta.url));
  writeFileSync(target, formatRegistry(document));
  const spots = parsed.registry.facilities.reduce((sum, f) => sum + f.spots.length, 0);
  process.stderr.write(`wrote ${target}: ${parsed.registry.facilities.length} facilities, ${spots} spots\n`);
}
