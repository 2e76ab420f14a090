// Deterministic generated organizations for load tests and the demo.
import type { BackupRepositoryInput, OrganizationInput, UsedRepositoryInput } from './model.js';
import { randomInt, randomUuid, seededRandom } from './random.js';

const TiB = 1024 ** 4;
const GiB = 1024 ** 3;

export interface GeneratedOrganization {
  organization: OrganizationInput;
  repositories: BackupRepositoryInput[];
}

/** Where a generated organization's repositories live. */
export interface RepositoryPlacement {
  /** Generated proxies to spread repositories over; none: the default proxy. */
  proxyIds?: readonly string[];
  /** A pool of shared repositories to draw from instead of repositories of its own. */
  shared?: readonly { id: string; objectStorage: boolean }[];
}

/** The `index`-th generated organization: the same index (and placement) always gives the same data. */
export function generateOrganization(
  index: number,
  repositoriesEach: number,
  placement: RepositoryPlacement = {},
): GeneratedOrganization {
  // Seeded per index so the result does not depend on how many were generated per call.
  const random = seededRandom(0x5eed0000 + index);
  const number = String(index + 1).padStart(4, '0');
  const repositories: BackupRepositoryInput[] = [];
  const usedRepositories: UsedRepositoryInput[] = [];
  const proxyIds = placement.proxyIds ?? [];
  const shared = placement.shared ?? [];
  for (let j = 0; j < repositoriesEach; j++) {
    // A shared pool: consecutive organizations take consecutive repositories, so each is used about equally.
    const pooled = shared.length > 0 ? shared[(index * repositoriesEach + j) % shared.length] : undefined;
    const id = pooled?.id ?? randomUuid(random);
    const objectStorage = pooled?.objectStorage ?? j % 2 === 1;
    if (pooled === undefined) {
      const capacityBytes = (1 + randomInt(random, 64)) * TiB;
      const repository: BackupRepositoryInput = {
        id,
        name: `Generated Repository ${number}-${j + 1}`,
        description: `Generated for organization ${number}`,
        path: objectStorage ? `D:\\Cache\\gen${number}-${j + 1}` : `E:\\Backups\\gen${number}-${j + 1}`,
        capacityBytes: objectStorage ? null : capacityBytes,
        freeSpaceBytes: objectStorage ? null : Math.floor(capacityBytes * random()),
        objectStorage: objectStorage
          ? {
              id: randomUuid(random),
              name: `gen-bucket-${number}-${j + 1}`,
              type: 'AmazonS3Compatible',
              usedSpaceBytes: null,
            }
          : null,
      };
      const proxyId = proxyIds[(index * repositoriesEach + j) % Math.max(1, proxyIds.length)];
      if (proxyId !== undefined) repository.proxyId = proxyId;
      repositories.push(repository);
    }
    usedRepositories.push({
      repositoryId: id,
      usedSpaceBytes: objectStorage ? 0 : randomInt(random, 4 * TiB),
      localCacheUsedSpaceBytes: objectStorage ? randomInt(random, 8 * GiB) : 0,
      objectStorageUsedSpaceBytes: objectStorage ? randomInt(random, 16 * TiB) : 0,
      isAvailable: true,
      details: '',
      protectedObjectsCount: 1 + randomInt(random, 5000),
    });
  }
  const organization: OrganizationInput = {
    id: randomUuid(random),
    name: `Generated Organization ${number}`,
    officeName: `gen${number}.onmicrosoft.com`,
    type: 'Office365',
    region: 'Worldwide',
    description: `Generated organization ${number}`,
    msid: randomUuid(random),
    firstBackupTime: '2024-01-01T00:00:00Z',
    lastBackupTime: '2025-01-01T00:00:00Z',
    usedRepositories,
  };
  organization.backedUpOrganizationId = organization.msid ?? null;
  return { organization, repositories };
}

/** The `index`-th repository of the shared pool: alternately local and object storage, like the others. */
export function generateSharedRepository(index: number, proxyIds: readonly string[] = []): BackupRepositoryInput {
  const random = seededRandom(0x5ba7ed00 + index);
  const number = String(index + 1).padStart(3, '0');
  const objectStorage = index % 2 === 1;
  const capacityBytes = (64 + randomInt(random, 960)) * TiB;
  const repository: BackupRepositoryInput = {
    id: randomUuid(random),
    name: `Shared Repository ${number}`,
    description: 'Shared by generated organizations',
    path: objectStorage ? `D:\\Cache\\shared${number}` : `E:\\Backups\\shared${number}`,
    capacityBytes: objectStorage ? null : capacityBytes,
    freeSpaceBytes: objectStorage ? null : Math.floor(capacityBytes * random()),
    objectStorage: objectStorage
      ? { id: randomUuid(random), name: `shared-bucket-${number}`, type: 'AmazonS3Compatible', usedSpaceBytes: null }
      : null,
  };
  const proxyId = proxyIds[index % Math.max(1, proxyIds.length)];
  if (proxyId !== undefined) repository.proxyId = proxyId;
  return repository;
}
