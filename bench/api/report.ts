interface Figures {
  ceilingRps: number;
  availabilityRps: number;
  availability304Rps: number;
  nearRps: number;
  availabilityUnderIngestRps: number;
  sizedReferenceRps?: number;
  /** Median per-round ratios to the ceiling (older results lack them: value ÷ median ceiling then). */
  ratios?: Record<string, number>;
  facilities: number;
  scale?: Figures;
}

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** A hand-written SVG bar chart: req/s per scenario and ratio to the ceiling, normal and scale runs side by side. */
export function renderChart(doc: Figures): string {
  const runs = [doc, ...(doc.scale ? [doc.scale] : [])];
  const rows: Array<[string, keyof Figures, string]> = [
    ['bare Hono (ceiling)', 'ceilingRps', ''],
    ['availability 200', 'availabilityRps', 'availability'],
    ['availability 304', 'availability304Rps', 'availability304'],
    ['near search (50)', 'nearRps', 'near'],
    ['same-size body (reference)', 'sizedReferenceRps', 'sizedReference'],
    ['availability + ingest 2k/s', 'availabilityUnderIngestRps', 'availabilityUnderIngest'],
  ];
  const max = Math.max(...runs.map((r) => r.ceilingRps), 1);
  const barH = 16;
  const rowH = runs.length * (barH + 4) + 12;
  const width = 760;
  const left = 210;
  const plot = width - left - 150;
  const colors = ['#005a9c', '#e07b00'];
  let y = 50;
  const parts: string[] = [];
  for (const [label, key, ratioKey] of rows) {
    if (runs.every((run) => typeof run[key] !== 'number')) continue;
    parts.push(`<text x="10" y="${y + barH - 3}" font-size="13">${escapeXml(label)}</text>`);
    runs.forEach((run, i) => {
      const value = typeof run[key] === 'number' ? run[key] : 0;
      const w = Math.max(1, Math.round((value / max) * plot));
      const ratio = Math.round((run.ratios?.[ratioKey] ?? value / run.ceilingRps) * 100);
      parts.push(`<rect x="${left}" y="${y}" width="${w}" height="${barH}" fill="${colors[i]}"/>`);
      parts.push(`<text x="${left + w + 6}" y="${y + barH - 3}" font-size="12">${value.toLocaleString('en')} req/s (${ratio}%)</text>`);
      y += barH + 4;
    });
    y += rowH - runs.length * (barH + 4);
  }
  const legend = runs
    .map(
      (run, i) =>
        `<rect x="${left + i * 230}" y="22" width="12" height="12" fill="${colors[i]}"/><text x="${left + 18 + i * 230}" y="33" font-size="12">${run.facilities.toLocaleString('en')} facilities</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">
<text x="10" y="16" font-size="15" font-weight="bold">Freiplatz API, 50 connections on 127.0.0.1 (median req/s, median % of the ceiling beside each run)</text>
${legend}
${parts.join('\n')}
</svg>
`;
}
