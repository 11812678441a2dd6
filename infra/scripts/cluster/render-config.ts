import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const INFRA = fileURLToPath(new URL('../../', import.meta.url));

/** Applies every substitution, failing loudly when one no longer matches (the production file changed). */
function substitute(file: string, text: string, substitutions: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [from, to] of substitutions) {
    if (!out.includes(from)) throw new Error(`infra/${file} no longer contains "${from.trim()}"`);
    out = out.replaceAll(from, to);
  }
  return out;
}

/**
 * infra/mosquitto/mosquitto.conf with local paths and a loopback port, nothing else changed (plus
 * `overrides`: more exact substitutions, e.g. a lower queue limit for a test).
 */
export function renderMosquittoConfig(options: {
  /** Holds passwd and acl (broker-files.ts) and the persistence directory data/. */
  dir: string;
  certDir: string;
  port: number;
  overrides?: Record<string, string>;
}): string {
  return substitute('mosquitto/mosquitto.conf', readFileSync(`${INFRA}mosquitto/mosquitto.conf`, 'utf8'), [
    ['/mosquitto/config/passwd', `${options.dir}/passwd`],
    ['/mosquitto/config/acl', `${options.dir}/acl`],
    ['/mosquitto/certs/', `${options.certDir}/`],
    ['/mosquitto/data/', `${options.dir}/data/`],
    ['\nlistener 8883\n', `\nlistener ${options.port} 127.0.0.1\n`],
    ['\nlog_dest stdout\n', '\nlog_dest stderr\n'],
    ...Object.entries(options.overrides ?? {}),
  ]);
}

/**
 * infra/nginx/nginx.conf for Debian's nginx on 127.0.0.1: the API replicas' addresses, the
 * proxy's port and certificate, files under `dir`, and loopback as the admin network.
 */
export function renderNginxConfig(options: { dir: string; certDir: string; port: number; apiPorts: readonly [number, number] }): string {
  const [a, b] = options.apiPorts;
  return substitute('nginx/nginx.conf', readFileSync(`${INFRA}nginx/nginx.conf`, 'utf8'), [
    ['pid /tmp/nginx.pid;', `pid ${options.dir}/nginx.pid;`],
    ['_temp_path /tmp/', `_temp_path ${options.dir}/`],
    ['access_log /dev/stdout;', `access_log ${options.dir}/access.log;`],
    ['server api-1:3000', `server 127.0.0.1:${a}`],
    ['server api-2:3000', `server 127.0.0.1:${b}`],
    ['listen 8443 ssl http2;', `listen 127.0.0.1:${options.port} ssl http2;`],
    ['/etc/nginx/certs/server.crt', `${options.certDir}/proxy.crt`],
    ['/etc/nginx/certs/server.key', `${options.certDir}/proxy.key`],
    ['include /etc/nginx/proxy_params.conf;', `include ${INFRA}nginx/proxy_params.conf;`],
    ['allow 10.0.0.0/8;', 'allow 127.0.0.1;'],
  ]);
}
