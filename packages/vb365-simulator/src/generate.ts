// Deterministic generated organizations for load tests and the demo.
import type { BackupRepositoryInput, OrganizationInput, UsedRepositoryInput } from './model.js';
import { randomInt, randomUuid, seededRandom } from './random.js';

const TiB = 1024 ** 4;
const GiB = 1024 ** 3;

export interface GeneratedOrganization {
  organization: OrganizationInput;
  repositories: BackupRepositoryInput[];
}

/** The `index`-th generated organization: the same index always gives the same data. */
export function generateOrganization(index: number, repositoriesEach: number): GeneratedOrganization {
  // Seeded per index so the result does not depend on how many were generated per call.
  const random = seededRandom(0x5eed0000 + index);
  const number = String(index + 1).padStart(4, '0');
  const repositories: BackupRepositoryInput[] = [];
  const usedRepositories: UsedRepositoryInput[] = [];
  for (let j = 0; j < repositoriesEach; j++) {
    const id = randomUuid(random);
    const objectStorage = j % 2 === 1;
    const capacityBytes = (1 + randomInt(random, 64)) * TiB;
    repositories.push({
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
    });
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
