/** Weeks of history the profile looks back on. */
export const FORECAST_WEEKS = 4;
/** How far ahead a forecast may reach. */
export const FORECAST_MAX_HORIZON_MS = 7 * 86_400_000;
/** After this many hours, the present's deviation from the profile has faded to 1/e. */
export const FORECAST_PRESENT_TAU_HOURS = 2;

const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;

export interface ForecastWeek {
  /** Free spaces observed this many weeks before the target time (null: no data). */
  atTarget: number | null;
  /** Free spaces observed the same number of weeks before now (null: no data). */
  atNow: number | null;
}

export interface ForecastInput {
  now: Date;
  at: Date;
  capacity: number;
  /** The facility right now; null when its state is unknown. */
  present: { free: number; confidence: number } | null;
  /** Index 0 is one week back, 1 two weeks back, … */
  weeks: readonly ForecastWeek[];
}

export interface Forecast {
  /** Expected free spaces, clamped to [0, capacity]; null when there is nothing to go on. */
  free: number | null;
  /** 0..1: how much to trust `free`. */
  confidence: number;
  /** Weighted mean of the weeks at the target time. */
  profileFree: number | null;
  weeksUsed: number;
  /** Share of the present's deviation carried into the forecast (1 now, fading with the horizon). */
  presentWeight: number;
}

/** The instants whose observations `forecastFree` needs: for k = 1…weeks, `at` and `now` minus k weeks. */
export function forecastInstants(now: Date, at: Date, weeks = FORECAST_WEEKS): { atTarget: Date[]; atNow: Date[] } {
  const ks = Array.from({ length: weeks }, (_, i) => i + 1);
  return {
    atTarget: ks.map((k) => new Date(at.getTime() - k * WEEK_MS)),
    atNow: ks.map((k) => new Date(now.getTime() - k * WEEK_MS)),
  };
}

function weightedMean(values: ReadonlyArray<number | null>): { mean: number; weight: number; spread: number } | null {
  let sum = 0;
  let weight = 0;
  values.forEach((v, k) => {
    if (v === null) return;
    const w = 0.5 ** k;
    sum += w * v;
    weight += w;
  });
  if (weight === 0) return null;
  const mean = sum / weight;
  let variance = 0;
  values.forEach((v, k) => {
    if (v !== null) variance += (0.5 ** k * (v - mean) ** 2) / weight;
  });
  return { mean, weight, spread: Math.sqrt(variance) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Forecasts free spaces at `at`: the weekday-and-time profile of recent weeks (each week half the
 * weight of the one after it), shifted by the present's deviation from the profile, which fades
 * with the horizon as exp(-h / τ). Confidence blends the present's confidence (near term) with the
 * profile's coverage and week-to-week consistency (far term). Without a profile it falls back to
 * the present (persistence) with confidence fading over the horizon.
 */
export function forecastFree({ now, at, capacity, present, weeks }: ForecastInput): Forecast {
  const horizonHours = Math.max(0, (at.getTime() - now.getTime()) / HOUR_MS);
  const presentWeight = Math.exp(-horizonHours / FORECAST_PRESENT_TAU_HOURS);
  const clamp = (x: number) => Math.min(capacity, Math.max(0, Math.round(x)));
  const totalWeight = weeks.reduce((s, _, k) => s + 0.5 ** k, 0);
  const target = weightedMean(weeks.map((w) => w.atTarget));
  const weeksUsed = weeks.filter((w) => w.atTarget !== null).length;
  const presentConfidence = present?.confidence ?? 0;
  if (!target) {
    if (!present) return { free: null, confidence: 0, profileFree: null, weeksUsed: 0, presentWeight: round2(presentWeight) };
    return {
      free: clamp(present.free),
      confidence: round2(presentWeight * presentConfidence),
      profileFree: null,
      weeksUsed: 0,
      presentWeight: round2(presentWeight),
    };
  }
  const nowProfile = weightedMean(weeks.map((w) => w.atNow));
  const deviation = present && nowProfile ? present.free - nowProfile.mean : 0;
  const coverage = target.weight / totalWeight;
  const consistency = capacity > 0 ? Math.max(0, 1 - (2 * target.spread) / capacity) : 0;
  const profileConfidence = coverage * consistency;
  return {
    free: clamp(target.mean + presentWeight * deviation),
    confidence: round2(presentWeight * presentConfidence + (1 - presentWeight) * profileConfidence),
    profileFree: round2(target.mean),
    weeksUsed,
    presentWeight: round2(presentWeight),
  };
}
