import fc from 'fast-check';
import { ApiError } from '../../services/api/src/errors.js';
import { parseFacilityId } from '../../services/api/src/routes/facilities.js';
import { forecastQuerySchema, historyQuerySchema } from '../../services/api/src/routes/history.js';
import { parseFacilityFilter } from '../../services/api/src/routes/stream.js';
import { parseSearchQuery } from '../../services/api/src/search/search-query.js';

/** A query-parameter parser: returns a value, or throws an ApiError (BAD_REQUEST) that says why. */
export interface FuzzQueryParser {
  name: string;
  /** Parameter names it reads (random names are added). */
  keys: readonly string[];
  parse(query: Record<string, string>): unknown;
}

const viaSchema = (schema: { safeParse(v: unknown): { success: boolean } }) => (q: Record<string, string>) => {
  if (!schema.safeParse(q).success) throw new ApiError('BAD_REQUEST', 'invalid query');
  return q;
};

/** Every query/path parameter parser of the API; a new parser is one more line here. */
export const fuzzQueryParsers: readonly FuzzQueryParser[] = [
  {
    name: 'parseSearchQuery',
    keys: ['near', 'radius', 'bbox', 'kind', 'category', 'available', 'limit', 'cursor'],
    parse: parseSearchQuery,
  },
  { name: 'parseFacilityId', keys: ['id'], parse: (q) => parseFacilityId(q.id ?? '') },
  { name: 'parseFacilityFilter', keys: ['facilities'], parse: (q) => parseFacilityFilter(q.facilities) },
  { name: 'historyQuerySchema', keys: ['from', 'to', 'interval'], parse: viaSchema(historyQuerySchema) },
  { name: 'forecastQuerySchema', keys: ['at'], parse: viaSchema(forecastQuerySchema) },
];

/** Parameter values: random text, numbers, coordinates, dates, lists, and hostile strings. */
export const paramValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.tuple(fc.double({ min: -200, max: 200 }), fc.double({ min: -200, max: 200 })).map(([a, b]) => `${a},${b}`),
  fc.array(fc.double({ min: -200, max: 200, noNaN: true }), { minLength: 3, maxLength: 5 }).map((xs) => xs.join(',')),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,8}$/), { maxLength: 5 }).map((xs) => xs.join(',')),
  fc.constantFrom(
    'true',
    'false',
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'Infinity',
    '15m',
    '1h',
    '1d',
    'car_park,rv_site',
    'ev',
    '52.13,11.63',
    "' OR 1=1 --",
    '"; DROP TABLE facilities; --',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '__proto__',
    'x'.repeat(5000),
    '999999999999999999999999',
    '-0',
    '0x10',
    '1,2,3,4',
    'eyJ4IjoxfQ',
    '\u0000',
    '\uD800',
  ),
);

export function queryArb(parser: FuzzQueryParser): fc.Arbitrary<Record<string, string>> {
  const key = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...parser.keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
  return fc.dictionary(key, paramValueArb, { maxKeys: parser.keys.length + 1 });
}

/** Runs one parser over generated queries: it returns, or refuses with a 400 and a message; anything else fails. */
export function fuzzQueryParser(parser: FuzzQueryParser, numRuns: number): { accepted: number; rejected: number } {
  const tally = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(queryArb(parser), (query) => {
      try {
        parser.parse(query);
        tally.accepted++;
      } catch (err) {
        if (!(err instanceof ApiError)) throw new Error(`${parser.name} threw ${String(err)} instead of refusing with an ApiError`);
        if (err.code !== 'BAD_REQUEST' || err.message.length === 0 || err.message.length > 1000) {
          throw new Error(`${parser.name} refused with ${err.code} "${err.message.slice(0, 100)}"`);
        }
        tally.rejected++;
      }
    }),
    { numRuns },
  );
  return tally;
}
