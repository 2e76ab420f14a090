// The JSON each API version answers for the model objects (field sets differ per version).
import type {
  ObjectStorageType,
  SimulatedBackupRepository,
  SimulatedHealth,
  SimulatedLicense,
  SimulatedObjectStorage,
  SimulatedOrganization,
  SimulatedUsedRepository,
} from './model.js';
import type { ApiVersion } from './types.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The setId VB365 answers when no result set is cached (see the documentation example). */
const EMPTY_SET_ID = '00000000-0000-0000-0000-000000000000';

const link = (href: string): JsonObject => ({ href });

export function organizationJson(org: SimulatedOrganization, version: ApiVersion, extendedView: boolean): JsonObject {
  const body: JsonObject = {
    type: org.type,
    region: org.region,
    id: org.id,
    name: org.name,
    officeName: org.officeName,
  };
  if (version !== 'v6') body['description'] = org.description;
  if (org.type !== 'OnPremises') {
    body['isExchangeOnline'] = true;
    body['isSharePointOnline'] = true;
    body['isTeamsOnline'] = true;
  }
  if (org.type !== 'Office365') {
    body['isExchange'] = true;
    body['isSharepoint'] = false;
  }
  if (extendedView) {
    body['isBackedup'] = org.isBackedup;
    body['firstBackuptime'] = org.firstBackupTime;
    body['lastBackuptime'] = org.lastBackupTime;
  }
  if (version === 'v8') {
    body['msid'] = org.msid;
    body['backedUpOrganizationId'] = org.backedUpOrganizationId;
  }
  body['_links'] = {
    self: link(`/${version}/Organizations/${org.id}`),
    usedRepositories: link(`/${version}/Organizations/${org.id}/usedRepositories`),
  };
  return body;
}

export function usedRepositoryJson(usage: SimulatedUsedRepository, version: ApiVersion): JsonObject {
  const body: JsonObject = {};
  if (version === 'v8') body['repositoryId'] = usage.repositoryId;
  body['usedSpaceBytes'] = usage.usedSpaceBytes;
  body['localCacheUsedSpaceBytes'] = usage.localCacheUsedSpaceBytes;
  body['objectStorageUsedSpaceBytes'] = usage.objectStorageUsedSpaceBytes;
  body['isAvailable'] = usage.isAvailable;
  body['details'] = usage.details;
  if (version === 'v8') body['protectedObjectsCount'] = usage.protectedObjectsCount;
  // Lower-case path as in the documentation example.
  body['_links'] = { backupRepository: link(`/${version}/backuprepositories/${usage.repositoryId}`) };
  return body;
}

export function backupRepositoryJson(repo: SimulatedBackupRepository, version: ApiVersion): JsonObject {
  const storage = repo.objectStorage;
  const body: JsonObject = {
    id: repo.id,
    name: repo.name,
    description: repo.description,
    path: repo.path,
    retentionType: repo.retentionType,
    retentionPeriodType: 'Yearly',
    yearlyRetentionPeriod: 'Years3',
    retentionFrequencyType: 'Daily',
    dailyTime: '18:00:00',
    dailyType: 'Everyday',
    proxyId: repo.proxyId,
    isLongTerm: repo.isLongTerm,
    isOutOfSync: repo.isOutOfSync,
    capacityBytes: repo.capacityBytes,
    freeSpaceBytes: repo.freeSpaceBytes,
    objectStorageEncryptionEnabled: storage ? false : null,
    encryptionKeyId: null,
  };
  const links: JsonObject = {
    self: link(`/${version}/BackupRepositories/${repo.id}`),
    proxy: link(`/${version}/Proxies/${repo.proxyId}`),
  };
  if (version === 'v8') {
    body['proxyPoolId'] = null;
    body['organizationId'] = null;
    body['isOutdated'] = repo.isOutdated;
    body['isIndexed'] = repo.isIndexed;
    body['isMigrationLocked'] = false;
    body['isOutOfOrder'] = repo.isOutOfOrder;
    body['outOfOrderReason'] = repo.outOfOrderReason;
    if (storage) {
      const embedded: JsonObject = {
        id: storage.id,
        type: storage.type,
        usedSpaceBytes: storage.usedSpaceBytes,
        sizeLimitEnabled: storage.sizeLimitEnabled,
      };
      // The v8 document: free space "is displayed only if the size limit is set".
      if (storage.sizeLimitEnabled) {
        embedded['sizeLimitGB'] = storage.sizeLimitGB;
        embedded['freeSpaceBytes'] = storage.freeSpaceBytes;
      }
      embedded['_links'] = { self: link(`/v8/ObjectStorageRepositories/${storage.id}`) };
      body['objectStorage'] = embedded;
    }
  } else {
    body['objectStorageId'] = storage ? storage.id : null;
    if (storage) body['objectStorageCachePath'] = repo.path;
  }
  if (storage) links['objectStorageRepository'] = link(`/${version}/ObjectStorageRepositories/${storage.id}`);
  body['_links'] = links;
  return body;
}

