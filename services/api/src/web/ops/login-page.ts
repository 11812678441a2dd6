import { html } from 'hono/html';
import type { Language } from '../i18n.js';
import { type Html, renderPage } from '../layout.js';
import { opsText } from './ops-i18n.js';

/** The sign-in form: the key goes in a POST body, never in a URL; `loginToken` binds the form to the sign-in cookie. */
export function renderLoginPage(lang: Language, loginToken: string, error?: string): Html {
  const t = (k: Parameters<typeof opsText>[1]) => opsText(lang, k);
  const body = html`<section class="login">
  <h1>${t('signInTitle')}</h1>
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <form method="post" action="/ops/login?lang=${lang}" autocomplete="off">
    <input type="hidden" name="login" value="${loginToken}">
    <label for="key">${t('keyLabel')}</label>
    <input id="key" name="key" type="password" required spellcheck="false" autocapitalize="off" aria-describedby="key-hint">
    <p id="key-hint" class="hint">${t('keyHint')}</p>
    <button type="submit" class="button">${t('signIn')}</button>
  </form>
</section>`;
  return renderPage({ lang, title: `Freiplatz – ${t('signInTitle')}`, path: '/ops', body });
}
