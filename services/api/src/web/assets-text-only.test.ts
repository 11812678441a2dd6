import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, 'assets');
const scripts = readdirSync(dir).filter((name) => name.endsWith('.js'));

// Everything the page scripts insert is text: registry names and payloads must never become markup.
// The browser test test/browser/hostile-names.test.ts proves it with planted HTML; this keeps new
// code from reaching for an HTML sink in the first place.
const HTML_SINKS = [
  /\.(innerHTML|outerHTML)\s*[+]?=(?!=)/,
  /insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/,
  // Leaflet inserts string content as HTML; only DOM nodes may be passed.
  /\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(\s*[`'"]/,
];

describe('page scripts', () => {
  it('finds the scripts to check', () => {
    expect(scripts).toEqual(expect.arrayContaining(['facility.js', 'ops.js', 'public.js', 'signage.js']));
  });

  it.each(scripts)('%s inserts no text through an HTML sink', (name) => {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    const hits = lines.flatMap((line, i) => (HTML_SINKS.some((sink) => sink.test(line)) ? [`${name}:${i + 1}: ${line.trim()}`] : []));
    expect(hits).toEqual([]);
  });
});
