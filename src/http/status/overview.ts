/**
 * How much each server holds, for the status page, with the dashboard's and the recording rules' definition
 * of "used": in repositories + local cache + object storage (UsedRepositories `usedSpaceBytes`,
 * `localCacheUsedSpaceBytes`, `objectStorageUsedSpaceBytes`), summed over every organization and repository,
 * as `vb365:server_used_bytes:sum` does. A value the server does not report counts as nothing.
 */
import type { OrganizationState } from '../../facts/organizations/index.js';
import type { ServerState } from '../../facts/registry.js';

export interface UsedBytes {
  readonly repository: number;
  readonly localCache: number;
  readonly objectStorage: number;
  /** The three together: "used". */
  readonly total: number;
}

export interface ServerOverview {
  readonly organizations: number;
  readonly failing: number;
  /** Distinct backup repositories the organizations use. */
  readonly repositories: number;
  readonly used: UsedBytes;
}

export function usedBytes(organizations: readonly OrganizationState[]): UsedBytes {
  let repository = 0;
  let localCache = 0;
  let objectStorage = 0;
  for (const organization of organizations) {
    for (const used of organization.repositories) {
      repository += used.usedSpaceBytes ?? 0;
      localCache += used.localCacheUsedSpaceBytes ?? 0;
      objectStorage += used.objectStorageUsedSpaceBytes ?? 0;
    }
  }
  return { repository, localCache, objectStorage, total: repository + localCache + objectStorage };
}

export function serverOverview(server: ServerState): ServerOverview {
  const repositories = new Set<string>();
  let failing = 0;
  for (const organization of server.organizations) {
    if (!organization.pollSuccess) failing++;
    for (const used of organization.repositories) repositories.add(used.repositoryId);
  }
  return {
    organizations: server.organizations.length,
    failing,
    repositories: repositories.size,
    used: usedBytes(server.organizations),
  };
}
