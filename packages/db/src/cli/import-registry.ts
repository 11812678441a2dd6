import { readFile } from 'node:fs/promises';
import { baseEnvSchema, createLogger, parseEnv } from '@freiplatz/config';
import { parseRegistry } from '@freiplatz/domain';
import { createDb } from '../connection.js';
import { migrate } from '../migrate.js';
import { importRegistry } from '../registry.repository.js';

const env = parseEnv(baseEnvSchema, process.env);
const logger = createLogger({ level: env.LOG_LEVEL, name: 'registry' });
const file = process.argv[2];
if (!file || file === '--help') {
  console.error('usage: pnpm registry:import FILE.json   (DATABASE_URL must point at the database)');
  process.exit(2);
}
if (!env.DATABASE_URL) {
  logger.fatal('DATABASE_URL must be set');
  process.exit(2);
}
let json: unknown;
try {
  json = JSON.parse(await readFile(file, 'utf8'));
} catch (err) {
  console.error(`${file}: cannot read as JSON: ${(err as Error).message}`);
  process.exit(1);
}
const parsed = parseRegistry(json);
if (!parsed.ok) {
  console.error(`${file}: not a valid registry:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}`);
  process.exit(1);
}
await migrate(env.DATABASE_URL);
const db = createDb({ connectionString: env.DATABASE_URL, max: 1 });
try {
  const result = await importRegistry(db, parsed.registry);
  logger.info(
    { facilities: result.facilities, spots: result.spots, sensors: result.sensors, changedFacilities: result.changedFacilities.length },
    'registry imported',
  );
} finally {
  await db.destroy();
}
