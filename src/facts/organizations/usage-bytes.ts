/**
 * The three byte counts VB365 gives for an organization's data in a repository, the same in
 * UsedRepositories and backedupOrganizations: used space, local cache, object storage.
 */
import { byteCount, type ItemResult, type Json } from '../../vb365/fields.js';

/** A null count is "not reported". */
export interface UsageBytes {
  readonly usedSpaceBytes: number | null;
  readonly localCacheUsedSpaceBytes: number | null;
  readonly objectStorageUsedSpaceBytes: number | null;
}

export const USAGE_FIELDS = ['usedSpaceBytes', 'localCacheUsedSpaceBytes', 'objectStorageUsedSpaceBytes'] as const;

export function parseUsageBytes(item: Json): ItemResult<UsageBytes> {
  const used = byteCount(item, 'usedSpaceBytes');
  if (!used.ok) return used;
  const cache = byteCount(item, 'localCacheUsedSpaceBytes');
  if (!cache.ok) return cache;
  const objectStorage = byteCount(item, 'objectStorageUsedSpaceBytes');
  if (!objectStorage.ok) return objectStorage;
  return {
    ok: true,
    value: {
      usedSpaceBytes: used.value,
      localCacheUsedSpaceBytes: cache.value,
      objectStorageUsedSpaceBytes: objectStorage.value,
    },
  };
}
