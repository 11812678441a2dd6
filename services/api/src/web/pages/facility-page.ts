import type { FacilityRecord } from '@freiplatz/db';
import { type CategoryAvailability, describeOpeningHours, type SpotCategory, spotCategories } from '@freiplatz/domain';
import { html } from 'hono/html';
import { clientMessages, type Language, type MessageKey, translate } from '../i18n.js';
import { type Html, renderPage } from '../layout.js';
import { renderAvailability, STATUS_SYMBOL } from './availability-badge.js';

/**
 * One facility: free now, counts per type of space, amenities, today's curve and the forecast.
 * With `category` (coming from a filtered list) the headline numbers are that category's, named.
 */
export function renderFacilityPage(lang: Language, f: FacilityRecord, amenities: string[], category: SpotCategory | null = null): Html {
  const t = (key: MessageKey) => translate(lang, key);
  // Below a category's headline, the chart and forecast are the whole facility's: they say so.
  const allSpaces = category ? ` ${t('allSpaces')}` : '';
  const views = f.state.byCategory;
  const categories = (Object.entries(views) as Array<[SpotCategory, CategoryAvailability]>).sort(
    ([a], [b]) => spotCategories.indexOf(a) - spotCategories.indexOf(b),
  );
  const body = html`<article class="facility-detail" data-id="${f.id}">
  <p><a href="/?lang=${lang}">← ${t('back')}</a></p>
  <h1>${f.name}</h1>
  <p class="kind">${t(`kind_${f.kind}` as MessageKey)}</p>
  ${
    category && views[category]
      ? html`<h2 class="category-headline">${t(`category_${category}` as MessageKey)}</h2><div id="live-availability" data-category="${category}">${renderAvailability(lang, views[category])}</div>`
      : html`<div id="live-availability">${renderAvailability(lang, f.state)}</div>`
  }
  <dl class="facts">
    ${f.address ? html`<dt>${t('address')}</dt><dd>${f.address}</dd>` : ''}
    ${f.openingHours ? html`<dt>${t('openingHours')}</dt><dd>${describeOpeningHours(f.openingHours, lang)}</dd>` : ''}
    <dt>${t('confidence')}</dt><dd>${Math.round(f.state.confidence * 100)} %</dd>
    ${amenities.length > 0 ? html`<dt>${t('amenities')}</dt><dd><ul class="amenities">${amenities.map((a) => html`<li>${t(`amenity_${a}` as MessageKey)}</li>`)}</ul></dd>` : ''}
  </dl>
  <h2>${t('categories')}</h2>
  <table class="categories">
    <thead><tr><th scope="col">${t('category')}</th><th scope="col">${t('free')}</th><th scope="col">${t('capacity')}</th><th scope="col">${t('status')}</th></tr></thead>
    <tbody>
      ${categories.map(
        ([c, n]) =>
          html`<tr class="status-${n.status}" data-category="${c}"><th scope="row" class="category-name">${t(`category_${c}` as MessageKey)}</th><td class="free-count-cell">${n.status === 'unknown' ? '–' : n.free}</td><td>${n.capacity}</td><td class="status-label"><span aria-hidden="true">${STATUS_SYMBOL[n.status]}</span> ${t(`status_${n.status}` as MessageKey)}</td></tr>`,
      )}
    </tbody>
  </table>
  <section aria-labelledby="chart-heading">
    <h2 id="chart-heading">${t('occupancyChart')}${allSpaces}</h2>
    <div id="chart" class="chart"><p class="hint">${t('noHistory')}</p></div>
  </section>
  <section aria-labelledby="forecast-heading">
    <h2 id="forecast-heading">${t('forecast')}${allSpaces}</h2>
    <ul id="forecast" class="forecast"></ul>
  </section>
</article>`;
  return renderPage({
    lang,
    title: `${f.name} – Freiplatz`,
    path: `/facilities/${f.id}`,
    body,
    scripts: ['/assets/facility.js'],
    data: {
      id: f.id,
      lang,
      capacity: f.state.capacity,
      messages: clientMessages(lang, ['today', 'typical', 'noHistory', 'forecastIn', 'expectedFree', 'free', 'of']),
    },
  });
}
