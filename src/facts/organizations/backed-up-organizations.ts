/**
 * One backup repository's organizations, `GET /{v}/BackupRepositories/{id}/backedupOrganizations` (paged in
 * every version, up to 10,000 items a page): the used space, local cache and object storage bytes of every
 * organization with data in it. Its items are keyed by the backed-up organization ID (see listing.ts) and
 * carry no availability, details or protected object count.
 */
import type { ApiVersion } from '../../config/types.js';
import type { Vb365Client } from '../../vb365/client.js';
import { isObject, kindOf, reject, uuid, type ItemResult } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import { PAGE_LIMIT, type Route } from '../../vb365/routes.js';
import type { Listing } from '../../vb365/types.js';
import { parseUsageBytes, type UsageBytes } from './usage-bytes.js';

/** One item: an organization's bytes in the repository. */
export interface BackedUpOrganization extends UsageBytes {
  /** The backed-up organization ID the item is keyed by (not necessarily the organization's ID). */
  readonly backedUpId: string;
}

const backedUpOrganizationsRoute =
  (repositoryId: string) =>
  (version: ApiVersion): Route => ({
    endpoint: 'backed_up_organizations',
    path: `/${version}/BackupRepositories/${encodeURIComponent(repositoryId)}/backedupOrganizations?offset=0&limit=${PAGE_LIMIT}`,
    // A repository deleted since the listing, not a version gone.
    notFoundIsItemGone: true,
  });

function parseBackedUpOrganization(item: unknown): ItemResult<BackedUpOrganization> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const backedUpId = uuid(item['id']);
  if (backedUpId === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const bytes = parseUsageBytes(item);
  return bytes.ok ? { ok: true, value: { backedUpId, ...bytes.value } } : bytes;
}

const backedUpOrganizationItems: ItemRules<BackedUpOrganization> = {
  parse: parseBackedUpOrganization,
  idOf: (item) => item.backedUpId,
};

export function readBackedUpOrganizations(
  client: Vb365Client,
  repositoryId: string,
  signal: AbortSignal,
): Promise<Listing<BackedUpOrganization>> {
  return client.listing(backedUpOrganizationsRoute(repositoryId), backedUpOrganizationItems, signal);
}
