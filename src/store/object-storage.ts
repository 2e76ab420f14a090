/** The object storage behind a backup repository, however the server reported it. */
import type { BackupRepository, ObjectStorage } from '../vb365/types.js';
import type { ServerState } from './types.js';

/** Embedded in the repository (v8), or the item of the v6/v7 listing its `objectStorageId` names. */
export function objectStorageOf(server: ServerState, repository: BackupRepository): ObjectStorage | undefined {
  if (repository.objectStorage !== undefined) return repository.objectStorage;
  return repository.objectStorageId === undefined ? undefined : server.objectStorages.get(repository.objectStorageId);
}
