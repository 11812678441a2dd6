import { type Language, translate } from '../i18n.js';

const DAYS: Record<Language, Record<string, string>> = {
  de: { Mo: 'Mo', Tu: 'Di', We: 'Mi', Th: 'Do', Fr: 'Fr', Sa: 'Sa', Su: 'So', PH: 'feiertags' },
  en: { Mo: 'Mon', Tu: 'Tue', We: 'Wed', Th: 'Thu', Fr: 'Fri', Sa: 'Sat', Su: 'Sun', PH: 'public holidays' },
};
const RULE =
  /^((?:Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:[-,](?:Mo|Tu|We|Th|Fr|Sa|Su|PH))*)?\s*(off|closed|(?:\d{2}:\d{2}-\d{2}:\d{2})(?:,\d{2}:\d{2}-\d{2}:\d{2})*)?$/;

/**
 * Placeholder until the domain's describeOpeningHours(osm, locale) is wired in: OSM opening hours
 * in words for the common forms (`24/7`, `Mo-Sa 07:00-22:00; Su off`); anything else as written.
 */
export function describeHoursForPage(osm: string, lang: Language): string {
  if (osm.trim() === '24/7') return translate(lang, 'hoursAlways');
  const parts: string[] = [];
  for (const rule of osm
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const m = RULE.exec(rule);
    if (!m || (!m[1] && !m[2])) return osm;
    const days = m[1]
      ?.replace(/Mo|Tu|We|Th|Fr|Sa|Su|PH/g, (d) => DAYS[lang][d] ?? d)
      .replaceAll('-', '–')
      .replaceAll(',', ', ');
    const times =
      m[2] === undefined
        ? ''
        : m[2] === 'off' || m[2] === 'closed'
          ? translate(lang, 'hoursOff')
          : m[2]
              .split(',')
              .map((span) => {
                const [from = '', to = ''] = span.split('-');
                return translate(lang, 'hoursTime').replace('{from}', from).replace('{to}', to);
              })
              .join(', ');
    parts.push([days, times].filter(Boolean).join(' '));
  }
  return parts.join('; ');
}
