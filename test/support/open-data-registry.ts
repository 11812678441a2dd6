import { parseRegistry, type Registry, spotCategories } from '@freiplatz/domain';
import { buildRegistry } from '@freiplatz/testing';

/** Every category (some bays heard), a closed one, one with all sensors silent, one counted by gates, one on-street. */
export function openDataRegistry(): Registry {
  const base = buildRegistry(
    { id: 'every', spots: [...spotCategories, ...spotCategories] },
    { id: 'shut', spots: 3 },
    { id: 'silent', spots: ['standard', 'standard', 'disabled'] },
    { id: 'street', kind: 'on_street', spots: 2 },
  );
  const parsed = parseRegistry({
    ...base,
    openData: { publisher: 'Landeshauptstadt Magdeburg' },
    facilities: [
      ...base.facilities,
      { id: 'gates', name: 'Parkhaus am Tor', kind: 'car_park', location: { lat: 52.12, lon: 11.62 }, capacity: 400 },
    ],
    sensors: [...base.sensors, { id: 'gates-in', kind: 'counter', facilityId: 'gates' }],
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.registry;
}
