/**
 * Backup repositories as the server lists them (`GET /{v}/BackupRepositories`), with the object storage
 * behind each: embedded in v8, an item of `GET /{v}/objectstoragerepositories` (v6/v7) that the repository's
 * `objectStorageId` names.
 */
import type { ApiVersion } from '../../config/types.js';
import { byteCount, isObject, kindOf, reject, text, uuid, type ItemResult, type Json } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import { pageQueryFrom, type Route } from '../../vb365/routes.js';

export interface BackupRepository {
  readonly id: string;
  readonly name: string;
  readonly capacityBytes: number | null;
  readonly freeSpaceBytes: number | null;
  /** The state flags; null where the server does not report one (v6 has only isOutOfSync, say). */
  readonly isOutOfSync: boolean | null;
  readonly isOutdated: boolean | null;
  readonly isOutOfOrder: boolean | null;
  readonly outOfOrderReason: string;
  /** v8: the object storage behind the repository, embedded. */
  readonly objectStorage: ObjectStorage | undefined;
  /** v6/v7: the ID of its item in the object storage listing. */
  readonly objectStorageId: string | undefined;
}

/** The object storage behind a backup repository: embedded in v8, an item of `/objectstoragerepositories` before. */
export interface ObjectStorage {
  readonly id: string;
  readonly usedSpaceBytes: number | null;
  readonly freeSpaceBytes: number | null;
  /** `sizeLimitGB` in bytes (GB taken as 2^30), only where `sizeLimitEnabled` is true. */
  readonly sizeLimitBytes: number | null;
}

/**
 * What the exporter asks a BackupRepositories page to hold (v8 pages it). Measured at 10,000 organizations
 * (20,000 repositories): pages of 10,000 are 10 MB answers whose parsed trees outlive the young generation;
 * pages of 1,000 (1 MB) die young (bench/README.md has the figures). The listing runs beside the polls, so
 * its 20 pages cost the cycle no time.
 */
const BACKUP_REPOSITORIES_PAGE = 1_000;

export const backupRepositoriesRoute = (version: ApiVersion): Route => ({
  endpoint: 'backup_repositories',
  path: `/${version}/BackupRepositories${pageQueryFrom(version, '?', BACKUP_REPOSITORIES_PAGE)}`,
});

/** v6 and v7: what a backup repository's `objectStorageId` names (v8 embeds it in the repository). */
export const objectStorageRepositoriesRoute = (version: ApiVersion): Route => ({
  endpoint: 'object_storage_repositories',
  path: `/${version}/objectstoragerepositories`,
});

export function parseBackupRepository(item: unknown): ItemResult<BackupRepository> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const capacity = byteCount(item, 'capacityBytes');
  if (!capacity.ok) return capacity;
  const free = byteCount(item, 'freeSpaceBytes');
  if (!free.ok) return free;
  const flags = stateFlags(item, id);
  if (!flags.ok) return flags;
  const embedded = item['objectStorage'];
  const objectStorage = embedded === undefined || embedded === null ? undefined : parseObjectStorage(embedded, true);
  if (objectStorage !== undefined && !objectStorage.ok) return reject(`repository ${id}: ${objectStorage.reason}`);
  return {
    ok: true,
    value: {
      id,
      name: text(item['name']),
      capacityBytes: capacity.value,
      freeSpaceBytes: free.value,
      ...flags.value,
      outOfOrderReason: text(item['outOfOrderReason']),
      objectStorage: objectStorage?.value,
      objectStorageId: uuid(item['objectStorageId']),
    },
  };
}

/** isOutOfSync, isOutdated, isOutOfOrder: a boolean, or null where the server does not report it. */
function stateFlags(
  item: Json,
  id: string,
): ItemResult<Pick<BackupRepository, 'isOutOfSync' | 'isOutdated' | 'isOutOfOrder'>> {
  const flags: Record<string, boolean | null> = {};
  for (const key of ['isOutOfSync', 'isOutdated', 'isOutOfOrder']) {
    const value = item[key];
    if (value !== undefined && value !== null && typeof value !== 'boolean')
      return reject(`"${key}" is not a boolean (${kindOf(value)}) for repository ${id}`);
    flags[key] = typeof value === 'boolean' ? value : null;
  }
  return {
    ok: true,
    value: {
      isOutOfSync: flags['isOutOfSync'] ?? null,
      isOutdated: flags['isOutdated'] ?? null,
      isOutOfOrder: flags['isOutOfOrder'] ?? null,
    },
  };
}

/**
 * Veeam documents `sizeLimitGB` only as "the size limit in GB" (REST) and "a soft limit in GB" with
 * permitted values 1024 to 10737418240 (PowerShell); no source says 10^9 or 2^30. Those bounds are powers
 * of 1024, and VB365 runs on Windows, which counts a GB as 2^30 bytes: taken as 2^30.
 */
export const BYTES_PER_SIZE_LIMIT_GB = 2 ** 30;

/**
 * An object storage: embedded in a v8 repository, or an item of the v6/v7 listing. Only the listing's
 * items need an ID (repositories point to them by it): the v8 document requires none of the embedded fields.
 */
export function parseObjectStorage(item: unknown, embedded = false): ItemResult<ObjectStorage> {
  if (!isObject(item)) return reject(`expected an object storage object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined && !embedded) return reject(`the object storage "id" is not a UUID (${kindOf(item['id'])})`);
  const used = byteCount(item, 'usedSpaceBytes');
  if (!used.ok) return used;
  const free = byteCount(item, 'freeSpaceBytes');
  if (!free.ok) return free;
  const limitGb = byteCount(item, 'sizeLimitGB');
  if (!limitGb.ok) return limitGb;
  const enabled = item['sizeLimitEnabled'];
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean')
    return reject(`"sizeLimitEnabled" is not a boolean (${kindOf(enabled)}) for object storage ${id ?? ''}`);
  const sizeLimitBytes = enabled === true && limitGb.value !== null ? limitGb.value * BYTES_PER_SIZE_LIMIT_GB : null;
  if (sizeLimitBytes !== null && !Number.isSafeInteger(sizeLimitBytes))
    return reject(`"sizeLimitGB" is too large for object storage ${id ?? ''}`);
  return { ok: true, value: { id: id ?? '', usedSpaceBytes: used.value, freeSpaceBytes: free.value, sizeLimitBytes } };
}

export const backupRepositoryItems: ItemRules<BackupRepository> = {
  parse: parseBackupRepository,
  idOf: (repository) => repository.id,
};

export const objectStorageItems: ItemRules<ObjectStorage> = {
  parse: parseObjectStorage,
  idOf: (storage) => storage.id,
};
