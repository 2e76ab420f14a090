/** The latest known state of each server: built from poll cycles, read by the exposition and the status page. */
import type { BackupRepository, Organization, UsedRepository } from '../vb365/types.js';

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
}

/** A server's next state, and the organizations it no longer has (their series vanish from /metrics). */
export interface NextState {
  readonly state: ServerState;
  readonly dropped: readonly OrganizationState[];
}
