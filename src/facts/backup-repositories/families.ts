/** The backup repositories' metric families: capacity and free space, then names, state flags and object storage. */
import { label } from '../../metrics/label-value.js';
import type { CycleState, Emit, Family, FamilyView } from '../fact.js';
import { flag, seconds } from '../samples.js';
import { CACHED } from '../wording.js';
import { BYTES_PER_SIZE_LIMIT_GB, type BackupRepository, type ObjectStorage } from './parse.js';
import { objectStorageOf, type BackupRepositoriesSlice } from './state.js';

type View = CycleState & BackupRepositoriesSlice;

const perBackupRepository =
  (value: (repository: BackupRepository) => number | null) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const repository of server.backupRepositories.values()) emit(value(repository), undefined, repository.id);
  };

const perObjectStorage =
  (value: (storage: ObjectStorage) => number | null) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const repository of server.backupRepositories.values()) {
      const storage = objectStorageOf(server, repository);
      if (storage !== undefined) emit(value(storage), undefined, repository.id);
    }
  };

/** Listed in /metrics after the organizations' space gauges (registry.ts). */
export const capacityFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_backup_repositories_last_success_timestamp_seconds',
    help: 'Unix time the backup repository listing (names, capacity, free space) last succeeded; its values are kept while it fails.',
    samples: ({ server }, emit) => emit(seconds(server.backupRepositoriesListedMs)),
  },
  {
    name: 'veeam_vb365_backup_repository_capacity_bytes',
    help: `Capacity of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    samples: perBackupRepository((repository) => repository.capacityBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_free_space_bytes',
    help: `Free space of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    samples: perBackupRepository((repository) => repository.freeSpaceBytes),
  },
];

/** Listed last of the first facts' families in /metrics (registry.ts). */
export const stateFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_backup_repository_info',
    help: `Every backup repository the server lists, with its name and VB365's reason when it is out of order; always 1. ${CACHED}`,
    samples: ({ server }, emit) => {
      for (const repository of server.backupRepositories.values())
        emit(
          1,
          undefined,
          repository.id,
          `${label('repository_name', repository.name)}${label('out_of_order_reason', repository.outOfOrderReason)}`,
        );
    },
  },
  {
    name: 'veeam_vb365_backup_repository_out_of_sync',
    help: `Whether VB365 reports the repository out of sync with its object storage (isOutOfSync: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutOfSync)),
  },
  {
    name: 'veeam_vb365_backup_repository_outdated',
    help: `Whether VB365 reports the repository outdated, its format older than the server's (isOutdated, v8: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutdated)),
  },
  {
    name: 'veeam_vb365_backup_repository_out_of_order',
    help: `Whether VB365 reports the repository out of order, the Invalid state (isOutOfOrder, v8: 1) or not (0). ${CACHED}`,
    samples: perBackupRepository((repository) => flag(repository.isOutOfOrder)),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_used_bytes',
    help: `Space used in the object storage behind the repository (usedSpaceBytes; v8 embedded, v6/v7 objectstoragerepositories). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.usedSpaceBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_free_bytes',
    help: `Free space the server reports for the object storage behind the repository (freeSpaceBytes). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.freeSpaceBytes),
  },
  {
    name: 'veeam_vb365_backup_repository_object_storage_size_limit_bytes',
    help: `The size limit set on the object storage, only where sizeLimitEnabled (sizeLimitGB x ${BYTES_PER_SIZE_LIMIT_GB}: Veeam documents only "GB"; taken as 2^30, see README). ${CACHED}`,
    samples: perObjectStorage((storage) => storage.sizeLimitBytes),
  },
];
