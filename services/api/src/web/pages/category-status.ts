import { type Counts, computeFacilityStatus, type FacilityStatus, type SpotCategory } from '@freiplatz/domain';

/** A category's counts with its own status, as the pages show them. */
export type CategoryView = Counts & { status: FacilityStatus };

/**
 * One category's status, never the facility's: the state's own when it carries one, else the
 * facility rule (packages/domain/src/availability.ts) applied to the category's counts.
 */
export function categoryStatus(c: Counts & { status?: FacilityStatus }, almostFullThreshold: number): FacilityStatus {
  return c.status ?? computeFacilityStatus(c, almostFullThreshold);
}

/** Every category of a facility with its own status. */
export function categoryViews(
  byCategory: Partial<Record<SpotCategory, Counts & { status?: FacilityStatus }>>,
  almostFullThreshold: number,
): Partial<Record<SpotCategory, CategoryView>> {
  return Object.fromEntries(
    Object.entries(byCategory).map(([category, c]) => [category, { ...c, status: categoryStatus(c, almostFullThreshold) }]),
  );
}
