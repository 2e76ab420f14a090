/**
 * How the backup repository listing carries over cycles: a listing read replaces the last one (keeping the
 * objects of repositories read again unchanged, see store/unchanged.ts), a failed one keeps it.
 */
import type { CycleEnd } from '../fact.js';
import { sortedById } from '../by-id.js';
import type { BackupRepository, ObjectStorage } from './parse.js';

export interface BackupRepositoriesSlice {
  /** By ID, iterated in ID order (like organizations). */
  readonly backupRepositories: ReadonlyMap<string, BackupRepository>;
  /** When the backup repository listing (names, capacity, free space) last succeeded: it is kept when it fails. */
  readonly backupRepositoriesListedMs: number | undefined;
  /** v6/v7's object storage listing as last read, by ID; v8 embeds object storage in each repository. */
  readonly objectStorages: ReadonlyMap<string, ObjectStorage>;
}

/** What a cycle read; undefined where that listing failed. */
export interface BackupRepositoriesRead {
  readonly repositories: readonly BackupRepository[] | undefined;
  /** v6/v7 only. */
  readonly objectStorages: readonly ObjectStorage[] | undefined;
}

export const INITIAL_BACKUP_REPOSITORIES: BackupRepositoriesSlice = {
  backupRepositories: new Map(),
  backupRepositoriesListedMs: undefined,
  objectStorages: new Map(),
};

export function nextBackupRepositories(
  previous: BackupRepositoriesSlice,
  read: BackupRepositoriesRead | undefined,
  end: CycleEnd,
): BackupRepositoriesSlice {
  const repositories = read?.repositories;
  return {
    backupRepositories:
      repositories === undefined
        ? previous.backupRepositories
        : backupRepositoriesById(repositories, previous.backupRepositories),
    backupRepositoriesListedMs: repositories === undefined ? previous.backupRepositoriesListedMs : end.finishedMs,
    objectStorages: nextObjectStorages(previous.objectStorages, read?.objectStorages, end),
  };
}

function nextObjectStorages(
  previous: ReadonlyMap<string, ObjectStorage>,
  read: readonly ObjectStorage[] | undefined,
  end: CycleEnd,
): ReadonlyMap<string, ObjectStorage> {
  if (end.version === undefined) return previous; // the cycle could not list: nothing new is known
  if (end.version === 'v8') return new Map(); // v8 embeds it: a v6/v7 listing would be stale for good
  return read === undefined ? previous : new Map(sortedById(read).map((storage) => [storage.id, storage]));
}

/** By ID, in ID order; the previous map itself when the cycle kept every one of its repositories. */
function backupRepositoriesById(
  read: readonly BackupRepository[],
  previous: ReadonlyMap<string, BackupRepository>,
): ReadonlyMap<string, BackupRepository> {
  const sorted = sortedById(read);
  const before = [...previous.values()];
  if (sorted.length === before.length && sorted.every((repository, index) => repository === before[index]))
    return previous;
  return new Map(sorted.map((repository) => [repository.id, repository]));
}

/** Embedded in the repository (v8), or the item of the v6/v7 listing its `objectStorageId` names. */
export function objectStorageOf(
  server: Pick<BackupRepositoriesSlice, 'objectStorages'>,
  repository: BackupRepository,
): ObjectStorage | undefined {
  if (repository.objectStorage !== undefined) return repository.objectStorage;
  return repository.objectStorageId === undefined ? undefined : server.objectStorages.get(repository.objectStorageId);
}

/** A repository's name as the listing gives it ('' when unknown). */
export function backupRepositoryName(server: Pick<BackupRepositoriesSlice, 'backupRepositories'>, id: string): string {
  return server.backupRepositories.get(id)?.name ?? '';
}
