import mqtt from 'mqtt';

/** What the bench tells one publisher process (over IPC). */
export interface PublisherJob {
  url: string;
  /** Sensor ids this publisher plays, round-robin. */
  sensorIds: string[];
  /** First `seq`; each phase uses its own range so every (sensorId, seq) is unique. */
  seqBase: number;
  /** `max`: as fast as credit allows; `rate`: this many events per second. */
  mode: 'max' | 'rate';
  ratePerSec: number;
  maxEvents: number;
  maxMs: number;
  /** Publishes in flight (awaiting the broker's PUBACK) at most. */
  window: number;
}

export type PublisherMessage = { type: 'progress'; acked: number } | { type: 'done'; acked: number; attempted: number; failed: number };

// Runs as a child process: `node --import tsx bench/ingest/publisher.ts`, job sent over IPC.
if (process.send) {
  let credit = Number.POSITIVE_INFINITY;
  process.on('message', (msg: { type: 'job'; job: PublisherJob } | { type: 'credit'; upTo: number } | { type: 'stop' }) => {
    if (msg.type === 'credit') credit = msg.upTo;
    else if (msg.type === 'stop') stopped = true;
    else void run(msg.job);
  });
  let stopped = false;
  const send = (m: PublisherMessage) => {
    if (process.connected) process.send?.(m);
  };
  // The bench went away (finished or failed): stop, never outlive it.
  process.on('disconnect', () => process.exit(0));

  const run = async (job: PublisherJob) => {
    const client = await mqtt.connectAsync(job.url, { protocolVersion: 5, reconnectPeriod: 500 });
    if (job.mode === 'max') credit = Math.min(credit, job.window);
    let attempted = 0;
    let acked = 0;
    let failed = 0;
    let inFlight = 0;
    const started = Date.now();
    const n = job.sensorIds.length;
    const topics = job.sensorIds.map((id) => `parking/v1/bays/${id}`);
    const progress = setInterval(() => send({ type: 'progress', acked }), 250);
    let wake: (() => void) | null = null;
    const onAck = (err?: Error) => {
      inFlight -= 1;
      if (err) failed += 1;
      else acked += 1;
      if (wake && inFlight < job.window / 2) {
        const w = wake;
        wake = null;
        w();
      }
    };
    while (!stopped && attempted < job.maxEvents && Date.now() - started < job.maxMs) {
      const due =
        job.mode === 'rate'
          ? Math.floor(((Date.now() - started) / 1000) * job.ratePerSec)
          : Math.min(credit, attempted + job.window - inFlight);
      const upTo = Math.min(due, job.maxEvents);
      while (attempted < upTo && inFlight < job.window) {
        const i = attempted % n;
        const seq = job.seqBase + Math.floor(attempted / n);
        const payload = `{"occupied":${(seq + i) % 3 === 0},"ts":${Date.now()},"seq":${seq},"battery":3.61,"rssi":-97}`;
        inFlight += 1;
        attempted += 1;
        client.publish(topics[i] as string, payload, { qos: 1 }, onAck);
      }
      if (inFlight >= job.window) await new Promise<void>((r) => (wake = r));
      else await new Promise((r) => setTimeout(r, job.mode === 'rate' ? 5 : 2));
    }
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    clearInterval(progress);
    await client.endAsync();
    send({ type: 'done', acked, attempted, failed });
    if (process.connected) process.disconnect();
  };
}
