import { describe, expect, it } from 'vitest';
import type { AuthenticatedKey } from '../middleware/auth/ops-env.js';
import { canReachFacility, hasScope, isCityWide, lacksScope } from './operator.js';

const cityReader: AuthenticatedKey = { id: 'a', name: 'reader', scopes: ['ops:read'], facilityIds: null };
const garageWriter: AuthenticatedKey = { id: 'b', name: 'garage', scopes: ['ops:read', 'registry:write'], facilityIds: ['garage'] };

describe('operator key checks (one for both doors)', () => {
  it.each([
    [cityReader, 'ops:read', true],
    [cityReader, 'registry:write', false],
    [garageWriter, 'registry:write', true],
  ] as const)('hasScope(%o, %s) is %s', (key, scope, expected) => {
    expect(hasScope(key, scope)).toBe(expected);
  });

  it.each([
    [cityReader, 'garage', true],
    [cityReader, null, true],
    [garageWriter, 'garage', true],
    [garageWriter, 'petri', false],
    [garageWriter, null, false],
  ] as const)('canReachFacility(%o, %s) is %s', (key, facilityId, expected) => {
    expect(canReachFacility(key, facilityId)).toBe(expected);
  });

  it('tells city-wide keys apart and names a missing scope', () => {
    expect([isCityWide(cityReader), isCityWide(garageWriter)]).toEqual([true, false]);
    expect(lacksScope('registry:write')).toEqual({
      ok: false,
      code: 'FORBIDDEN',
      message: 'this API key lacks the scope registry:write',
    });
  });
});
