/** The strong ETag of a facility's availability at a state version. */
export function formatAvailabilityEtag(facilityId: string, version: number): string {
  return `"${facilityId}-${version}"`;
}

/** True when an `If-None-Match` header matches the given strong ETag (weak comparison, lists and `*`). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag) return true;
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
