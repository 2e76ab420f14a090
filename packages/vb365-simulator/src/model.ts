// Shapes of the simulated VB365 objects. Field names follow the REST API; values are version-neutral
// (representations.ts turns them into each version's JSON).

export type OrganizationType = 'Office365' | 'OnPremises' | 'Hybrid';
export type OrganizationRegion = 'Worldwide' | 'Germany' | 'China' | 'USDefence' | 'USGovernment';
export type ObjectStorageType =
  'AzureBlob' | 'AmazonS3' | 'AmazonS3Compatible' | 'AzureBlobArchive' | 'AmazonS3Glacier' | 'WasabiCloud' | 'IBMCloud';

/** One row of GET /Organizations/{id}/UsedRepositories. */
export interface SimulatedUsedRepository {
  repositoryId: string;
  usedSpaceBytes: number | null;
  localCacheUsedSpaceBytes: number | null;
  objectStorageUsedSpaceBytes: number | null;
  isAvailable: boolean;
  details: string;
  /** Only answered by v8. */
  protectedObjectsCount: number | null;
}

export interface SimulatedOrganization {
  id: string;
  name: string;
  officeName: string;
  type: OrganizationType;
  region: OrganizationRegion;
  /** v7 and later. */
  description: string;
  /** v8 only. */
  msid: string | null;
  /** v8 only. */
  backedUpOrganizationId: string | null;
  /** Only in the extended view. */
  isBackedup: boolean;
  firstBackupTime: string | null;
  lastBackupTime: string | null;
  usedRepositories: SimulatedUsedRepository[];
}

export interface SimulatedObjectStorage {
  id: string;
  name: string;
  type: ObjectStorageType;
  usedSpaceBytes: number | null;
}

export interface SimulatedBackupRepository {
  id: string;
  name: string;
  description: string;
  path: string;
  proxyId: string;
  /** Local (JET) repositories only; null for object-storage ones. */
  capacityBytes: number | null;
  freeSpaceBytes: number | null;
  isLongTerm: boolean;
  isOutOfSync: boolean;
  retentionType: 'ItemLevel' | 'SnapshotBased';
  /** Set when the repository is (extended with) object storage. */
  objectStorage: SimulatedObjectStorage | null;
}

type WithDefaults<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export type UsedRepositoryInput = WithDefaults<SimulatedUsedRepository, 'repositoryId'>;
export type OrganizationInput = WithDefaults<Omit<SimulatedOrganization, 'usedRepositories'>, 'id' | 'name'> & {
  usedRepositories?: UsedRepositoryInput[];
};
export type BackupRepositoryInput = WithDefaults<SimulatedBackupRepository, 'id' | 'name'>;

export const DEFAULT_PROXY_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

export function toUsedRepository(input: UsedRepositoryInput): SimulatedUsedRepository {
  return {
    repositoryId: input.repositoryId.toLowerCase(),
    // Explicit nulls are meaningful (unknown sizes), so only `undefined` takes the default.
    usedSpaceBytes: orDefault(input.usedSpaceBytes, 0),
    localCacheUsedSpaceBytes: orDefault(input.localCacheUsedSpaceBytes, 0),
    objectStorageUsedSpaceBytes: orDefault(input.objectStorageUsedSpaceBytes, 0),
    isAvailable: input.isAvailable ?? true,
    details: input.details ?? '',
    protectedObjectsCount: input.protectedObjectsCount ?? null,
  };
}

export function toOrganization(input: OrganizationInput): SimulatedOrganization {
  return {
    id: input.id.toLowerCase(),
    name: input.name,
    officeName: input.officeName ?? `${input.name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.com`,
    type: input.type ?? 'Office365',
    region: input.region ?? 'Worldwide',
    description: input.description ?? '',
    msid: input.msid ?? null,
    backedUpOrganizationId: input.backedUpOrganizationId ?? null,
    isBackedup: input.isBackedup ?? true,
    firstBackupTime: input.firstBackupTime ?? null,
    lastBackupTime: input.lastBackupTime ?? null,
    usedRepositories: (input.usedRepositories ?? []).map(toUsedRepository),
  };
}

export function toBackupRepository(input: BackupRepositoryInput): SimulatedBackupRepository {
  return {
    id: input.id.toLowerCase(),
    name: input.name,
    description: input.description ?? '',
    path: input.path ?? `C:\\VeeamRepository\\${input.name}`,
    proxyId: input.proxyId ?? DEFAULT_PROXY_ID,
    capacityBytes: input.capacityBytes ?? null,
    freeSpaceBytes: input.freeSpaceBytes ?? null,
    isLongTerm: input.isLongTerm ?? false,
    isOutOfSync: input.isOutOfSync ?? false,
    retentionType: input.retentionType ?? 'ItemLevel',
    objectStorage: input.objectStorage ?? null,
  };
}
