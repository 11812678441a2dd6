import { type LorawanBinding, lorawanBindingSchema, type SensorModel, sensorModelSchema } from '@freiplatz/domain';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** Stores registry-defined sensor models (built-in models live in @freiplatz/domain). */
export async function upsertSensorModels(db: Kysely<Database>, models: readonly SensorModel[], now: Date): Promise<void> {
  if (models.length === 0) return;
  await db
    .insertInto('sensor_models')
    .values(models.map((m) => ({ id: m.id, definition: JSON.stringify(m), updated_at: now })))
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ definition: eb.ref('excluded.definition'), updated_at: now })))
    .execute();
}

/** Registry models by id; a stored definition that no longer validates is skipped. */
export async function listSensorModels(db: Kysely<Database>): Promise<Map<string, SensorModel>> {
  const rows = await db.selectFrom('sensor_models').select(['id', 'definition']).execute();
  const models = new Map<string, SensorModel>();
  for (const row of rows) {
    const parsed = sensorModelSchema.safeParse(row.definition);
    if (parsed.success) models.set(row.id, parsed.data);
  }
  return models;
}

/** What ingest's decoders need of every registered sensor: its kind, model id and LoRaWAN binding. */
export interface SensorDirectoryRow {
  id: string;
  kind: 'bay' | 'counter';
  model: string;
  lorawan: LorawanBinding | null;
}

/**
 * Every registered sensor with its kind, model id and LoRaWAN binding. A stored binding that no
 * longer validates binds the sensor to no application at all (reachable from no topic), never to none.
 */
export async function listSensorDirectory(db: Kysely<Database>): Promise<SensorDirectoryRow[]> {
  const rows = await db.selectFrom('sensors').select(['id', 'kind', 'model', 'lorawan']).execute();
  return rows.map((r) => {
    const lorawan = r.lorawan === null ? null : lorawanBindingSchema.safeParse(r.lorawan);
    return {
      id: r.id,
      kind: r.kind === 'counter' ? 'counter' : 'bay',
      model: r.model,
      lorawan: lorawan === null ? null : lorawan.success ? lorawan.data : { network: 'tts', application: '' },
    };
  });
}
