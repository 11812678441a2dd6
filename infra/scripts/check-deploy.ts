import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const INFRA = resolve(import.meta.dirname, '..');
const REPO = resolve(INFRA, '..');

interface ComposeService {
  networks?: string[];
  volumes?: string[];
  secrets?: string[];
  depends_on?: Record<string, unknown>;
  build?: { context: string; dockerfile: string };
  env_file?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** Reads infra/compose.yaml with YAML merge keys resolved, as docker compose does. */
export function readComposeFile(): ComposeFile {
  return parse(readFileSync(join(INFRA, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** Problems of the compose file: schema violations, dangling references, missing bind-mount sources (secrets/ excepted). */
export function checkComposeFile(compose: unknown = readComposeFile()): string[] {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  const validate = ajv.compile(JSON.parse(readFileSync(join(INFRA, 'compose.schema.json'), 'utf8')));
  if (!validate(compose)) return (validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message}`);
  const file = compose as ComposeFile;
  const problems: string[] = [];
  for (const [name, service] of Object.entries(file.services)) {
    for (const n of service.networks ?? [])
      if (!file.networks?.[n] && file.networks?.[n] !== null) problems.push(`${name}: unknown network ${n}`);
    for (const s of service.secrets ?? []) if (!file.secrets?.[s]) problems.push(`${name}: unknown secret ${s}`);
    for (const d of Object.keys(service.depends_on ?? {})) if (!file.services[d]) problems.push(`${name}: depends on unknown service ${d}`);
    for (const v of service.volumes ?? []) {
      const source = v.split(':')[0] ?? '';
      if (source.startsWith('.')) {
        if (!source.startsWith('./secrets/') && !existsSync(join(INFRA, source)))
          problems.push(`${name}: bind mount ${source} does not exist`);
      } else if (!(file.volumes && source in file.volumes)) problems.push(`${name}: unknown volume ${source}`);
    }
    if (service.build && !existsSync(join(INFRA, service.build.context, service.build.dockerfile))) {
      problems.push(`${name}: no Dockerfile ${service.build.dockerfile}`);
    }
  }
  return problems;
}

/** Sources of every COPY in a Dockerfile (build context = repository root) that do not exist. */
export function checkDockerfileCopies(dockerfile = join(INFRA, 'docker/Dockerfile')): { copies: string[]; missing: string[] } {
  const copies = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
    .flatMap((line) =>
      line
        .replace(/^COPY\s+/, '')
        .split(/\s+/)
        .slice(0, -1),
    );
  return { copies, missing: copies.filter((c) => !existsSync(join(REPO, c))) };
}

/** Prometheus targets `host:port` of infra/prometheus/prometheus.yml. */
export function readPrometheusTargets(): string[] {
  const config = parse(readFileSync(join(INFRA, 'prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
  };
  return config.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
}
