import { describe, expect, it } from 'vitest';
import { explainPostgresFailure } from './embedded-errors.js';

const base = { port: 54329, clusterDir: '/srv/app/.data/pg', exitCode: 1 };

describe('start-up failures of the embedded PostgreSQL in one line', () => {
  it('names a busy port and PG_PORT', () => {
    const output = `LOG:  could not bind IPv4 address "127.0.0.1": Address already in use
HINT:  Is another postmaster already running on port 54329? If not, wait a few seconds and retry.
WARNING:  could not create listen socket for "127.0.0.1"
FATAL:  could not create any TCP/IP sockets`;
    expect(explainPostgresFailure({ ...base, output }).message).toBe(
      'PostgreSQL port 54329 is already in use: stop what listens there, or set PG_PORT to a free port',
    );
  });

  it('names a data directory in use, its owner and DATA_DIR', () => {
    const output = `FATAL:  lock file "postmaster.pid" already exists
HINT:  Is another postmaster (PID 4711) running in data directory "/srv/app/.data/pg"?`;
    expect(explainPostgresFailure({ ...base, output }).message).toBe(
      'the data directory /srv/app/.data/pg is in use by another PostgreSQL (pid 4711): stop that one (another "pnpm start"?), or set DATA_DIR to another directory',
    );
  });

  it('passes on the last FATAL line of anything else, in one line', () => {
    const output =
      'LOG:  starting\nFATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version 15';
    const message = explainPostgresFailure({ ...base, output }).message;
    expect(message).toBe(
      'PostgreSQL (data /srv/app/.data/pg, port 54329) stopped during start-up: FATAL:  database files are incompatible with server',
    );
    expect(message).not.toContain('\n');
  });
});
