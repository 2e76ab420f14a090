/**
 * One organization's used repositories, `GET /{v}/Organizations/{id}/UsedRepositories` (paged in every
 * version's document): its used space, local cache and object storage bytes per repository, and whether
 * each repository is available.
 */
import type { ApiVersion } from '../../config/types.js';
import { byteCount, isObject, kindOf, reject, text, uuid, uuidOfLink, type ItemResult } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import type { Vb365Client } from '../../vb365/client.js';
import type { Listing } from '../../vb365/types.js';
import { PAGE_LIMIT, type Route } from '../../vb365/routes.js';
import { parseUsageBytes, type UsageBytes } from './usage-bytes.js';

/** One item of `GET /{v}/Organizations/{id}/UsedRepositories`. */
export interface UsedRepository extends UsageBytes {
  readonly repositoryId: string;
  readonly isAvailable: boolean;
  readonly details: string;
  /** v8's `protectedObjectsCount`; null where the server does not report it. */
  readonly protectedObjectsCount: number | null;
}

export const usedRepositoriesRoute =
  (organizationId: string) =>
  (version: ApiVersion): Route => ({
    endpoint: 'used_repositories',
    path: `/${version}/Organizations/${encodeURIComponent(organizationId)}/usedRepositories?offset=0&limit=${PAGE_LIMIT}`,
    // A few KB: an organization uses a handful of repositories.
    small: true,
    // An organization deleted since the listing, not a version gone.
    notFoundIsItemGone: true,
  });

export function parseUsedRepository(item: unknown): ItemResult<UsedRepository> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const repositoryId = uuid(item['repositoryId']) ?? uuidOfLink(item['_links'], 'backupRepository');
  if (repositoryId === undefined)
    return reject('no repository ID: neither "repositoryId" nor "_links.backupRepository.href" holds a UUID');
  const bytes = parseUsageBytes(item);
  if (!bytes.ok) return bytes;
  const protectedObjects = byteCount(item, 'protectedObjectsCount');
  if (!protectedObjects.ok) return protectedObjects;
  const available = item['isAvailable'];
  if (typeof available !== 'boolean')
    return reject(`"isAvailable" is not a boolean (${kindOf(available)}) for repository ${repositoryId}`);
  return {
    ok: true,
    value: {
      repositoryId,
      ...bytes.value,
      isAvailable: available,
      details: text(item['details']),
      protectedObjectsCount: protectedObjects.value,
    },
  };
}

const usedRepositoryItems: ItemRules<UsedRepository> = {
  parse: parseUsedRepository,
  idOf: (repository) => repository.repositoryId,
};

export function readUsedRepositories(
  client: Vb365Client,
  organizationId: string,
  signal: AbortSignal,
): Promise<Listing<UsedRepository>> {
  return client.listing(usedRepositoriesRoute(organizationId), usedRepositoryItems, signal);
}
