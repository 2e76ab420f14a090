/**
 * The backup repositories: `GET /{v}/BackupRepositories` once a cycle (names, capacity, free space, state
 * flags, v8's embedded object storage) and on v6/v7 `GET /{v}/objectstoragerepositories`, which the
 * repositories point into. Each listing that fails keeps its last values.
 */
import { keptIfEqual } from '../../store/unchanged.js';
import { describeError } from '../../vb365/errors.js';
import type { CycleContext, CycleState, Fact } from '../fact.js';
import { keptOnFailure, logRejected } from '../reading.js';
import { capacityFamilies, stateFamilies } from './families.js';
import {
  backupRepositoriesRoute,
  backupRepositoryItems,
  objectStorageItems,
  objectStorageRepositoriesRoute,
  type BackupRepository,
  type ObjectStorage,
} from './parse.js';
import { backupRepositoryProblemKinds, backupRepositoryProblems } from './problems.js';
import {
  INITIAL_BACKUP_REPOSITORIES,
  nextBackupRepositories,
  type BackupRepositoriesRead,
  type BackupRepositoriesSlice,
} from './state.js';

type View = CycleState & BackupRepositoriesSlice;

async function listRepositories(context: CycleContext, previous: View): Promise<BackupRepository[] | undefined> {
  try {
    const listing = await context.client.listing(backupRepositoriesRoute, backupRepositoryItems, context.signal);
    logRejected(context.logger, 'backup repositories', listing);
    return listing.items.map((repository) => keptIfEqual(previous.backupRepositories.get(repository.id), repository));
  } catch (error) {
    context.logger.warn(
      { reason: describeError(error) },
      'could not list backup repositories; keeping the last known names and capacity',
    );
    return undefined;
  }
}

function listObjectStorages(context: CycleContext): Promise<readonly ObjectStorage[] | undefined> {
  return keptOnFailure(context, 'object storage repositories', async () => {
    const listing = await context.client.listing(objectStorageRepositoriesRoute, objectStorageItems, context.signal);
    logRejected(context.logger, 'object storage repositories', listing);
    return listing.items;
  });
}

export const backupRepositoriesFact: Fact<View, BackupRepositoriesSlice, BackupRepositoriesRead> = {
  name: 'backup repositories',
  initial: INITIAL_BACKUP_REPOSITORIES,
  read: async (context, previous) => {
    const [repositories, objectStorages] = await Promise.all([
      listRepositories(context, previous),
      context.version === 'v8' ? undefined : listObjectStorages(context),
    ]);
    return { repositories, objectStorages };
  },
  next: nextBackupRepositories,
  families: [...capacityFamilies, ...stateFamilies],
  problemKinds: backupRepositoryProblemKinds,
  problems: backupRepositoryProblems,
  columns: [],
};

export { capacityFamilies, stateFamilies };
export { backupRepositoryName, type BackupRepositoriesSlice } from './state.js';
export type { BackupRepository } from './parse.js';
