// Seed data: the product documentation's example organization plus a few edge cases.
import type { SimulatorData } from './data.js';

/** Organization IDs of the seed data. */
export const SEED_ORGANIZATION_IDS = {
  /** The documentation's example ("Contoso"): three repositories with the documented byte values. */
  contoso: '7665cf30-ee89-4d0d-a343-2776da77ed79',
  /** Shares the local repository `nordLocal` with Contoso and has one of its own. */
  fabrikam: '2b1f0c9e-5d43-4a8e-9f61-3c7a8e0d4b12',
  /** One repository whose byte counts are all null. */
  northwind: '9c3e7a51-0f2d-4b6c-8e19-a47d2c5f6e83',
  /** One available repository and one unavailable ("Proxy is offline"). */
  tailwind: '4d8a2f6b-91c3-4e57-b0a8-6f1e3d9c2a74',
  /** No used repositories at all (empty page). */
  litware: 'e5f60718-2a3b-4c4d-9e5f-60718293a4b5',
} as const;

/** Backup repository IDs of the seed data. */
export const SEED_REPOSITORY_IDS = {
  /** Object storage with a local cache (documentation example, first row). */
  contosoAzure: 'cfe34111-3331-45c0-babf-0be32e030444',
  /** Object storage only (documentation example, second row). */
  contosoS3: '880cb276-127e-4da1-96c1-0d97ecdecd4d',
  /** Local JET repository named `Repo "Nord" \ München` (documentation example, third row). */
  nordLocal: 'e412ad5a-a100-462b-8fca-85d7c6415f06',
  fabrikamLocal: '5a7c9e1b-3d5f-4a6b-8c0d-2e4f6a8b0c1d',
  northwindUnknownSize: '6b8d0f2a-4c6e-4b7a-9d1e-3f5a7b9c1d2e',
  tailwindLocal: '7c9e1a3b-5d7f-4c8b-a02f-4a6b8c0d2e3f',
  tailwindOffline: '8d0f2b4c-6e8a-4d9c-b13a-5b7c9d1e3f4a',
} as const;

/** Name chosen to exercise escaping: double quote, backslash and a non-ASCII letter. */
export const SEED_NORD_REPOSITORY_NAME = 'Repo "Nord" \\ München';
export const SEED_OFFLINE_DETAILS = 'Proxy is offline';

const TiB = 1024 ** 4;
const REMOTE_PROXY_ID = '5c0d3a7e-8b1f-4e2a-9c6d-7f3b2a1e0d9c';

