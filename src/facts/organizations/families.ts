/** The organizations' metric families: poll health and used space per repository, then names and details. */
import { label } from '../../metrics/label-value.js';
import { backupRepositoryName, type BackupRepositoriesSlice } from '../backup-repositories/index.js';
import type { CycleState, Emit, Family, FamilyView } from '../fact.js';
import { CACHED } from '../wording.js';
import type { OrganizationState, OrganizationsSlice } from './state.js';
import type { UsedRepository } from './used-repositories.js';

/** Repository names come from the backup repository listing. */
type View = CycleState & OrganizationsSlice & Pick<BackupRepositoriesSlice, 'backupRepositories'>;

const perOrganization =
  (value: (organization: OrganizationState) => number | undefined) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const organization of server.organizations) emit(value(organization), organization.id);
  };

const perRepository =
  (value: (repository: UsedRepository) => number | null) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const organization of server.organizations) {
      for (const repository of organization.repositories)
        emit(value(repository), organization.id, repository.repositoryId);
    }
  };

/** Names and details are labels of an info metric (value 1), so the byte gauges keep stable label sets. */
function repositoryInfo({ server }: FamilyView<View>, emit: Emit): void {
  for (const organization of server.organizations) {
    if (organization.repositories.length === 0) continue;
    const organizationName = label('organization_name', organization.name);
    for (const repository of organization.repositories) {
      const name = backupRepositoryName(server, repository.repositoryId);
      emit(
        1,
        organization.id,
        repository.repositoryId,
        `${organizationName}${label('repository_name', name)}${label('details', repository.details)}`,
      );
    }
  }
}

/** The first of /metrics after the cycle's own (registry.ts). */
export const pollFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_organization_poll_success',
    help: `Whether the last poll of the organization's used repositories succeeded (1) or failed (0). ${CACHED}`,
    samples: perOrganization((organization) => (organization.pollSuccess ? 1 : 0)),
  },
  {
    name: 'veeam_vb365_organization_last_success_timestamp_seconds',
    help: `Unix time of the last successful poll of the organization's used repositories. ${CACHED}`,
    samples: perOrganization((organization) =>
      organization.lastSuccessMs === undefined ? undefined : organization.lastSuccessMs / 1000,
    ),
  },
  {
    name: 'veeam_vb365_repository_used_space_bytes',
    help: `Space the organization's backups occupy in the backup repository (usedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.usedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_local_cache_used_space_bytes',
    help: `Space the organization's data occupies in the local cache of a repository extended with object storage (localCacheUsedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.localCacheUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_object_storage_used_space_bytes',
    help: `Space the organization's backups occupy in object storage (objectStorageUsedSpaceBytes). ${CACHED}`,
    samples: perRepository((repository) => repository.objectStorageUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_available',
    help: `Whether the backup repository is available for backup and restore (isAvailable: 1) or not (0). ${CACHED}`,
    samples: perRepository((repository) => (repository.isAvailable ? 1 : 0)),
  },
];

/** After the backup repositories' capacity (registry.ts). */
export const detailFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_repository_info',
    help: `Names and details of a repository an organization uses; always 1. ${CACHED}`,
    samples: repositoryInfo,
  },
  {
    name: 'veeam_vb365_repository_protected_objects',
    help: `Objects (mailboxes, sites, ...) of the organization protected in the backup repository (v8 protectedObjectsCount). ${CACHED}`,
    samples: perRepository((repository) => repository.protectedObjectsCount),
  },
];
