import { ConfigError } from '@freiplatz/config';
import { StartupError } from '@freiplatz/db';

/**
 * One line saying what went wrong at start-up and what to do, for the failures a person can act on;
 * null for anything else (then the error is logged with its stack). `ports` names the variable of each port.
 */
export function describeStartupFailure(err: unknown, ports: Record<string, number>): string | null {
  if (err instanceof StartupError || err instanceof ConfigError) return err.message;
  const e = err as (NodeJS.ErrnoException & { port?: number; address?: string }) | null;
  if (e?.code === 'EADDRINUSE') {
    const variable = Object.entries(ports).find(([, port]) => port === e.port)?.[0] ?? Object.keys(ports).join(' or ');
    return `port ${e.port ?? '?'} on ${e.address ?? '127.0.0.1'} is already in use: stop what listens there, or set ${variable} to a free port`;
  }
  return null;
}
