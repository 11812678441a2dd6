import { parseArgs } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { readReplaySample, replaySample } from './replay.js';

export const replayUsage = `Usage: pnpm sim replay FILE [--url mqtt://127.0.0.1:1883]

Publishes a recorded message (a JSON file {"topic": "…", "payload": {…}}, as in test/fixtures/lorawan/)
at QoS 1 as of now: every timestamp in it is moved so that the newest is now, so the reading is newer
than what the sensor said before and moves its state.`;

/** \`pnpm sim replay FILE\`: publishes one sample as of now, says what it sent, and exits. */
export async function runReplay(argv: string[], defaultUrl: string, mqttOptions: IClientOptions): Promise<never> {
  let file: string | undefined;
  let url = defaultUrl;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(`${replayUsage}\n`);
      process.exit(0);
    }
    file = positionals[0];
    url = values.url ?? defaultUrl;
  } catch (err) {
    process.stderr.write(`sim replay: ${(err as Error).message}\n\n${replayUsage}\n`);
    process.exit(2);
  }
  if (!file) {
    process.stderr.write(`sim replay: which file?\n\n${replayUsage}\n`);
    process.exit(2);
  }
  try {
    const sample = await readReplaySample(file);
    const { shiftedByMs } = await replaySample(url, sample, mqttOptions);
    const by = Math.round(shiftedByMs / 60_000);
    process.stderr.write(`sim replay: sent ${sample.topic} (times moved ${by >= 0 ? '+' : ''}${by} min to now)\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`sim replay: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
