import { randomBytes } from 'node:crypto';
import type { FacilityCache } from '../state/facility-cache.js';
import type { ClientQueue } from './client-queue.js';

export interface ChangeHub {
  /** Sequence number of the latest change seen by this process. */
  readonly seq: number;
  attach(client: ClientQueue): void;
  detach(client: ClientQueue): void;
  readonly clientCount: number;
  /** The SSE event id of a sequence number: `<process epoch>-<seq>`. */
  formatEventId(seq: number): string;
  /**
   * Changes after a `Last-Event-ID`, oldest first; null when the id is from another process or
   * older than the ring reaches (the client then needs a snapshot).
   */
  changesSince(lastEventId: string | undefined): Array<{ facilityId: string; seq: number }> | null;
  close(): void;
}

/** Numbers every facility change in this process and keeps the latest `ringSize` for resuming streams. */
export function createChangeHub(cache: FacilityCache, ringSize = 10_000): ChangeHub {
  const epoch = randomBytes(4).toString('hex');
  const ring: string[] = new Array(ringSize);
  let seq = 0;
  const clients = new Set<ClientQueue>();
  const unsubscribe = cache.subscribe((slot) => {
    seq += 1;
    ring[seq % ringSize] = slot.id;
    for (const client of clients) client.offer(slot.id, seq);
  });
  return {
    get seq() {
      return seq;
    },
    attach: (client) => void clients.add(client),
    detach: (client) => void clients.delete(client),
    get clientCount() {
      return clients.size;
    },
    formatEventId: (s) => `${epoch}-${s}`,
    changesSince(lastEventId) {
      const match = lastEventId?.trim().match(/^([0-9a-f]{8})-(\d{1,15})$/);
      if (!match || match[1] !== epoch) return null;
      const after = Number(match[2]);
      if (after > seq || after < seq - ringSize) return null;
      const out: Array<{ facilityId: string; seq: number }> = [];
      for (let s = after + 1; s <= seq; s++) out.push({ facilityId: ring[s % ringSize] as string, seq: s });
      return out;
    },
    close: () => {
      unsubscribe();
      for (const client of clients) client.close();
      clients.clear();
    },
  };
}
