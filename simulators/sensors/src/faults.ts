import { pickBetween, type Rng } from './rng.js';

/**
 * Faults the simulator can inject, each with a rate: `die`, `stick`, `flap`, `skew`, `drain` are the
 * share of devices that get the fault; `garbage` is the share of messages replaced by bad payloads.
 */
export const faultKinds = ['die', 'stick', 'flap', 'skew', 'garbage', 'drain'] as const;
export type FaultKind = (typeof faultKinds)[number];
export type FaultRates = Partial<Record<FaultKind, number>>;

/** What is wrong with one device. */
export interface DeviceFaults {
  /** Real epoch ms from which the device says nothing more; null = never dies. */
  diesAtMs: number | null;
  /** Reports the state it had when it got stuck, whatever happens on the bay (heartbeats go on). */
  stuck: boolean;
  /** Toggles its reported state this often; null = no flapping. */
  flapEveryMs: number | null;
  /** Its clock runs this far ahead. */
  skewMs: number;
  /** Volts lost per message (the normal drain is tiny). */
  drainPerMessage: number;
}

export const NO_FAULTS: DeviceFaults = { diesAtMs: null, stuck: false, flapEveryMs: null, skewMs: 0, drainPerMessage: 0 };

/** Parses `die=0.02,flap=0.01,…`; every mistake comes back as a message. */
export function parseFaultRates(raw: string): { ok: true; rates: FaultRates } | { ok: false; message: string } {
  const rates: FaultRates = {};
  for (const part of raw.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    if (!(faultKinds as readonly string[]).includes(name ?? '')) {
      return { ok: false, message: `--faults: unknown fault "${name}" (${faultKinds.join(', ')})` };
    }
    const rate = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      return { ok: false, message: `--faults: ${name} must be a rate from 0 to 1, got "${value ?? ''}"` };
    }
    rates[name as FaultKind] = rate;
  }
  return { ok: true, rates };
}

/** Draws each device's faults from the rates: deaths within the first `dieWithinMs`, skew of 10–60 min, flaps every 20–90 s. */
export function assignFaults(count: number, rates: FaultRates, rng: Rng, startMs: number, dieWithinMs = 10 * 60_000): DeviceFaults[] {
  return Array.from({ length: count }, () => ({
    diesAtMs: rng() < (rates.die ?? 0) ? startMs + pickBetween(rng, 0.1, 1) * dieWithinMs : null,
    stuck: rng() < (rates.stick ?? 0),
    flapEveryMs: rng() < (rates.flap ?? 0) ? Math.round(pickBetween(rng, 20_000, 90_000)) : null,
    skewMs: rng() < (rates.skew ?? 0) ? Math.round(pickBetween(rng, 10, 60) * 60_000) : 0,
    drainPerMessage: rng() < (rates.drain ?? 0) ? 0.02 : 0,
  }));
}

/** What a device with faults reports at `realMs`, given what the bay really is and what it said last. */
export function applyFaults(faults: DeviceFaults, trueOccupied: boolean, reported: boolean | null, realMs: number): boolean {
  if (faults.stuck && reported !== null) return reported;
  if (faults.flapEveryMs !== null) return Math.floor(realMs / faults.flapEveryMs) % 2 === 0;
  return trueOccupied;
}

const garbageMakers: Array<(rng: Rng) => string> = [
  () => '{"occupied": tru',
  (rng) => JSON.stringify({ occupied: rng() < 0.5 ? 'yes' : 1 }),
  () => JSON.stringify([1, 2, 3]),
  (rng) => String.fromCharCode(...Array.from({ length: 12 }, () => Math.floor(rng() * 32))),
  () => JSON.stringify({ occupied: true, ts: 'yesterday' }),
];

/** A bad payload of one of several kinds (cut JSON, wrong types, control bytes, bad dates). */
export function makeGarbage(rng: Rng): string {
  return garbageMakers[Math.floor(rng() * garbageMakers.length)]?.(rng) ?? '';
}
