import { parseRegistry, type Registry } from '@freiplatz/domain';

/** A small city with both shared LoRaWAN sample devices, a short-heartbeat street and a counted garage. */
export function buildSensorsRegistry(): Registry {
  const parsed = parseRegistry({
    version: 1,
    facilities: [
      {
        id: 'ulrich',
        name: 'Ulrichplatz',
        kind: 'on_street',
        location: { lat: 52.128, lon: 11.632 },
        spots: [{ id: 'ulrich-17' }, { id: 'ulrich-18' }],
      },
      {
        id: 'petri',
        name: 'Petriförder',
        kind: 'rv_site',
        location: { lat: 52.134, lon: 11.645 },
        spots: [{ id: 'petri-4', category: 'camper' }],
      },
      {
        id: 'quick',
        name: 'Quick street',
        kind: 'on_street',
        location: { lat: 52.13, lon: 11.63 },
        spots: [{ id: 'quick-1' }, { id: 'quick-2' }],
      },
      { id: 'garage', name: 'Garage', kind: 'car_park', location: { lat: 52.13, lon: 11.63 }, capacity: 10 },
    ],
    sensors: [
      {
        id: 'bay-ulrich-017',
        spotId: 'ulrich-17',
        model: 'occupied-voltage',
        lorawan: { network: 'tts', application: 'magdeburg-parking', tenant: 'city-md' },
      },
      { id: 'ulrich-18-s', spotId: 'ulrich-18' },
      {
        id: 'a84041000181c0de',
        spotId: 'petri-4',
        model: 'occupied-voltage',
        heartbeatIntervalSeconds: 900,
        lorawan: {
          network: 'chirpstack',
          application: '6f2d6a4e-1c1b-4d2a-9a51-3b1f0c7e9d10',
          tenant: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
        },
      },
      { id: 'quick-1-s', spotId: 'quick-1', heartbeatIntervalSeconds: 10 },
      { id: 'quick-2-s', spotId: 'quick-2', heartbeatIntervalSeconds: 600 },
      { id: 'gate-in', kind: 'counter', facilityId: 'garage', heartbeatIntervalSeconds: 600 },
      { id: 'gate-out', kind: 'counter', facilityId: 'garage', heartbeatIntervalSeconds: 600 },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.registry;
}
