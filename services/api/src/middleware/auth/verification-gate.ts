/** Bounds how many costly checks (scrypt) run at once and how many may wait for a turn. */
export interface VerificationGate {
  /** Runs `task` in a slot, or returns `null` at once when every slot and every waiting place is taken. */
  run<T>(task: () => Promise<T>): Promise<T | null>;
  readonly active: number;
  readonly waiting: number;
}

/** A small semaphore: `concurrency` tasks at once, `queue` more waiting, the rest turned away. */
export function createVerificationGate({ concurrency, queue }: { concurrency: number; queue: number }): VerificationGate {
  let active = 0;
  const waiters: Array<() => void> = [];
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    async run(task) {
      if (active >= concurrency) {
        if (waiters.length >= queue) return null;
        // The slot is handed over by `release` without `active` dropping, so no one overtakes.
        await new Promise<void>((resolve) => waiters.push(resolve));
      } else {
        active += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
