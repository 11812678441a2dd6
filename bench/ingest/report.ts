import { mkdirSync, writeFileSync } from 'node:fs';
import type { RateSample } from './pipeline.js';

export interface IngestBenchResult {
  quick: boolean;
  machine: { cpus: number; node: string };
  sustainedEventsPerSec: number;
  brokerCeilingPerSec: number;
  dbCeilingRowsPerSec: number;
  p50VisibleMs: number;
  p99VisibleMs: number;
  workerPeakRssMiB: number;
  outagePeakRssMiB: number;
  lost: number;
  ratios: { pipelineToBroker: number; pipelineToDb: number };
  details: Record<string, unknown>;
  series: { pipeline: RateSample[]; outage: RateSample[] };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The table printed at the end of `pnpm bench:ingest`. */
export function formatTable(r: IngestBenchResult, targets: { sustained: number; p99: number; rss: number; outageRss: number }): string {
  const rows: Array<[string, string, string]> = [
    ['(a) broker ceiling, counting subscriber, QoS 1', `${fmt(r.brokerCeilingPerSec)} msg/s`, ''],
    ['(b) database ceiling, COPY', `${fmt(r.dbCeilingRowsPerSec)} rows/s`, ''],
    ['(c) full pipeline, sustained', `${fmt(r.sustainedEventsPerSec)} events/s`, `≥ ${fmt(targets.sustained)}`],
    ['    (c)/(a)', `${fmt(r.ratios.pipelineToBroker * 100, 1)} %`, '≥ 45 %'],
    ['    (c)/(b)', `${fmt(r.ratios.pipelineToDb * 100, 1)} %`, ''],
    ['(d) publish→visible p50 at 5,000/s', `${fmt(r.p50VisibleMs, 1)} ms`, ''],
    ['(d) publish→visible p99 at 5,000/s', `${fmt(r.p99VisibleMs, 1)} ms`, `≤ ${targets.p99} ms`],
    ['worker peak RSS, full rate', `${fmt(r.workerPeakRssMiB)} MiB`, `≤ ${targets.rss} MiB`],
    ['worker peak RSS, database outage', `${fmt(r.outagePeakRssMiB)} MiB`, `≤ ${targets.outageRss} MiB`],
    ['lost (published and acknowledged, not stored)', String(r.lost), '= 0'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`).join('\n');
}

function polyline(
  samples: RateSample[],
  x0: number,
  y0: number,
  w: number,
  h: number,
  tMax: number,
  yMax: number,
  pick: (s: RateSample) => number,
) {
  return samples.map((s) => `${(x0 + (s.t / tMax) * w).toFixed(1)},${(y0 + h - (pick(s) / yMax) * h).toFixed(1)}`).join(' ');
}

function panel(title: string, samples: RateSample[], y: number, brokerCeiling: number | null): string {
  const x0 = 70;
  const w = 620;
  const h = 180;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const yMax = Math.max(1, ...samples.map((s) => s.rate), brokerCeiling ?? 0) * 1.1;
  const rssMax = Math.max(1, ...samples.map((s) => s.rssMiB)) * 1.2;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const ty = y + h - f * h;
    return `<line x1="${x0}" y1="${ty}" x2="${x0 + w}" y2="${ty}" stroke="#eee"/><text x="${x0 - 6}" y="${ty + 4}" text-anchor="end">${fmt(f * yMax)}</text>`;
  });
  const ceiling =
    brokerCeiling === null
      ? ''
      : `<line x1="${x0}" y1="${y + h - (brokerCeiling / yMax) * h}" x2="${x0 + w}" y2="${y + h - (brokerCeiling / yMax) * h}" stroke="#999" stroke-dasharray="4 4"/>` +
        `<text x="${x0 + w - 4}" y="${y + h - (brokerCeiling / yMax) * h - 4}" text-anchor="end" fill="#666">broker ceiling</text>`;
  return [
    `<text x="${x0}" y="${y - 10}" font-weight="bold">${title}</text>`,
    ...ticks,
    ceiling,
    `<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="${polyline(samples, x0, y, w, h, tMax, yMax, (s) => s.rate)}"/>`,
    `<polyline fill="none" stroke="#d97706" stroke-width="1.5" points="${polyline(samples, x0, y, w, h, tMax, rssMax, (s) => s.rssMiB)}"/>`,
    `<line x1="${x0}" y1="${y + h}" x2="${x0 + w}" y2="${y + h}" stroke="#333"/>`,
    `<text x="${x0 + w}" y="${y + h + 16}" text-anchor="end">${fmt(tMax)} s</text><text x="${x0}" y="${y + h + 16}">0 s</text>`,
    `<text x="${x0 + w + 6}" y="${y + 12}" fill="#d97706">RSS ≤ ${fmt(rssMax)} MiB</text>`,
  ].join('\n');
}

/** Writes bench/results/ingest.json and ingest.svg (committed events/s and worker RSS over time). */
export function writeResults(dir: string, r: IngestBenchResult): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/ingest.json`, `${JSON.stringify(r, null, 2)}\n`);
  const svg = [
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="820" height="560" font-family="sans-serif" font-size="11">',
    '<title>Freiplatz ingest benchmark: committed events per second and worker memory over time</title>',
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="70" y="20" font-size="14">Freiplatz ingest${r.quick ? ' (quick run)' : ''}: committed events/s (blue), worker RSS (orange)</text>`,
    panel(
      `(c) full pipeline at maximum sustained rate: ${fmt(r.sustainedEventsPerSec)} events/s`,
      r.series.pipeline,
      60,
      r.brokerCeilingPerSec,
    ),
    panel(`database outage at 2,000 events/s: peak RSS ${fmt(r.outagePeakRssMiB)} MiB`, r.series.outage, 330, null),
    '</svg>',
  ].join('\n');
  writeFileSync(`${dir}/ingest.svg`, `${svg}\n`);
}
