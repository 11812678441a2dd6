import { type Db, importRegistry, insertAuditEntries, RegistryScopeError } from '@freiplatz/db';
import type { Registry } from '@freiplatz/domain';
import { hasScope, lacksScope, type OperatorRefusal, type OperatorRequest } from './operator.js';

export interface RegistryImportSummary {
  facilities: number;
  spots: number;
  sensors: number;
  sensorModels: number;
  changedFacilities: number;
}

export type RegistryImportResult = { ok: true; summary: RegistryImportSummary } | OperatorRefusal;

const list = (label: string, ids: readonly string[]) => (ids.length > 0 ? [`${label} ${ids.slice(0, 10).join(', ')}`] : []);

/**
 * Imports a registry as an operator, for every door: the key needs `registry:write`; a
 * facility-scoped key may write only its facilities and may not take over a spot or sensor that
 * lives elsewhere (checked in the import's transaction, nothing written) nor change what applies
 * city-wide (sensor models, sources, the open-data publisher).
 * The refusal names what the caller sent, never where it lives now. Audited as `registry.import`.
 */
export async function importRegistryAs(db: Db, req: OperatorRequest, registry: Registry): Promise<RegistryImportResult> {
  if (!hasScope(req.key, 'registry:write')) return lacksScope('registry:write');
  let result: Awaited<ReturnType<typeof importRegistry>>;
  try {
    result = await importRegistry(db, registry, req.now, { facilityIds: req.key.facilityIds });
  } catch (err) {
    if (!(err instanceof RegistryScopeError)) throw err;
    const what = [
      ...list('facilities', err.facilityIds),
      ...list('spots', err.spotIds),
      ...list('sensors', err.sensorIds),
      ...(err.cityWide.length > 0 ? [`${err.cityWide.join(', ')} (they apply city-wide)`] : []),
    ];
    return { ok: false, code: 'FORBIDDEN', message: `this API key may not write ${what.join('; ')}` };
  }
  const summary = {
    facilities: result.facilities,
    spots: result.spots,
    sensors: result.sensors,
    sensorModels: registry.sensorModels.length,
    changedFacilities: result.changedFacilities.length,
  };
  await insertAuditEntries(
    db,
    [
      {
        action: 'registry.import',
        keyId: req.key.id,
        method: req.method,
        path: req.path,
        status: req.okStatus,
        detail: { ...summary, facilityIds: registry.facilities.map((f) => f.id) },
      },
    ],
    req.now,
  );
  return { ok: true, summary };
}
