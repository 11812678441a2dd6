import type { FacilityRecord } from '@freiplatz/db';
import { html } from 'hono/html';
import { clientMessages, type Language, translate } from '../i18n.js';
import { type Html, renderPage } from '../layout.js';

/** Full-screen sign: the free count, readable from a distance; never an old number shown as fresh. */
export function renderSignagePage(lang: Language, f: FacilityRecord, staleSeconds = 25): Html {
  const { status } = f.state;
  const unknown = status === 'unknown' || status === 'closed';
  const label = translate(lang, !unknown ? 'free' : status === 'closed' ? 'closedLabel' : 'noData');
  const body = html`<div class="sign status-${unknown ? 'unknown no-data' : status}" id="sign">
  <h1 class="sign-name">${f.name}</h1>
  <p class="sign-count"><span id="count">${unknown ? '–' : f.state.free}</span><span id="trend" class="sign-trend"></span></p>
  <p class="sign-label" id="label">${label}</p>
  <p class="sign-marker" id="marker" role="status" hidden>${translate(lang, 'signageStale')}</p>
  <p class="sign-updated" id="updated"></p>
</div>`;
  return renderPage({
    lang,
    title: `${f.name} – Freiplatz`,
    path: `/signage/${f.id}`,
    body,
    chrome: false,
    bodyClass: 'signage',
    scripts: ['/assets/signage.js'],
    data: {
      id: f.id,
      lang,
      initial: { free: f.state.free, status: f.state.status },
      staleMs: staleSeconds * 1000,
      messages: clientMessages(lang, ['free', 'noData', 'closedLabel', 'signageStale', 'updated']),
    },
  });
}
