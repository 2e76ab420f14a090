/** What the exporter keeps of VB365 answers, after validation. */

export interface Organization {
  readonly id: string;
  readonly name: string;
}

/** One item of `GET /{v}/Organizations/{id}/UsedRepositories`. A null byte count is "not reported". */
export interface UsedRepository {
  readonly repositoryId: string;
  readonly usedSpaceBytes: number | null;
  readonly localCacheUsedSpaceBytes: number | null;
  readonly objectStorageUsedSpaceBytes: number | null;
  readonly isAvailable: boolean;
  readonly details: string;
}

export interface BackupRepository {
  readonly id: string;
  readonly name: string;
  readonly capacityBytes: number | null;
  readonly freeSpaceBytes: number | null;
}

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
