import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const read = (path: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8'));

/** One Ajv 2020 instance with the FIWARE parking schemas and their common schema registered by `$id` (no network). */
function createAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(read('schemas/fiware-parking/common-schema.json'));
  return ajv;
}

const ajv = createAjv();
const fiware = {
  OffStreetParking: ajv.compile(read('schemas/fiware-parking/OffStreetParking/schema.json')),
  OnStreetParking: ajv.compile(read('schemas/fiware-parking/OnStreetParking/schema.json')),
  ParkingSpot: ajv.compile(read('schemas/fiware-parking/ParkingSpot/schema.json')),
} as const;
ajv.addSchema(read('opendata/parkapi-v3.schema.json'));
const PARKAPI = 'https://freiplatz.example/schemas/parkapi-v3.schema.json';

const errorsOf = (validate: ValidateFunction, value: unknown) =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

/** Errors of a key-values entity against its FIWARE Smart Data Model (by its `type`). */
export function validateFiwareEntity(entity: { type?: unknown }): string[] {
  const validate = fiware[entity.type as keyof typeof fiware];
  if (!validate) return [`no FIWARE schema for type ${String(entity.type)}`];
  return errorsOf(validate, entity);
}

/** Errors of a ParkAPI v3 list against test/fixtures/opendata/parkapi-v3.schema.json. */
export function validateParkApi(kind: 'sitesList' | 'spotsList', list: unknown): string[] {
  return errorsOf(ajv.getSchema(`${PARKAPI}#/$defs/${kind}`) as ValidateFunction, list);
}
