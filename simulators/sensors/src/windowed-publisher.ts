/** Where messages go: an mqtt.js client, or the simulator's per-sensor connections (broker-sessions.ts). */
export interface PublishTarget {
  /** `cb` gets an error when the broker refused the message (MQTT 5 PUBACK reason code ≥ 0x80) or it was not sent. */
  publish(topic: string, payload: string, options: { qos: 0 | 1 }, cb: (err?: Error) => void): void;
}

/** Publishes with at most `window` messages outstanding, so a slow broker slows the sender instead of filling memory. */
export interface WindowedPublisher {
  /** Resolves true once the message is handed to the client (waiting for a free slot first), false once closed. */
  send(topic: string, payload: string): Promise<boolean>;
  /** Refuses further sends and releases any sender waiting for a slot. */
  close(): void;
  /** Resolves when every outstanding message is acknowledged (QoS 1) or written (QoS 0), or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  counts(): { outstanding: number; completed: number; failed: number };
}

/** Wraps an mqtt.js client in a bounded in-flight window. */
export function createWindowedPublisher(
  client: PublishTarget,
  options: { qos: 0 | 1; window: number; onError?: (err: Error) => void },
): WindowedPublisher {
  let outstanding = 0;
  let completed = 0;
  let failed = 0;
  let waiters: Array<() => void> = [];
  let closed = false;

  const wake = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const waitForChange = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));

  return {
    async send(topic, payload) {
      while (outstanding >= options.window && !closed) await waitForChange();
      if (closed) return false;
      outstanding++;
      client.publish(topic, payload, { qos: options.qos }, (err) => {
        outstanding--;
        if (err) {
          failed++;
          options.onError?.(err);
        } else {
          completed++;
        }
        wake();
      });
      return true;
    },
    close() {
      closed = true;
      wake();
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (outstanding > 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([waitForChange(), new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
      return true;
    },
    counts: () => ({ outstanding, completed, failed }),
  };
}
