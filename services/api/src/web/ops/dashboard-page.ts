import type { FacilityRecord, RejectGroup } from '@freiplatz/db';
import { type HealthFlag, healthFlags } from '@freiplatz/domain';
import { html } from 'hono/html';
import type { AuthenticatedKey } from '../../middleware/auth/ops-env.js';
import { hasScope } from '../../ops/operator.js';
import type { SensorView } from '../../routes/ops/sensor-view.js';
import type { Language } from '../i18n.js';
import { type Html, renderPage } from '../layout.js';
import { renderBatteryChart } from './battery-chart.js';
import { type OpsKey, opsText } from './ops-i18n.js';

export interface DashboardData {
  key: AuthenticatedKey;
  csrf: string;
  sensors: SensorView[];
  facilities: FacilityRecord[];
  closedFacilities: Set<string>;
  rejects: RejectGroup[] | null;
  filter: HealthFlag | null;
  /** 1-based page of the fleet table. */
  page: number;
  now: Date;
  map: { tileUrl: string; attribution: string };
}

/** Rows per page of the fleet table: a screen or two, not a 12,000-pixel page. */
export const FLEET_PAGE_SIZE = 50;

function ago(lang: Language, iso: string | null, now: Date): string {
  if (!iso) return opsText(lang, 'never');
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** The operators' dashboard: health counts, problem map, fleet table, batteries, dead letters. */
export function renderDashboard(lang: Language, d: DashboardData): Html {
  const t = (k: OpsKey, vars?: Record<string, string | number>) => opsText(lang, k, vars);
  const flagText = (f: HealthFlag) => t(`health_${f}` as OpsKey);
  const counts = Object.fromEntries(healthFlags.map((f) => [f, d.sensors.filter((s) => s.health.includes(f)).length])) as Record<
    HealthFlag,
    number
  >;
  const healthy = d.sensors.filter((s) => s.health.length === 0).length;
  const shown = d.sensors
    .filter((s) => d.filter === null || s.health.includes(d.filter))
    .sort((a, b) => b.health.length - a.health.length || a.id.localeCompare(b.id));
  const pages = Math.max(1, Math.ceil(shown.length / FLEET_PAGE_SIZE));
  const page = Math.min(Math.max(1, d.page), pages);
  const first = (page - 1) * FLEET_PAGE_SIZE;
  const rows = shown.slice(first, first + FLEET_PAGE_SIZE);
  const pageLink = (p: number) => `/ops?${d.filter ? `health=${d.filter}&` : ''}page=${p}&lang=${lang}#fleet-h`;
  const canWrite = hasScope(d.key, 'registry:write');
  const location = new Map(d.facilities.map((f) => [f.id, f]));
  const problemsByFacility = new Map<string, number>();
  for (const s of d.sensors)
    if (s.health.length > 0 && s.facilityId) problemsByFacility.set(s.facilityId, (problemsByFacility.get(s.facilityId) ?? 0) + 1);
  const markers = [...problemsByFacility].flatMap(([id, n]) => {
    const f = location.get(id);
    return f ? [{ id, name: f.name, lat: f.location.lat, lon: f.location.lon, problems: n }] : [];
  });
  const volts = d.sensors.flatMap((s) => (s.battery === null ? [] : [s.battery]));

  const body = html`<section class="ops-head">
  <h1>${t('title')}</h1>
  <p>${t('signedInAs')} <strong>${d.key.name}</strong> – ${canWrite ? t('canWrite') : t('readOnly')}</p>
  <form method="post" action="/ops/logout"><input type="hidden" name="csrf" value="${d.csrf}"><button class="button" type="submit">${t('signOut')}</button></form>
</section>
<section aria-labelledby="summary-h">
  <h2 id="summary-h">${t('summary')}</h2>
  <ul class="health-cards">
    <li><strong>${d.sensors.length}</strong> ${t('sensors')}</li>
    <li><strong>${healthy}</strong> ${t('healthy')}</li>
    ${healthFlags.map((f) => html`<li class="${counts[f] > 0 ? 'has-problems' : ''}"><a href="/ops?health=${f}&lang=${lang}"><strong>${counts[f]}</strong> ${flagText(f)}</a></li>`)}
  </ul>
</section>
<div class="ops-grid">
  <section aria-labelledby="map-h">
    <h2 id="map-h">${t('problems')}</h2>
    <div id="ops-map" class="map"></div>
    <ul class="problem-list">${markers.map((m) => html`<li>${m.name}: ${m.problems}</li>`)}</ul>
  </section>
  <section aria-labelledby="battery-h">
    <h2 id="battery-h">${t('batteryChart')}</h2>
    ${renderBatteryChart(volts, t('batteryChart'))}
  </section>
</div>
<section aria-labelledby="fleet-h">
  <h2 id="fleet-h">${t('fleet')}</h2>
  <nav class="filters" aria-label="${t('filter')}">
    <a href="/ops?lang=${lang}" ${d.filter === null ? 'aria-current="page"' : ''}>${t('all')}</a>
    ${healthFlags.map((f) => html`<a href="/ops?health=${f}&lang=${lang}" ${d.filter === f ? 'aria-current="page"' : ''}>${flagText(f)}</a>`)}
  </nav>
  <p class="hint">${t('shownOf', { from: shown.length === 0 ? 0 : first + 1, to: first + rows.length, total: shown.length })}</p>
  <div class="table-scroll"><table class="fleet">
    <thead><tr><th scope="col">${t('sensor')}</th><th scope="col">${t('facility')}</th><th scope="col">${t('spot')}</th><th scope="col">${t('health')}</th><th scope="col">${t('lastSeen')}</th><th scope="col">${t('battery')}</th><th scope="col">${t('rssi')}</th><th scope="col">${t('state')}</th></tr></thead>
    <tbody>${rows.map(
      (
        s,
      ) => html`<tr data-sensor="${s.id}"><th scope="row"><code>${s.id}</code></th><td>${s.facilityId ?? '–'}</td><td>${s.spotId ?? '–'}</td>
        <td>${s.health.length === 0 ? t('healthy') : s.health.map(flagText).join(', ')}</td><td>${ago(lang, s.lastSeenAt, d.now)}</td>
        <td>${s.battery === null ? (s.batteryLevel === null ? '–' : `${s.batteryLevel} %`) : `${s.battery.toFixed(2)} V`}</td><td>${s.rssi ?? '–'}</td>
        <td>${s.vehicles !== null ? s.vehicles : s.occupied === null ? '–' : s.occupied ? t('occupied') : t('free')}</td></tr>`,
    )}</tbody>
  </table></div>
  ${
    pages > 1
      ? html`<nav class="pager" aria-label="${t('pages')}">
    ${page > 1 ? html`<a class="button" rel="prev" href="${pageLink(page - 1)}">${t('previous')}</a>` : ''}
    <span>${t('pageOf', { page, pages })}</span>
    ${page < pages ? html`<a class="button" rel="next" href="${pageLink(page + 1)}">${t('next')}</a>` : ''}
  </nav>`
      : ''
  }
</section>
${
  d.rejects === null
    ? ''
    : html`<section aria-labelledby="rejects-h">
  <h2 id="rejects-h">${t('rejects')}</h2>
  ${
    d.rejects.length === 0
      ? html`<p>${t('none')}</p>`
      : html`<table class="rejects"><thead><tr><th scope="col">${t('reason')}</th><th scope="col">${t('count')}</th><th scope="col">${t('example')}</th></tr></thead>
  <tbody>${d.rejects.map((r) => html`<tr><th scope="row"><code>${r.code}</code></th><td>${r.count}</td><td>${r.samples[0] ? html`<code>${r.samples[0].topic}</code>: ${r.samples[0].reason}` : ''}</td></tr>`)}</tbody></table>`
  }
</section>`
}
${
  canWrite
    ? html`<section aria-labelledby="closures-h">
  <h2 id="closures-h">${t('closures')}</h2>
  <ul class="closures">${d.facilities.map((f) => {
    const closed = d.closedFacilities.has(f.id);
    const form = (label: string) =>
      html`<form method="post" action="/ops/facilities/${f.id}/closure?lang=${lang}"><input type="hidden" name="csrf" value="${d.csrf}"><input type="hidden" name="closed" value="${closed ? 'false' : 'true'}"><button class="button" type="submit">${label}</button></form>`;
    // Closing takes a second, explicit step (drivers see the place as closed at once); reopening does not.
    return closed
      ? html`<li><span>${f.name} – <strong>${t('closedNow')}</strong></span> ${form(t('reopen'))}</li>`
      : html`<li><span>${f.name}</span> <details class="confirm"><summary class="button">${t('closeAsk')}</summary><p>${t('closeConfirm', { name: f.name })}</p>${form(t('closeYes', { name: f.name }))}</details></li>`;
  })}</ul>
</section>`
    : ''
}`;
  return renderPage({
    lang,
    title: `Freiplatz – ${t('title')}`,
    path: '/ops',
    body,
    styles: ['/assets/leaflet/leaflet.css'],
    scripts: ['/assets/leaflet/leaflet.js', '/assets/ops.js'],
    data: { markers, map: d.map },
  });
}
