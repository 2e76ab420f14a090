/**
 * What VB365 says is wrong with its backup repositories, as the alerts of alerts/ see it: out of order,
 * out of sync or outdated, object storage near its size limit, and less than 10 % free.
 */
import { formatBytes } from '../../http/status/format.js';
import type { CycleState, Problem, ProblemKind } from '../fact.js';
import { nameOrId, serverProblem } from '../wording.js';
import { objectStorageOf, type BackupRepositoriesSlice } from './state.js';

type View = CycleState & BackupRepositoriesSlice;

/** As VB365ObjectStorageNearLimit. */
const OBJECT_STORAGE_LIMIT_RATIO = 0.9;
/** A backup repository with less free space than this fraction of its capacity (as VB365RepositoryLowFreeSpace). */
const LOW_FREE_SPACE_RATIO = 0.1;

export const backupRepositoryProblemKinds: readonly ProblemKind[] = [
  { kind: 'repository-out-of-order', label: 'Repository out of order', rank: 40 },
  { kind: 'repository-out-of-sync', label: 'Repository out of sync', rank: 80 },
  { kind: 'repository-outdated', label: 'Repository outdated', rank: 90 },
  { kind: 'object-storage-near-limit', label: 'Object storage near its limit', rank: 100 },
  { kind: 'repository-low-space', label: 'Repository nearly full', rank: 110 },
];

export function backupRepositoryProblems(server: View): Problem[] {
  return [...lowSpace(server), ...repositoryStates(server), ...objectStorageNearLimit(server)];
}

function repositoryStates(server: View): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const what = nameOrId(repository);
    if (repository.isOutOfOrder === true)
      problems.push(
        serverProblem(server, {
          kind: 'repository-out-of-order',
          severity: 'critical',
          what,
          words: `out of order${repository.outOfOrderReason === '' ? '' : `: ${repository.outOfOrderReason}`} (isOutOfOrder)`,
        }),
      );
    if (repository.isOutOfSync === true)
      problems.push(
        serverProblem(server, {
          kind: 'repository-out-of-sync',
          severity: 'warning',
          what,
          words: 'out of sync with its object storage (isOutOfSync)',
        }),
      );
    if (repository.isOutdated === true)
      problems.push(
        serverProblem(server, {
          kind: 'repository-outdated',
          severity: 'warning',
          what,
          words: "its format is older than the server's (isOutdated)",
        }),
      );
  }
  return problems;
}

function objectStorageNearLimit(server: View): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const storage = objectStorageOf(server, repository);
    if (storage?.sizeLimitBytes == null || storage.usedSpaceBytes === null || storage.sizeLimitBytes <= 0) continue;
    const ratio = storage.usedSpaceBytes / storage.sizeLimitBytes;
    if (ratio <= OBJECT_STORAGE_LIMIT_RATIO) continue;
    problems.push(
      serverProblem(server, {
        kind: 'object-storage-near-limit',
        severity: 'warning',
        what: nameOrId(repository),
        words: `${(ratio * 100).toFixed(1)} % of the size limit used: ${formatBytes(storage.usedSpaceBytes)} of ${formatBytes(storage.sizeLimitBytes)}`,
      }),
    );
  }
  return problems;
}

function lowSpace(server: View): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const { capacityBytes, freeSpaceBytes } = repository;
    if (capacityBytes === null || freeSpaceBytes === null || capacityBytes <= 0) continue;
    const ratio = freeSpaceBytes / capacityBytes;
    if (ratio >= LOW_FREE_SPACE_RATIO) continue;
    problems.push(
      serverProblem(
        server,
        {
          kind: 'repository-low-space',
          severity: 'warning',
          what: nameOrId(repository),
          words: `${(ratio * 100).toFixed(1)} % free: ${formatBytes(freeSpaceBytes)} of ${formatBytes(capacityBytes)} (freeSpaceBytes of capacityBytes)`,
        },
        'as last listed',
      ),
    );
  }
  return problems;
}
