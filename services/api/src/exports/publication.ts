import type { Logger } from '@freiplatz/config';
import { type Db, findOpenData } from '@freiplatz/db';
import { DEFAULT_LICENCE, type OpenData } from '@freiplatz/domain';

/** Publisher, licence and attribution every export carries. */
export interface Publication {
  publisher: string;
  country: string;
  licence: { id: string; name: string; url: string };
  attribution: string;
  /** Changes whenever the above change (part of every export's identity). */
  key: string;
}

/** What the exports say when the registry names no publisher. */
export const DEFAULT_PUBLISHER = 'Freiplatz';

/** The publication of a registry's `openData` (defaults: Datenlizenz Deutschland – Namensnennung 2.0). */
export function toPublication(openData: OpenData | undefined): Publication {
  const publisher = openData?.publisher ?? DEFAULT_PUBLISHER;
  const licence = openData?.licence ?? { ...DEFAULT_LICENCE };
  const attribution = openData?.attribution ?? `${publisher}, ${licence.name} (${licence.url})`;
  const country = openData?.country ?? 'DE';
  return { publisher, country, licence, attribution, key: JSON.stringify([publisher, country, licence, attribution]) };
}

export interface PublicationSource {
  /** The current publication; a promise only while the first read (or a refresh after `ttlMs`) is under way. */
  get(): Publication | Promise<Publication>;
}

/**
 * Reads the publisher from the database at most once per `ttlMs` (it changes only with a registry
 * import), so exports never read the database per request. A failed read keeps the last value.
 */
export function createPublicationSource(db: Db, logger: Logger, ttlMs = 30_000, now = () => Date.now()): PublicationSource {
  let current: Publication | undefined;
  let readAt = 0;
  let reading: Promise<Publication> | null = null;
  const read = () => {
    reading ??= findOpenData(db)
      .then((openData) => {
        current = toPublication(openData);
        return current;
      })
      .catch((err: unknown) => {
        logger.warn({ err }, 'reading the open-data publisher failed; keeping the last one');
        return current ?? toPublication(undefined);
      })
      .finally(() => {
        readAt = now();
        reading = null;
      });
    return reading;
  };
  return {
    get() {
      if (current === undefined) return read();
      if (now() - readAt > ttlMs) void read();
      return current;
    },
  };
}
