import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';

const defaults = { url: 'mqtt://127.0.0.1:1883', registryPath: '/repo/registry/demo-magdeburg.json' };

describe('parseCliArgs', () => {
  it('uses the defaults and runs unbounded without flags', () => {
    expect(parseCliArgs([], defaults)).toEqual({
      ok: true,
      help: false,
      options: { url: defaults.url, registryPath: defaults.registryPath, speed: 1, qos: 1, seed: 1, format: 'native', faults: {} },
    });
  });

  it('reads every flag', () => {
    const argv = [
      '--url',
      'mqtts://b:8883',
      '--registry',
      'x.json',
      '--speed',
      '60',
      '--qos',
      '0',
      '--duration',
      '30',
      '--events',
      '500',
      '--seed',
      '9',
      '--format',
      'tts',
      '--faults',
      'die=0.1,garbage=0.01',
    ];
    expect(parseCliArgs(argv, defaults)).toEqual({
      ok: true,
      help: false,
      options: {
        url: 'mqtts://b:8883',
        registryPath: 'x.json',
        speed: 60,
        qos: 0,
        durationSeconds: 30,
        maxEvents: 500,
        seed: 9,
        format: 'tts',
        faults: { die: 0.1, garbage: 0.01 },
      },
    });
  });

  it.each([['--help'], ['-h']])('asks for help with %s', (flag) => {
    expect(parseCliArgs([flag], defaults)).toEqual({ ok: true, help: true });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /positional/i],
    [['--speed', '0'], /--speed must be a number > 0/],
    [['--speed', 'fast'], /--speed must be a number > 0, got "fast"/],
    [['--qos', '2'], /--qos must be 0 or 1/],
    [['--events', '1.5'], /--events must be an integer > 0/],
    [['--duration', '-3'], /--duration/],
    [['--url', 'http://x'], /--url must be a broker URL/],
    [['--seed', ''], /--seed must be an integer/],
    [['--format', 'lora'], /--format must be one of native, tts, chirpstack/],
    [['--faults', 'melt=0.1'], /unknown fault "melt"/],
    [['--faults', 'die=2'], /die must be a rate from 0 to 1/],
  ])('rejects %j with a clear message', (argv, message) => {
    const result = parseCliArgs(argv, defaults);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});

describe('parseCliArgs: production broker options', () => {
  it('reads the MQTT version, the CA file and the credentials CSV', () => {
    const result = parseCliArgs(['--mqtt-version', '5', '--ca', 'ca.crt', '--credentials', 'issued.csv'], defaults);
    expect(result).toMatchObject({ ok: true, options: { mqttVersion: 5, caFile: 'ca.crt', credentialsFile: 'issued.csv' } });
  });

  it('refuses an MQTT version other than 4 or 5', () => {
    expect(parseCliArgs(['--mqtt-version', '3'], defaults)).toEqual({ ok: false, message: '--mqtt-version must be 4 or 5, got "3"' });
  });
});
