import { type Facility, parseRegistry, type Registry, type SpotCategory } from '@freiplatz/domain';

export interface FacilitySpec extends Partial<Omit<Facility, 'spots'>> {
  id: string;
  /** Spot categories in order; one bay sensor `<spot id>-s` per spot unless `withoutSensors`. */
  spots?: SpotCategory[] | number;
  withoutSensors?: boolean;
  heartbeatIntervalSeconds?: number;
}

/** Builds a valid registry: facility `x` gets spots `x-1…x-n` and sensors `x-1-s…`. */
export function buildRegistry(...specs: FacilitySpec[]): Registry {
  const input = {
    version: 1,
    facilities: specs.map(({ spots = 3, withoutSensors: _w, heartbeatIntervalSeconds: _h, ...f }) => ({
      name: `Facility ${f.id}`,
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      ...f,
      spots: (typeof spots === 'number' ? Array<SpotCategory>(spots).fill('standard') : spots).map((category, i) => ({
        id: `${f.id}-${i + 1}`,
        category,
      })),
    })),
    sensors: specs.flatMap((spec) =>
      spec.withoutSensors
        ? []
        : Array.from({ length: typeof spec.spots === 'number' ? spec.spots : (spec.spots?.length ?? 3) }, (_, i) => ({
            id: `${spec.id}-${i + 1}-s`,
            spotId: `${spec.id}-${i + 1}`,
            ...(spec.heartbeatIntervalSeconds ? { heartbeatIntervalSeconds: spec.heartbeatIntervalSeconds } : {}),
          })),
    ),
  };
  const parsed = parseRegistry(input);
  if (!parsed.ok) throw new Error(`buildRegistry: ${parsed.issues.join('; ')}`);
  return parsed.registry;
}
