/**
 * The organizations listing, `GET /{v}/Organizations`: the first read of every cycle. It proves the login
 * works, and what it lists (or the configured organizations, named from it) is what the cycle polls.
 */
import type { ApiVersion, ServerConfig } from '../../config/types.js';
import { isObject, kindOf, reject, text, uuid, type ItemResult } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import { pageQueryFrom, type Route } from '../../vb365/routes.js';
import type { Vb365Client } from '../../vb365/client.js';
import type { Logger } from 'pino';
import type { Organization } from '../fact.js';
import { logRejected } from '../reading.js';

export const organizationsRoute = (version: ApiVersion): Route => ({
  endpoint: 'organizations',
  path: `/${version}/Organizations?extendedView=false${pageQueryFrom(version, '&')}`,
});

export function parseOrganization(item: unknown): ItemResult<Organization> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  return { ok: true, value: { id, name: text(item['name']) } };
}

export const organizationItems: ItemRules<Organization> = {
  parse: parseOrganization,
  idOf: (organization) => organization.id,
};

export interface ListingDependencies {
  readonly server: ServerConfig;
  readonly client: Vb365Client;
  /** Whether this shard owns the organization. */
  readonly owns: (organizationId: string) => boolean;
  readonly logger: Logger;
}

/** Discovered organizations, or the configured ones (named from the listing where it has them); only this shard's. */
export async function listOrganizations(deps: ListingDependencies, signal: AbortSignal): Promise<Organization[]> {
  const listing = await deps.client.listing(organizationsRoute, organizationItems, signal);
  logRejected(deps.logger, 'organizations', listing);
  const configured = deps.server.organizations;
  if (configured.length === 0) return listing.items.filter((organization) => deps.owns(organization.id));
  const names = new Map(listing.items.map((organization) => [organization.id, organization.name]));
  return configured.filter(deps.owns).map((id) => ({ id, name: names.get(id) ?? '' }));
}
