// Publishes bay events at a fixed rate (QoS 1) to random registered sensors, for a bounded time
// (paused and resumed by the benchmark with SIGSTOP / SIGCONT).
import mqtt from 'mqtt';

const url = process.env.MQTT_URL as string;
const rate = Number(process.env.RATE ?? 2000);
const seconds = Number(process.env.SECONDS ?? 30);
const facilities = Number(process.env.FACILITIES ?? 2000);
const spots = Number(process.env.SPOTS ?? 10);

const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `bench-api-pub-${process.pid}` });
const tickMs = 10;
const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
let seq = 0;
let acked = 0;
const started = Date.now();
const deadline = started + seconds * 1000;
let next = started;
while (Date.now() < deadline) {
  for (let i = 0; i < perTick; i++) {
    const f = 1 + Math.floor(Math.random() * facilities);
    const s = 1 + Math.floor(Math.random() * spots);
    const sensor = `f${String(f).padStart(6, '0')}-${s}-s`;
    seq += 1;
    client.publish(`parking/v1/bays/${sensor}`, JSON.stringify({ occupied: Math.random() < 0.6, ts: Date.now(), seq }), { qos: 1 }, () => {
      acked += 1;
    });
  }
  next += tickMs;
  const wait = next - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  // Far behind (the benchmark paused this process with SIGSTOP): go on at the rate, no catch-up burst.
  else if (wait < -250) next = Date.now();
}
console.log(JSON.stringify({ sent: seq, acked, seconds: (Date.now() - started) / 1000 }));
await client.endAsync();