export function addSeedData(data: SimulatorData): void {
  const repo = SEED_REPOSITORY_IDS;
  const org = SEED_ORGANIZATION_IDS;

  data.addBackupRepository({
    id: repo.contosoAzure,
    name: 'Azure Blob Contoso',
    description: 'Azure Blob Storage with local cache',
    path: 'C:\\VeeamCache\\AzureContoso',
    objectStorage: {
      id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      name: 'contoso-blob',
      type: 'AzureBlob',
      usedSpaceBytes: 2499432773,
    },
  });
  data.addBackupRepository({
    id: repo.contosoS3,
    name: 'S3 Archive',
    description: 'Amazon S3 Glacier, long-term',
    path: 'C:\\VeeamCache\\S3Archive',
    isLongTerm: true,
    objectStorage: {
      id: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
      name: 'contoso-archive',
      type: 'AmazonS3Glacier',
      usedSpaceBytes: 2348310138,
    },
  });
  data.addBackupRepository({
    id: repo.nordLocal,
    name: SEED_NORD_REPOSITORY_NAME,
    description: 'Lokales Repository im Rechenzentrum Nord',
    path: 'E:\\Backups\\Nord',
    capacityBytes: 20 * TiB,
    freeSpaceBytes: 12 * TiB,
  });
  data.addBackupRepository({
    id: repo.fabrikamLocal,
    name: 'Fabrikam Local',
    description: '',
    path: 'F:\\Backups\\Fabrikam',
    capacityBytes: 8 * TiB,
    freeSpaceBytes: 3 * TiB,
  });
  data.addBackupRepository({
    id: repo.northwindUnknownSize,
    name: 'Northwind Wasabi',
    description: 'Size not reported yet',
    path: 'C:\\VeeamCache\\Wasabi',
    objectStorage: {
      id: 'c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f',
      name: 'northwind-wasabi',
      type: 'WasabiCloud',
      usedSpaceBytes: null,
    },
  });
  data.addBackupRepository({
    id: repo.tailwindLocal,
    name: 'Tailwind Local',
    path: 'G:\\Backups\\Tailwind',
    capacityBytes: 4 * TiB,
    freeSpaceBytes: 1 * TiB,
  });
  data.addBackupRepository({
    id: repo.tailwindOffline,
    name: 'Tailwind Branch Office',
    description: 'Behind the branch office proxy',
    path: 'H:\\Backups\\Branch',
    proxyId: REMOTE_PROXY_ID,
    capacityBytes: 2 * TiB,
    freeSpaceBytes: 512 * 1024 ** 3,
  });

  data.addOrganization({
    id: org.contoso,
    name: 'Contoso',
    officeName: 'contoso.onmicrosoft.com',
    type: 'Office365',
    description: 'The documentation example',
    msid: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    backedUpOrganizationId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    firstBackupTime: '2023-03-01T02:00:00Z',
    lastBackupTime: '2025-06-30T02:00:00Z',
    usedRepositories: [
      {
        repositoryId: repo.contosoAzure,
        usedSpaceBytes: 0,
        localCacheUsedSpaceBytes: 3473408,
        objectStorageUsedSpaceBytes: 2499432773,
        protectedObjectsCount: 120,
      },
      {
        repositoryId: repo.contosoS3,
        usedSpaceBytes: 0,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 2348310138,
        protectedObjectsCount: 118,
      },
      {
        repositoryId: repo.nordLocal,
        usedSpaceBytes: 9559506944,
        localCacheUsedSpaceBytes: 0,
        objectStorageUsedSpaceBytes: 0,
        protectedObjectsCount: null,
      },
    ],
  });
  data.addOrganization({
    id: org.fabrikam,
    name: 'Fabrikam',
    officeName: 'fabrikam.onmicrosoft.com',
    type: 'Office365',
    msid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    backedUpOrganizationId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    usedRepositories: [
      { repositoryId: repo.nordLocal, usedSpaceBytes: 1234567890, protectedObjectsCount: null },
      { repositoryId: repo.fabrikamLocal, usedSpaceBytes: 987654321012, protectedObjectsCount: null },
    ],
  });
  data.addOrganization({
    id: org.northwind,
    name: 'Northwind Traders',
    officeName: 'northwind.local',
    type: 'OnPremises',
    description: 'On-premises Exchange',
    usedRepositories: [
      {
        repositoryId: repo.northwindUnknownSize,
        usedSpaceBytes: null,
        localCacheUsedSpaceBytes: null,
        objectStorageUsedSpaceBytes: null,
        protectedObjectsCount: null,
      },
    ],
  });
  data.addOrganization({
    id: org.tailwind,
    name: 'Tailwind Toys',
    officeName: 'tailwindtoys.onmicrosoft.com',
    type: 'Hybrid',
    usedRepositories: [
      { repositoryId: repo.tailwindLocal, usedSpaceBytes: 52428800000 },
      {
        repositoryId: repo.tailwindOffline,
        usedSpaceBytes: 7340032000,
        isAvailable: false,
        details: SEED_OFFLINE_DETAILS,
      },
    ],
  });
  data.addOrganization({
    id: org.litware,
    name: 'Litware',
    officeName: 'litware.onmicrosoft.com',
    type: 'Office365',
    description: 'Added recently, nothing backed up yet',
    isBackedup: false,
    usedRepositories: [],
  });
}
