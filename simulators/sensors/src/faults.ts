import { pickBetween, type Rng } from './rng.js';

/**
 * Faults the simulator can inject, each with a rate: `die`, `stick`, `flap`, `skew`, `drain` are the
 * share of devices that get the fault; `garbage` is the share of messages replaced by bad payloads;
 * `stray` adds that share of devices the registry does not know (they show as `unassigned`).
 * Each is made to show within minutes of a start on a fresh database (see assignFaults).
 */
export const faultKinds = ['die', 'stick', 'flap', 'skew', 'garbage', 'drain', 'stray'] as const;
export type FaultKind = (typeof faultKinds)[number];
export type FaultRates = Partial<Record<FaultKind, number>>;

/** What is wrong with one device. */
export interface DeviceFaults {
  /** Real epoch ms from which the device says nothing more; null = never dies. */
  diesAtMs: number | null;
  /** Reports the state it had when it got stuck, whatever happens on the bay (heartbeats go on). */
  stuck: boolean;
  /** Its first report is dated this far back (a stuck device has been stuck since before the start). */
  firstReportAgoMs: number;
  /** Toggles its reported state this often; null = no flapping. */
  flapEveryMs: number | null;
  /** Its clock runs this far ahead. */
  skewMs: number;
  /** Volts lost per message (the normal drain is tiny); such a device starts at DRAINING_START_VOLTS. */
  drainPerMessage: number;
}

export const NO_FAULTS: DeviceFaults = {
  diesAtMs: null,
  stuck: false,
  firstReportAgoMs: 0,
  flapEveryMs: null,
  skewMs: 0,
  drainPerMessage: 0,
};

/** Battery a draining device starts with: its first report (less one drain step) is below the 3.3 V low-battery line. */
export const DRAINING_START_VOLTS = 3.31;

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

/**
 * Draws each device's faults from the rates so that each health rule shows within minutes: dead
 * devices never speak (a registered sensor never heard is `offline`), stuck ones date their first
 * report `stuckAfterMs(index)` back, flappers toggle every 10–30 s (12 changes within 2–6 min),
 * drainers start at 3.31 V and lose 0.02 V a message; clocks run 10–60 min ahead.
 */
export function assignFaults(
  count: number,
  rates: FaultRates,
  rng: Rng,
  startMs: number,
  stuckAfterMs: (index: number) => number = () => 49 * 3_600_000,
): DeviceFaults[] {
  return Array.from({ length: count }, (_, index) => {
    const stuck = rng() < (rates.stick ?? 0);
    return {
      diesAtMs: rng() < (rates.die ?? 0) ? startMs : null,
      stuck,
      firstReportAgoMs: stuck ? stuckAfterMs(index) : 0,
      flapEveryMs: rng() < (rates.flap ?? 0) ? Math.round(pickBetween(rng, 10_000, 30_000)) : null,
      skewMs: rng() < (rates.skew ?? 0) ? Math.round(pickBetween(rng, 10, 60) * 60_000) : 0,
      drainPerMessage: rng() < (rates.drain ?? 0) ? 0.02 : 0,
    };
  });
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
