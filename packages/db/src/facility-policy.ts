import {
  type CategoryCounts,
  evaluateOpeningHours,
  type FacilityAvailability,
  type StatusPolicy,
  summarizeFacility,
} from '@freiplatz/domain';
import { sql } from 'kysely';

/** What a facility's status depends on besides its counts, as the registry set it (migration 0016). */
export interface FacilityPolicy {
  almostFullThreshold: number;
  minKnownShare: number;
  openingHours: string | null;
  timeZone: string;
}

/** The `facilities` columns of a FacilityPolicy, for a row aliased `alias`. */
export const policyColumns = (alias: string) =>
  sql`${sql.ref(`${alias}.almost_full_threshold`)} AS almost_full_threshold, ${sql.ref(`${alias}.min_known_share`)} AS min_known_share,
    ${sql.ref(`${alias}.opening_hours`)} AS opening_hours, ${sql.ref(`${alias}.time_zone`)} AS time_zone`;

export interface PolicyRow {
  almost_full_threshold: number;
  min_known_share: number;
  opening_hours: string | null;
  time_zone: string;
}

export const toFacilityPolicy = (r: PolicyRow): FacilityPolicy => ({
  almostFullThreshold: r.almost_full_threshold,
  minKnownShare: r.min_known_share,
  openingHours: r.opening_hours,
  timeZone: r.time_zone,
});

/** A facility's availability at `now`: the counts summarised by the domain rule, with its opening hours evaluated. */
export function decideAvailability(
  categories: readonly CategoryCounts[],
  policy: FacilityPolicy,
  now: Date,
): FacilityAvailability & { openNow: boolean | null; hoursChangeAt: Date | null } {
  const hours = evaluateOpeningHours(policy.openingHours, now, policy.timeZone);
  const rule: StatusPolicy = {
    almostFullThreshold: policy.almostFullThreshold,
    minKnownShare: policy.minKnownShare,
    openNow: hours.openNow,
  };
  return { ...summarizeFacility(categories, rule), openNow: hours.openNow, hoursChangeAt: hours.nextChange };
}
