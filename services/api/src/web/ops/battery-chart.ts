import { html } from 'hono/html';
import type { Html } from '../layout.js';

const BINS = [
  { label: '< 3.0 V', max: 3.0 },
  { label: '3.0–3.2 V', max: 3.2 },
  { label: '3.2–3.4 V', max: 3.4 },
  { label: '3.4–3.6 V', max: 3.6 },
  { label: '≥ 3.6 V', max: Number.POSITIVE_INFINITY },
];

/** Histogram of battery voltages as an SVG bar chart, with the numbers as text too. */
export function renderBatteryChart(volts: number[], title: string): Html {
  const counts = BINS.map(() => 0);
  for (const v of volts) {
    const i = BINS.findIndex((b) => v < b.max);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const max = Math.max(1, ...counts);
  const w = 80;
  return html`<figure class="battery-chart">
  <svg viewBox="0 -20 ${BINS.length * (w + 10)} 210" role="img" aria-label="${title}">
    ${BINS.map((b, i) => {
      const h = Math.round(((counts[i] ?? 0) / max) * 140);
      const x = i * (w + 10);
      return html`<rect x="${x}" y="${150 - h}" width="${w}" height="${h}" class="bar${i < 2 ? ' low' : ''}"></rect>
    <text x="${x + w / 2}" y="${145 - h}" text-anchor="middle" class="axis">${counts[i]}</text>
    <text x="${x + w / 2}" y="170" text-anchor="middle" class="axis">${b.label}</text>`;
    })}
  </svg>
  <figcaption>${title} (${volts.length})</figcaption>
</figure>`;
}
