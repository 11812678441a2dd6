// The open-data exports in bench:api: the DATEX II status feed and the NGSI-LD entity list of the
// whole city, as consumers fetch them (gzip), against the ceiling server answering a binary body
// of the same size (`/sized?binary=1`: incompressible like gzip; the load client reads binary
// bodies ~9× slower than ASCII ones, so a padded JSON body of that size is no reference). A good
// ratio to that sized reference is ≥ 0.8: each export is rendered and gzipped once per state
// (services/api/src/exports/feed.ts), so a request should cost about what moving its bytes costs. Against the bare ceiling (a 30-byte body) the ratio is bound by the body size
// (a feed of 2,000 facilities is ~100 KB gzipped), so that one is reported for context only.
import { get } from 'node:http';
import { type LoadResult, median, runLoad } from './load.js';

export const EXPORT_PATHS = {
  datex2Status: '/v1/exports/datex2/parking-status',
  ngsiEntities: '/ngsi-ld/v1/entities?type=OffStreetParking,OnStreetParking&options=keyValues',
} as const;
const GZIP = { 'Accept-Encoding': 'gzip' };

/** Bytes on the wire of one gzip answer (fetch would decompress). */
const wireBytes = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, { headers: GZIP }, (res) => {
      let n = 0;
      res.on('data', (chunk: Buffer) => {
        n += chunk.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });

/** Load scenarios for the two exports and their sized references, and their figures once run. */
export async function prepareExportLoads(api: string, ceilingPort: number) {
  const bytes = {
    datex2Status: await wireBytes(`${api}${EXPORT_PATHS.datex2Status}`),
    ngsiEntities: await wireBytes(`${api}${EXPORT_PATHS.ngsiEntities}`),
  };
  const sized = (n: number) => `http://127.0.0.1:${ceilingPort}/sized?bytes=${n}&binary=1`;
  const scenarios = {
    datex2Status: (s: number) => runLoad({ url: api, seconds: s, requests: [{ path: EXPORT_PATHS.datex2Status, headers: GZIP }] }),
    datex2StatusSized: (s: number) => runLoad({ url: sized(bytes.datex2Status), seconds: s }),
    ngsiEntities: (s: number) => runLoad({ url: api, seconds: s, requests: [{ path: EXPORT_PATHS.ngsiEntities, headers: GZIP }] }),
    ngsiEntitiesSized: (s: number) => runLoad({ url: sized(bytes.ngsiEntities), seconds: s }),
  };
  const figures = (results: Record<string, LoadResult[]>, ratioToCeiling: (runs: readonly LoadResult[]) => number) => {
    const toSized = (name: string) =>
      Math.round(median((results[name] ?? []).map((r, i) => r.rps / (results[`${name}Sized`]?.[i]?.rps ?? Number.NaN))) * 100) / 100;
    const of = (name: 'datex2Status' | 'ngsiEntities') => ({
      path: EXPORT_PATHS[name],
      gzipBytes: bytes[name],
      rps: median((results[name] ?? []).map((r) => r.rps)),
      p99Ms: median((results[name] ?? []).map((r) => r.p99Ms)),
      sizedReferenceRps: median((results[`${name}Sized`] ?? []).map((r) => r.rps)),
      ratioToSizedReference: toSized(name),
      ratioToCeiling: ratioToCeiling(results[name] ?? []),
    });
    return { goodRatioToSizedReference: 0.8, datex2Status: of('datex2Status'), ngsiEntities: of('ngsiEntities') };
  };
  return { bytes, scenarios, figures };
}
