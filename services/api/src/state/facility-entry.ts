import type { FacilityRecord } from '@freiplatz/db';
import type { SpotCategory } from '@freiplatz/domain';
import { formatAvailabilityEtag } from '../etag.js';
import { toAvailabilityText, toFacilityAvailabilityView, toFacilitySummaryView } from '../facility-view.js';

type Summary = ReturnType<typeof toFacilitySummaryView>;

/** One facility at one state version, with its representations built once, on first use. */
export class FacilityEntry {
  readonly etag: string;
  #availabilityJson: string | undefined;
  #summary: Summary | undefined;
  #summaryJson: string | undefined;
  #summaryBytes: Uint8Array | undefined;
  #summaryTail: Uint8Array | undefined;
  /** Per-category representations (category views are rare): built on first use, like the rest. */
  #byCategory: Map<SpotCategory, { availabilityJson?: string; summaryJson?: string }> | undefined;

  constructor(readonly record: FacilityRecord) {
    this.etag = formatAvailabilityEtag(record.id, record.state.version);
  }

  get id(): string {
    return this.record.id;
  }

  get version(): number {
    return this.record.state.version;
  }

  /** The signage body as JSON text. */
  get availabilityJson(): string {
    this.#availabilityJson ??= JSON.stringify(toFacilityAvailabilityView(this.record));
    return this.#availabilityJson;
  }

  /** The bare free count for LED signs, `-` when unknown. */
  get availabilityText(): string {
    return toAvailabilityText(this.record);
  }

  #category(category: SpotCategory) {
    this.#byCategory ??= new Map();
    let views = this.#byCategory.get(category);
    if (views === undefined) {
      views = {};
      this.#byCategory.set(category, views);
    }
    return views;
  }

  /** The signage body of one category (its counts and its own status) as JSON text. */
  categoryAvailabilityJson(category: SpotCategory): string {
    const views = this.#category(category);
    views.availabilityJson ??= JSON.stringify(toFacilityAvailabilityView(this.record, category));
    return views.availabilityJson;
  }

  /** The bare free count of one category, `-` when that category's status is unknown. */
  categoryAvailabilityText(category: SpotCategory): string {
    return toAvailabilityText(this.record, category);
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

  /** `summary` as JSON text, for building lists by concatenation. */
  get summaryJson(): string {
    this.#summaryJson ??= JSON.stringify(this.summary);
    return this.#summaryJson;
  }

  /** `summaryJson` as UTF-8, for building response bodies by copying bytes. */
  get summaryBytes(): Uint8Array {
    this.#summaryBytes ??= Buffer.from(this.summaryJson);
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
