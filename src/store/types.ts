/** The latest known state of each server: built from poll cycles, read by the exposition and the status page. */
import type { ApiVersion } from '../config/types.js';
import type {
  BackupRepository,
  HealthReport,
  License,
  ObjectStorage,
  Organization,
  ServiceInstance,
  UsedRepository,
} from '../vb365/types.js';

/** What a cycle read about the server as a whole; undefined: not read (or failed) this cycle. */
export interface ServerFacts {
  /** The version the cycle was read with. */
  readonly apiVersion: ApiVersion;
  readonly serviceInstance: ServiceInstance | undefined;
  readonly license: License | undefined;
  /** v8 only. */
  readonly health: HealthReport | undefined;
  /** v6/v7 only: what `objectStorageId` points to. */
  readonly objectStorages: readonly ObjectStorage[] | undefined;
}

export type PollOutcome =
  | { readonly ok: true; readonly atMs: number; readonly repositories: readonly UsedRepository[] }
  | { readonly ok: false; readonly atMs: number; readonly error: string };

/** What one poll cycle of one server found. */
export interface CycleResult {
  readonly startedMs: number;
  readonly finishedMs: number;
  /** Logging in and listing organizations: when it fails, nothing else was polled. */
  readonly listing:
    | { readonly ok: true; readonly organizations: readonly Organization[] }
    | { readonly ok: false; readonly error: string };
  /** Names and capacity; undefined when that listing failed (the previous one is kept). */
  readonly backupRepositories: readonly BackupRepository[] | undefined;
  readonly polls: ReadonlyMap<string, PollOutcome>;
  /** Undefined when the cycle could not log in and list organizations. */
  readonly facts?: ServerFacts | undefined;
}

export interface OrganizationState {
  readonly id: string;
  readonly name: string;
  readonly pollSuccess: boolean;
  readonly lastSuccessMs: number | undefined;
  readonly lastError: string | undefined;
  /** From the last successful poll: a failed poll keeps them. */
  readonly repositories: readonly UsedRepository[];
}

export interface ServerState {
  readonly name: string;
  readonly cycles: number;
  readonly up: boolean;
  readonly lastError: string | undefined;
  readonly lastCycleEndMs: number | undefined;
  readonly lastCycleDurationSeconds: number | undefined;
  /** The end of the last cycle that could log in and list organizations: since when a down server is down. */
  readonly lastUpMs: number | undefined;
  /** Sorted by organization ID, so every rendering is stable. */
  readonly organizations: readonly OrganizationState[];
  /** By ID, iterated in ID order (like organizations). */
  readonly backupRepositories: ReadonlyMap<string, BackupRepository>;
  /** When the backup repository listing (names, capacity, free space) last succeeded: it is kept when it fails. */
  readonly backupRepositoriesListedMs: number | undefined;
  /**
   * Repositories some organization reports unavailable (`isAvailable` false), with the end of the first cycle
   * of the unbroken run that has reported it so: since when it is unavailable, as far as the exporter knows.
   */
  readonly unavailableSinceMs: ReadonlyMap<string, number>;
  /** The API version of the last cycle that found one. */
  readonly apiVersion: ApiVersion | undefined;
  /** The VB365 build, as last read. */
  readonly productVersion: string | undefined;
  readonly license: License | undefined;
  /** As last read with v8; undefined while the server is read with v6/v7 (they have no Health). */
  readonly health: HealthReport | undefined;
  /** v6/v7's object storage listing as last read, by ID; v8 embeds object storage in each repository. */
  readonly objectStorages: ReadonlyMap<string, ObjectStorage>;
}

/** A server's next state, and the organizations it no longer has (their series vanish from /metrics). */
export interface NextState {
  readonly state: ServerState;
  readonly dropped: readonly OrganizationState[];
}
