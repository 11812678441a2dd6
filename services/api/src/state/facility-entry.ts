import type { FacilityRecord } from '@freiplatz/db';
import type { SpotCategory } from '@freiplatz/domain';
import { type Answer, AnswerShape, buildAnswer } from '../answers/answer.js';
import { formatAvailabilityEtag, matchesIfNoneMatch } from '../etag.js';
import { toAvailabilityText, toFacilityAvailabilityView, toFacilitySummaryView } from '../facility-view.js';

type Summary = ReturnType<typeof toFacilitySummaryView>;

/** `Cache-Control` of the signage resource for a `max-age` (stale-while-revalidate is 6×). */
export const availabilityCacheControl = (maxAgeSeconds: number) =>
  `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds * 6}`;
/** The signage resource's `Cache-Control` unless the app is given another `max-age`. */
export const DEFAULT_AVAILABILITY_CACHE_CONTROL = availabilityCacheControl(5);

export type AvailabilityFormat = 'json' | 'text';
const CONTENT_TYPES: Record<AvailabilityFormat, string> = { json: 'application/json', text: 'text/plain; charset=UTF-8' };

/** What a facility says at one state version, in each representation a client may ask for. */
interface Views {
  json?: Answer;
  text?: Answer;
  summaryJson?: string;
}

/**
 * One facility at one state version, with its answers and representations built once, on first
 * use: the signage answers (body, ETag, headers) that the Hono route and the raw node path only
 * write, and the search items.
 */
export class FacilityEntry {
  readonly etag: string;
  #availabilityJson: string | undefined;
  #notModified: Answer | undefined;
  #views: Views = {};
  #summary: Summary | undefined;
  #summaryBytes: Uint8Array | undefined;
  #summaryTail: Uint8Array | undefined;
  /** Per-category views (category signs are rare): built on first use, like the rest. */
  #byCategory: Map<SpotCategory, Views> | undefined;

  constructor(
    readonly record: FacilityRecord,
    /** `Cache-Control` of the availability answers. */
    readonly cacheControl = DEFAULT_AVAILABILITY_CACHE_CONTROL,
  ) {
    this.etag = formatAvailabilityEtag(record.id, record.state.version);
  }

  get id(): string {
    return this.record.id;
  }

  get version(): number {
    return this.record.state.version;
  }

  /** The signage body as JSON text (also what the event stream sends). */
  get availabilityJson(): string {
    this.#availabilityJson ??= JSON.stringify(toFacilityAvailabilityView(this.record));
    return this.#availabilityJson;
  }

  /**
   * The answer to `GET /v1/facilities/{id}/availability[?format=…&category=…]`: a 304 when
   * `ifNoneMatch` matches this version's ETag (one ETag covers every category), else the body.
   */
  availability(format: AvailabilityFormat, category: SpotCategory | null, ifNoneMatch: string | undefined): Answer {
    if (matchesIfNoneMatch(ifNoneMatch, this.etag)) {
      this.#notModified ??= buildAnswer(304, { 'Cache-Control': this.cacheControl, ETag: this.etag }, null);
      return this.#notModified;
    }
    const views = category === null ? this.#views : this.#category(category);
    const built = views[format];
    if (built !== undefined) return built;
    let text: string;
    if (format === 'text') text = toAvailabilityText(this.record, category);
    else text = category === null ? this.availabilityJson : JSON.stringify(toFacilityAvailabilityView(this.record, category));
    const headers = { 'Cache-Control': this.cacheControl, ETag: this.etag, 'Content-Type': CONTENT_TYPES[format] };
    const answer = new AnswerShape(200, headers).with(Buffer.from(text));
    views[format] = answer;
    return answer;
  }

  #category(category: SpotCategory): Views {
    this.#byCategory ??= new Map();
    let views = this.#byCategory.get(category);
    if (views === undefined) {
      views = {};
      this.#byCategory.set(category, views);
    }
    return views;
  }

  /** The facility as listed by a search for `category`: its availability is that category's. */
  categorySummaryJson(category: SpotCategory): string {
    const views = this.#category(category);
    views.summaryJson ??= JSON.stringify(toFacilitySummaryView(this.record, category));
    return views.summaryJson;
  }

  /** The facility as listed by search. */
  get summary(): Summary {
    this.#summary ??= toFacilitySummaryView(this.record);
    return this.#summary;
  }

  /** `summary` as UTF-8 JSON, for building response bodies by copying bytes. */
  get summaryBytes(): Uint8Array {
    this.#summaryBytes ??= Buffer.from(JSON.stringify(this.summary));
    return this.#summaryBytes;
  }

  /** `summaryBytes` without the opening `{`, for items that start with fields of their own (`distance`). */
  get summaryTail(): Uint8Array {
    this.#summaryTail ??= this.summaryBytes.subarray(1);
    return this.#summaryTail;
  }
}

/** A facility's place in the in-memory index; `entry` is swapped on each state change. */
export interface FacilitySlot {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
  entry: FacilityEntry;
}
