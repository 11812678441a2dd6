/**
 * Which slot leases a worker should try to take and which it should give back (docs/scale-out.md).
 * A slot is one MQTT client id with a persistent session in the share group; its lease (a
 * PostgreSQL advisory lock) makes its holder the only one connecting with that id.
 *
 * - Its home slot: always wanted.
 * - Another slot: wanted while its lease is free and its home worker is away (nobody holds the
 *   slot's presence lock), so the session the broker keeps filling is drained, not dropped.
 * - Another slot held here whose home worker is back: given back, so the load spreads again.
 */
export function planLeases(input: {
  slots: readonly string[];
  home: string | undefined;
  /** Leases this worker holds. */
  held: ReadonlySet<string>;
  /** Slots whose home worker holds its presence lock (this worker's own home excluded). */
  homeElsewhere: ReadonlySet<string>;
}): { acquire: string[]; release: string[] } {
  const acquire: string[] = [];
  const release: string[] = [];
  for (const slot of input.slots) {
    const mine = slot === input.home;
    if (input.held.has(slot)) {
      if (!mine && input.homeElsewhere.has(slot)) release.push(slot);
    } else if (mine || !input.homeElsewhere.has(slot)) {
      acquire.push(slot);
    }
  }
  // Home first: a worker that is back takes its own session before helping with others.
  acquire.sort((a, b) => Number(b === input.home) - Number(a === input.home));
  return { acquire, release };
}

/** Advisory-lock key pair (two int4) of a slot's lease or presence lock; positive, so int4 and oid agree in pg_locks. */
export function lockKeys(kind: 'lease' | 'presence', slot: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < slot.length; i++) h = Math.imul(h ^ slot.charCodeAt(i), 0x01000193);
  return [kind === 'lease' ? LEASE_CLASS : PRESENCE_CLASS, (h >>> 0) & 0x7fffffff];
}

/** "FP" + 1 / 2: the first key of the pair, so other advisory locks of the database do not collide. */
export const LEASE_CLASS = 0x46500001;
export const PRESENCE_CLASS = 0x46500002;
