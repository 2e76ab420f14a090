/** What a listing answer becomes after validation: the items kept, and those skipped with their reasons. */

/** An item of an answer that was skipped because it could not be trusted. */
export interface RejectedItem {
  /** Position in the whole listing (0-based, across pages). */
  readonly index: number;
  readonly reason: string;
}

export interface Listing<T> {
  readonly items: readonly T[];
  /** How many items were skipped. */
  readonly rejectedCount: number;
  /** The first few skipped items with their reasons (kept few: an answer may hold millions of bad items). */
  readonly rejected: readonly RejectedItem[];
}
