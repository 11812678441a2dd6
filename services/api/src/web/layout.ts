import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type Language, translate } from './i18n.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageOptions {
  lang: Language;
  title: string;
  /** Path of this page, for the language switch link. */
  path: string;
  body: Html;
  scripts?: string[];
  styles?: string[];
  /** Data for the page's script, embedded as JSON (never executed). */
  data?: unknown;
  bodyClass?: string;
  /** Site header and skip link; off for full-screen pages such as signage. */
  chrome?: boolean;
}

/** Serialises data for a `<script type="application/json">` block without letting it end the element. */
export function jsonForHtml(data: unknown): string {
  return JSON.stringify(data).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');
}

/** The HTML shell shared by all pages: language, viewport, stylesheets, scripts. */
export function renderPage(o: PageOptions): Html {
  const other: Language = o.lang === 'de' ? 'en' : 'de';
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${o.title}</title>
<link rel="stylesheet" href="/assets/app.css">
${(o.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
</head>
<body class="${o.bodyClass ?? ''}">
${
  o.chrome === false
    ? ''
    : html`<a class="skip-link" href="#main">${o.lang === 'de' ? 'Zum Inhalt springen' : 'Skip to content'}</a>
<header class="site-header">
  <a class="brand" href="/?lang=${o.lang}">Freiplatz</a>
  <span class="tagline">${translate(o.lang, 'tagline')}</span>
  <a class="lang-switch" href="${o.path}?lang=${other}" hreflang="${other}" lang="${other}">${translate(o.lang, 'switchLanguage')}</a>
</header>`
}
<main id="main">${o.body}</main>
${o.data === undefined ? '' : html`<script type="application/json" id="page-data">${raw(jsonForHtml(o.data))}</script>`}
${(o.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</body>
</html>`;
}
