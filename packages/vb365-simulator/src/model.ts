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

/** GET /Organizations/{id}/LicensingInformation. */
export interface SimulatedLicensingInformation {
  licensedUsers: number;
  newUsers: number;
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
  licensing: SimulatedLicensingInformation;
  usedRepositories: SimulatedUsedRepository[];
}

/** An object storage repository: embedded in v8 backup repositories, `/objectstoragerepositories` in v6/v7. */
export interface SimulatedObjectStorage {
  id: string;
  name: string;
  type: ObjectStorageType;
  usedSpaceBytes: number | null;
  description: string;
  /** Off by default: no limit, and (as the v8 document says) no free space reported. */
  sizeLimitEnabled: boolean;
  sizeLimitGB: number | null;
  /** Default: the limit minus the used space when both are known, else null. */
  freeSpaceBytes: number | null;
  enableImmutability: boolean;
}

/** The v8 state flags of a backup repository (v6/v7 answer isOutOfSync only). */
export interface RepositoryState {
  isOutOfSync: boolean;
  isOutdated: boolean;
  isOutOfOrder: boolean;
  /** VB365 says "invalid state"; null while the repository is in order. */
  outOfOrderReason: string | null;
  isIndexed: boolean;
}

export interface SimulatedBackupRepository extends RepositoryState {
  id: string;
  name: string;
  description: string;
  path: string;
  proxyId: string;
  /** Local (JET) repositories only; null for object-storage ones. */
  capacityBytes: number | null;
  freeSpaceBytes: number | null;
  isLongTerm: boolean;
  retentionType: 'ItemLevel' | 'SnapshotBased';
  /** Set when the repository is (extended with) object storage. */
  objectStorage: SimulatedObjectStorage | null;
}

export type HealthStatus = 'Healthy' | 'Unhealthy';

/** GET /v8/Health: the overall status and one entry per checked component. */
export interface SimulatedHealth {
  status: HealthStatus;
  entries: Record<string, { status: HealthStatus; description: string | null }>;
}

export type LicenseType = 'Subscription' | 'Evaluation' | 'NFR' | 'Rental' | 'Community' | 'AwsPrivateOffer';

/** GET /{v}/License (v6 names the expiry `expirationDate` and has no grace period nor package). */
export interface SimulatedLicense {
  licenseID: string | null;
  email: string;
  status: 'Valid' | 'Expired';
  /** ISO date-time or null. */
  licenseExpires: string | null;
  gracePeriodExpires: string | null;
  type: LicenseType;
  package: string;
  licensedTo: string;
  contactPerson: string;
  totalNumber: number;
  usedNumber: number;
  newNumber: number;
  supportID: string;
  supportExpirationDate: string | null;
}

type WithDefaults<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export type UsedRepositoryInput = WithDefaults<SimulatedUsedRepository, 'repositoryId'>;
export type OrganizationInput = WithDefaults<
  Omit<SimulatedOrganization, 'usedRepositories' | 'licensing'>,
  'id' | 'name'
> & {
  usedRepositories?: UsedRepositoryInput[];
  licensing?: Partial<SimulatedLicensingInformation>;
};
export type ObjectStorageInput = WithDefaults<SimulatedObjectStorage, 'id' | 'name' | 'type' | 'usedSpaceBytes'>;
export type BackupRepositoryInput = WithDefaults<Omit<SimulatedBackupRepository, 'objectStorage'>, 'id' | 'name'> & {
  objectStorage?: ObjectStorageInput | null;
};

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
    licensing: { licensedUsers: input.licensing?.licensedUsers ?? 0, newUsers: input.licensing?.newUsers ?? 0 },
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
    isOutdated: input.isOutdated ?? false,
    isOutOfOrder: input.isOutOfOrder ?? false,
    outOfOrderReason: input.outOfOrderReason ?? null,
    isIndexed: input.isIndexed ?? true,
    retentionType: input.retentionType ?? 'ItemLevel',
    objectStorage: input.objectStorage ? toObjectStorage(input.objectStorage) : null,
  };
}

const GiB = 1024 ** 3;

export function toObjectStorage(input: ObjectStorageInput): SimulatedObjectStorage {
  const sizeLimitEnabled = input.sizeLimitEnabled ?? false;
  const sizeLimitGB = input.sizeLimitGB ?? null;
  const used = input.usedSpaceBytes;
  const derivedFree =
    sizeLimitEnabled && sizeLimitGB !== null && used !== null ? Math.max(0, sizeLimitGB * GiB - used) : null;
  return {
    id: input.id,
    name: input.name,
    type: input.type,
    usedSpaceBytes: used,
    description: input.description ?? '',
    sizeLimitEnabled,
    sizeLimitGB,
    // An explicit null (not reported) stays null.
    freeSpaceBytes: input.freeSpaceBytes === undefined ? derivedFree : input.freeSpaceBytes,
    enableImmutability: input.enableImmutability ?? false,
  };
}
