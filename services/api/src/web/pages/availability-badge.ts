import type { Counts, FacilityStatus } from '@freiplatz/domain';
import { html } from 'hono/html';
import { type Language, type MessageKey, translate } from '../i18n.js';
import type { Html } from '../layout.js';

/** Shape symbols so the status is never told by colour alone. */
export const STATUS_SYMBOL: Record<FacilityStatus, string> = {
  open: '●',
  almost_full: '◐',
  full: '■',
  closed: '✕',
  unknown: '?',
};

/** Free count, capacity and status as text plus symbol (the client script updates the same markup). */
export function renderAvailability(lang: Language, state: Counts & { status: FacilityStatus }): Html {
  const t = (key: MessageKey) => translate(lang, key);
  const free = state.status === 'unknown' ? '–' : String(state.free);
  return html`<p class="availability status-${state.status}">
  <span class="free-count">${free}</span>
  <span class="free-label">${t('free')} ${t('of')} <span class="capacity">${state.capacity}</span></span>
  <span class="status-label"><span class="status-symbol" aria-hidden="true">${STATUS_SYMBOL[state.status]}</span> <span class="status-text">${t(`status_${state.status}` as MessageKey)}</span></span>
</p>`;
}