/** v6 knows only the first five object storage types: Wasabi and IBM Cloud were S3 compatible then. */
const V6_OBJECT_STORAGE_TYPES: readonly ObjectStorageType[] = [
  'AzureBlob',
  'AmazonS3',
  'AmazonS3Compatible',
  'AzureBlobArchive',
  'AmazonS3Glacier',
];

/** An item of v6/v7 `/objectstoragerepositories` (the resource a repository's objectStorageId names). */
export function objectStorageRepositoryJson(storage: SimulatedObjectStorage, version: ApiVersion): JsonObject {
  const type =
    version === 'v6' && !V6_OBJECT_STORAGE_TYPES.includes(storage.type) ? 'AmazonS3Compatible' : storage.type;
  const body: JsonObject = {
    id: storage.id,
    name: storage.name,
    description: storage.description,
    type,
    sizeLimitEnabled: storage.sizeLimitEnabled,
    sizeLimitGB: storage.sizeLimitGB,
    usedSpaceBytes: storage.usedSpaceBytes,
    freeSpaceBytes: storage.freeSpaceBytes,
  };
  if (version !== 'v6') body['enableImmutability'] = storage.enableImmutability;
  body['_links'] = { self: link(`/${version}/ObjectStorageRepositories/${storage.id}`) };
  return body;
}

/**
 * An item of `/BackupRepositories/{id}/backedupOrganizations`: an organization's usage row seen from the
 * repository, keyed by `id` (v6/v7: the organization ID; v8: the backed-up organization ID).
 */
export function backedUpOrganizationJson(
  id: string,
  name: string,
  bytes: Pick<SimulatedUsedRepository, 'usedSpaceBytes' | 'localCacheUsedSpaceBytes' | 'objectStorageUsedSpaceBytes'>,
): JsonObject {
  return {
    id,
    name,
    usedSpaceBytes: bytes.usedSpaceBytes,
    localCacheUsedSpaceBytes: bytes.localCacheUsedSpaceBytes,
    objectStorageUsedSpaceBytes: bytes.objectStorageUsedSpaceBytes,
  };
}

/** v6 names the expiry `expirationDate` and has no grace period nor package; v7 dropped contactPerson and the support date. */
export function licenseJson(license: SimulatedLicense, version: ApiVersion): JsonObject {
  const body: JsonObject = { licenseID: license.licenseID, email: license.email, status: license.status };
  if (version === 'v6') {
    body['expirationDate'] = license.licenseExpires;
  } else {
    body['licenseExpires'] = license.licenseExpires;
    body['gracePeriodExpires'] = license.gracePeriodExpires;
  }
  body['type'] = license.type;
  if (version !== 'v6') body['package'] = license.package;
  body['licensedTo'] = license.licensedTo;
  if (version === 'v6') body['contactPerson'] = license.contactPerson;
  body['totalNumber'] = license.totalNumber;
  body['usedNumber'] = license.usedNumber;
  body['newNumber'] = license.newNumber;
  body['supportID'] = license.supportID;
  if (version === 'v6') body['supportExpirationDate'] = license.supportExpirationDate;
  return body;
}

export function healthJson(health: SimulatedHealth): JsonObject {
  const entries: JsonObject = {};
  for (const [name, entry] of Object.entries(health.entries)) {
    entries[name] = { status: entry.status, description: entry.description };
  }
  return { status: health.status, entries };
}

/** VB365 error body: v6 {message}; v7 adds errorCode (its schema only knows ProxyOffline); v8 knows more codes. */
export function errorJson(version: ApiVersion | undefined, message: string, errorCode?: string): JsonObject {
  const body: JsonObject = { message };
  if (errorCode === undefined || version === undefined || version === 'v6') return body;
  if (version === 'v7' && errorCode !== 'ProxyOffline') return body;
  body['errorCode'] = errorCode;
  return body;
}

export interface PageWindow {
  offset: number;
  limit: number;
}

/**
 * A VB365 page `{offset, limit, setId, results, _links}`. At most `min(limit, pageSize)` items are
 * returned; `next` is present only when items remain after this page. Only the page's own items are
 * turned into JSON (20 pages of 20,000 repositories stay cheap).
 */
export function pageJson<T>(
  items: readonly T[],
  toJson: (item: T) => Json,
  window: PageWindow,
  pageSize: number,
  basePath: string,
): JsonObject {
  const count = Math.max(0, Math.min(window.limit, pageSize, items.length - window.offset));
  const results = items.slice(window.offset, window.offset + count).map(toJson);
  const separator = basePath.includes('?') ? '&' : '?';
  const href = (offset: number): string => `${basePath}${separator}offset=${offset}&limit=${window.limit}`;
  const links: JsonObject = { self: link(href(window.offset)) };
  if (window.offset + count < items.length) links['next'] = link(href(window.offset + count));
  if (window.offset > 0) links['prev'] = link(href(Math.max(0, window.offset - window.limit)));
  return { offset: window.offset, limit: window.limit, _links: links, results, setId: EMPTY_SET_ID };
}
