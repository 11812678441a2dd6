import type { FacilityRecord } from '@freiplatz/db';
import { html } from 'hono/html';
import { clientMessages, type Language, type MessageKey, translate } from '../i18n.js';
import { type Html, renderPage } from '../layout.js';
import { renderAvailability } from './availability-badge.js';

export interface MapOptions {
  /** Tile URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`; empty: no map. */
  tileUrl: string;
  attribution: string;
}

const FILTERS = [
  ['all', 'filterAll'],
  ['car', 'filterCar'],
  ['camper', 'filterCamper'],
  ['disabled', 'filterDisabled'],
  ['ev', 'filterEv'],
] as const satisfies ReadonlyArray<readonly [string, MessageKey]>;

const CLIENT_KEYS: MessageKey[] = [
  'free',
  'of',
  'noMatch',
  'locating',
  'locationDenied',
  'live',
  'offline',
  'updated',
  'distance',
  'status_open',
  'status_almost_full',
  'status_full',
  'status_closed',
  'status_unknown',
];

/** The public page: filters, a map, and the list of facilities with live numbers. */
export function renderPublicPage(lang: Language, facilities: FacilityRecord[], map: MapOptions): Html {
  const t = (key: MessageKey) => translate(lang, key);
  const sorted = [...facilities].sort((a, b) => a.name.localeCompare(b.name, lang));
  // Phone first: the filters in one row, then the list with its free counts, the map after it
  // (on wide screens the map stands left of the list, see app.css).
  const body = html`
<section class="controls" aria-label="${t('filterLegend')}">
  <fieldset class="filters">
    <legend>${t('filterLegend')}</legend>
    <div class="chips">
    ${FILTERS.map(
      ([value, key], i) =>
        html`<label class="chip"><input type="radio" name="filter" value="${value}" ${i === 0 ? 'checked' : ''}> ${t(key)}</label>`,
    )}
    </div>
  </fieldset>
  <button type="button" id="locate" class="button">${t('nearMe')}</button>
  <p id="locate-status" class="hint" role="status" aria-live="polite"></p>
</section>
<div class="layout${map.tileUrl ? '' : ' single'}">
  <section class="list-panel" aria-labelledby="list-heading">
    <div class="list-head">
      <h1 id="list-heading">${t('list')}</h1>
      <p id="connection" class="connection" role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span><span class="text">${t('live')}</span></p>
    </div>
    <ul id="facility-list" class="facility-list">
      ${sorted.map(
        (
          f,
        ) => html`<li class="facility" data-id="${f.id}" data-kind="${f.kind}" data-lat="${f.location.lat}" data-lon="${f.location.lon}" data-categories="${Object.keys(f.state.byCategory).join(' ')}">
  <div class="facility-head">
    <a class="facility-name" href="/facilities/${f.id}?lang=${lang}">${f.name}</a>
    <span class="kind">${t(`kind_${f.kind}` as MessageKey)}</span>
    <span class="distance" hidden></span>
  </div>
  ${renderAvailability(lang, f.state)}
</li>`,
      )}
    </ul>
    <p id="no-match" class="hint" hidden>${t('noMatch')}</p>
  </section>
  ${
    map.tileUrl
      ? html`<section class="map-panel" aria-label="${t('map')}">
    <div id="map" class="map"></div>
    <p id="map-fallback" class="hint" hidden>${t('mapUnavailable')} <span class="when-narrow">${t('mapFallbackListAbove')}</span><span class="when-wide">${t('mapFallbackListBeside')}</span></p>
  </section>`
      : ''
  }
</div>`;
  return renderPage({
    lang,
    title: `Freiplatz – ${t('tagline')}`,
    path: '/',
    body,
    styles: map.tileUrl ? ['/assets/leaflet/leaflet.css'] : [],
    scripts: [...(map.tileUrl ? ['/assets/leaflet/leaflet.js'] : []), '/assets/public.js'],
    data: {
      lang,
      map,
      messages: clientMessages(lang, CLIENT_KEYS),
      facilities: sorted.map((f) => ({
        id: f.id,
        name: f.name,
        lat: f.location.lat,
        lon: f.location.lon,
        almostFullThreshold: f.almostFullThreshold,
        byCategory: f.state.byCategory,
      })),
    },
  });
}
