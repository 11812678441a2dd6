import { createRequire } from 'node:module';
import type * as ohModule from 'opening_hours';

type OpeningHours = ohModule.opening_hours;
type OpeningHoursClass = typeof ohModule.opening_hours;

// Loaded on first use (~30 MiB and ~120 ms): every process imports this package, few read hours.
// Its CommonJS build exports the class itself.
let OpeningHoursCtor: OpeningHoursClass | undefined;
function openingHoursClass(): OpeningHoursClass {
  OpeningHoursCtor ??= createRequire(import.meta.url)('opening_hours') as OpeningHoursClass;
  return OpeningHoursCtor;
}

/** The time zone a facility's opening hours are read in unless the registry names another. */
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** Whether a facility is open at a moment, by its opening hours, and when that next changes. */
export interface OpeningHoursState {
  /** null without hours (always open as far as we know) or when the hours say "unknown" now. */
  openNow: boolean | null;
  /** The next moment `openNow` changes; null when it never does (24/7, no hours). */
  nextChange: Date | null;
}

const ALWAYS: OpeningHoursState = { openNow: null, nextChange: null };

// Parsing is the expensive part and a city has few distinct values: keep a bounded memo.
const parsed = new Map<string, OpeningHours>();
const MAX_PARSED = 1000;

/** Parses OSM opening_hours (the `opening_hours` evaluator, without public holidays: no region is known). */
function parse(osm: string): OpeningHours {
  let oh = parsed.get(osm);
  if (oh === undefined) {
    oh = new (openingHoursClass())(osm, null, { mode: 0, tag_key: 'opening_hours', map_value: false, warnings_severity: 4, locale: 'en' });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(osm, oh);
  }
  return oh;
}

/** Checks an OSM opening_hours value: null when the evaluator accepts it, else its complaint. */
export function checkOpeningHours(osm: string): string | null {
  try {
    parse(osm);
    return null;
  } catch (err) {
    return String(err).replace(/\s+/g, ' ').slice(0, 200);
  }
}

/** Checks an IANA time zone name (e.g. `Europe/Berlin`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallParts(instant: number, timeZone: string): number[] {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return [p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0];
}

/**
 * The evaluator reads a Date's local fields (the process's time zone); this Date's local fields
 * show the wall clock of `timeZone` at `instant`.
 */
function toWallClock(instant: Date, timeZone: string): Date {
  const [y, mo, d, h, mi, s] = wallParts(instant.getTime(), timeZone) as [number, number, number, number, number, number];
  return new Date(y, mo, d, h, mi, s, instant.getMilliseconds());
}

/** The instant at which `timeZone`'s wall clock shows the local fields of `wall`. */
function fromWallClock(wall: Date, timeZone: string): Date {
  const asUtc = Date.UTC(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes(), wall.getSeconds());
  const offsetAt = (t: number) => {
    const [y, mo, d, h, mi, s] = wallParts(t, timeZone) as [number, number, number, number, number, number];
    return Date.UTC(y, mo, d, h, mi, s) - Math.floor(t / 1000) * 1000;
  };
  // Twice: the first guess may sit on the other side of a daylight-saving change.
  let t = asUtc - offsetAt(asUtc);
  t = asUtc - offsetAt(t);
  return new Date(t);
}

// The answer holds from the moment evaluated until its next change: ingest evaluates a facility on
// every commit, so the last answer per value and zone is kept and reused within that span.
const answers = new Map<string, { from: number; until: number; state: OpeningHoursState }>();

/** Evaluates OSM opening hours at `now` in `timeZone`; without hours (or unreadable ones) nothing is known. */
export function evaluateOpeningHours(osm: string | null, now: Date, timeZone: string = DEFAULT_TIME_ZONE): OpeningHoursState {
  if (osm === null || osm.trim() === '') return ALWAYS;
  const key = `${timeZone}\u0000${osm}`;
  const t = now.getTime();
  const known = answers.get(key);
  if (known !== undefined && t >= known.from && t < known.until) return known.state;
  let oh: OpeningHours;
  try {
    oh = parse(osm);
  } catch {
    return ALWAYS;
  }
  const wall = toWallClock(now, timeZone);
  const next = oh.getNextChange(wall);
  const state: OpeningHoursState = {
    openNow: oh.getUnknown(wall) ? null : oh.getState(wall),
    nextChange: next === undefined ? null : fromWallClock(next, timeZone),
  };
  if (answers.size >= MAX_PARSED) answers.clear();
  answers.set(key, { from: t, until: state.nextChange?.getTime() ?? Number.POSITIVE_INFINITY, state });
  return state;
}

const ALWAYS_WORDS = { de: 'rund um die Uhr geöffnet', en: 'open 24/7' } as const;
const CLOSED_WORD = { de: 'geschlossen', en: 'closed' } as const;

/** OSM opening hours in words for people, e.g. `Montag-Samstag 07:00-22:00` / `Monday-Saturday 07:00-22:00`. */
export function describeOpeningHours(osm: string, locale: 'de' | 'en'): string {
  let oh: OpeningHours;
  try {
    oh = parse(osm);
  } catch {
    return osm;
  }
  if (osm.trim() === '24/7') return ALWAYS_WORDS[locale];
  return oh.prettifyValue({
    conf: {
      locale,
      date_format: 'long',
      rule_sep_string: '; ',
      print_semicolon: false,
      leave_off_closed: false,
      keyword_for_off_closed: CLOSED_WORD[locale],
    },
  } as never);
}
