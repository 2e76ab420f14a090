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
  /** v8's `protectedObjectsCount`; null where the server does not report it. */
  readonly protectedObjectsCount: number | null;
}

export interface BackupRepository {
  readonly id: string;
  readonly name: string;
  readonly capacityBytes: number | null;
  readonly freeSpaceBytes: number | null;
  /** The state flags; null where the server does not report one (v6 has only isOutOfSync, say). */
  readonly isOutOfSync: boolean | null;
  readonly isOutdated: boolean | null;
  readonly isOutOfOrder: boolean | null;
  readonly outOfOrderReason: string;
  /** v8: the object storage behind the repository, embedded. */
  readonly objectStorage: ObjectStorage | undefined;
  /** v6/v7: the ID of its item in the object storage listing. */
  readonly objectStorageId: string | undefined;
}

/** The object storage behind a backup repository: embedded in v8, an item of `/objectstoragerepositories` before. */
export interface ObjectStorage {
  readonly id: string;
  readonly usedSpaceBytes: number | null;
  readonly freeSpaceBytes: number | null;
  /** `sizeLimitGB` in bytes (GB taken as 2^30), only where `sizeLimitEnabled` is true. */
  readonly sizeLimitBytes: number | null;
}

/** `GET /{v}/ServiceInstance`. */
export interface ServiceInstance {
  /** The VB365 build, e.g. `8.0.2.159`. */
  readonly version: string;
}

/** `GET /{v}/License`; a figure the server does not report is null. */
export interface License {
  readonly status: string;
  readonly type: string;
  readonly package: string;
  readonly totalUsers: number | null;
  readonly usedUsers: number | null;
  readonly newUsers: number | null;
  readonly expiresMs: number | null;
  readonly gracePeriodExpiresMs: number | null;
}

/** `GET /v8/Health`. */
export interface HealthReport {
  readonly healthy: boolean;
  /** By the entry's key (e.g. the configuration database), in key order. */
  readonly components: ReadonlyArray<{ readonly name: string; readonly healthy: boolean }>;
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
