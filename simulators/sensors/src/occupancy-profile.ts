import type { FacilityKind, SpotCategory } from '@freiplatz/domain';
import { camperCurve, dayCurves, interpolateCurve } from './day-curves.js';

/** Wall-clock reading in the city's time zone. */
export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Hours since local midnight, fractional. */
  hour: number;
  /** 1 = January … 12 = December. */
  month: number;
}

/** Target occupancy (0–1) and mean stay for one kind of spot at one moment. */
export interface SpotRates {
  target: number;
  meanStaySeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
const weekdayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Reads the local weekday, hour and month of an instant in a time zone. */
export function readLocalTime(ms: number, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(ms)) parts[part.type] = part.value;
  return {
    weekday: weekdayNames.indexOf(parts.weekday ?? 'Sun'),
    hour: Number(parts.hour) + Number(parts.minute) / 60,
    month: Number(parts.month),
  };
}

/** Target occupancy for a facility kind at a local time. */
export function computeTargetOccupancy(kind: FacilityKind, time: LocalTime): number {
  if (kind === 'rv_site') {
    const weekend = time.weekday === 5 || time.weekday === 6 ? 0.1 : 0;
    const season = time.month >= 6 && time.month <= 8 ? 0.15 : time.month >= 11 || time.month <= 3 ? -0.3 : 0;
    return clamp(interpolateCurve(camperCurve, time.hour) + weekend + season, 0.02, 0.97);
  }
  const days = dayCurves[kind];
  const curve = time.weekday === 0 ? days.sunday : time.weekday === 6 ? days.saturday : days.weekday;
  return interpolateCurve(curve, time.hour);
}

/** Mean time a vehicle occupies a spot of this kind and category, at a local time. */
export function computeMeanStaySeconds(kind: FacilityKind, category: SpotCategory, time: LocalTime): number {
  if (kind === 'rv_site' || category === 'camper') return 2 * DAY;
  const factor = category === 'motorcycle' ? 0.7 : category === 'ev' ? 0.8 : 1;
  switch (kind) {
    case 'car_park':
      return 2 * HOUR * factor;
    case 'on_street':
      return (time.hour >= 20 || time.hour < 7 ? 8 * HOUR : HOUR) * factor;
    case 'park_and_ride':
      return (time.hour >= 15 && time.hour < 20 ? 2.5 * HOUR : 9 * HOUR) * factor;
  }
}

/** Target occupancy and mean stay for a spot at a local time. */
export function computeSpotRates(kind: FacilityKind, category: SpotCategory, time: LocalTime): SpotRates {
  return { target: computeTargetOccupancy(kind, time), meanStaySeconds: computeMeanStaySeconds(kind, category, time) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
