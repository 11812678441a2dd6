import { ConfigError } from '@freiplatz/config';
import { StartupError } from '@freiplatz/db';
import { describe, expect, it } from 'vitest';
import { describeStartupFailure } from './startup-failure.js';

const ports = { PORT: 3000, MQTT_PORT: 1883, INGEST_METRICS_PORT: 9464 };
const inUse = (port: number) => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port, address: '127.0.0.1' });

describe('describeStartupFailure', () => {
  it('passes on the one line of a configuration the services refuse, and of the embedded database', () => {
    expect(describeStartupFailure(new ConfigError('INGEST_SLOTS needs MQTT_SHARE_GROUP'), ports)).toBe(
      'INGEST_SLOTS needs MQTT_SHARE_GROUP',
    );
    expect(describeStartupFailure(new StartupError('PostgreSQL port 54329 is already in use'), ports)).toBe(
      'PostgreSQL port 54329 is already in use',
    );
  });

  it('names the variable of a busy port, the ingest metrics port included', () => {
    expect(describeStartupFailure(inUse(9464), ports)).toBe(
      'port 9464 on 127.0.0.1 is already in use: stop what listens there, or set INGEST_METRICS_PORT to a free port',
    );
    expect(describeStartupFailure(inUse(3000), ports)).toContain('set PORT to a free port');
  });

  it('leaves anything else to the log with its stack', () => {
    expect(describeStartupFailure(new Error('boom'), ports)).toBeNull();
  });
});
