/**
 * The organizations listing, `GET /{v}/Organizations`: the first read of every cycle. It proves the login
 * works, and what it lists (or the configured organizations, named from it) is what the cycle polls. It is
 * asked with `extendedView=true` for each organization's backup state; the server needs a backup proxy
 * online for that, so when it answers a server error the organizations are listed without it: discovery
 * never stops for it.
 */
import type { Logger } from 'pino';
import type { ApiVersion, ServerConfig } from '../../config/types.js';
import type { Vb365Client } from '../../vb365/client.js';
import { HttpStatusError, describeError } from '../../vb365/errors.js';
import { isObject, kindOf, reject, text, uuid, type ItemResult, type Json } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import { pageQueryFrom, type Route } from '../../vb365/routes.js';
import type { Organization, OrganizationBackup } from '../fact.js';
import { logRejected } from '../reading.js';

export const organizationsRoute =
  (extendedView = false) =>
  (version: ApiVersion): Route => ({
    endpoint: 'organizations',
    path: `/${version}/Organizations?extendedView=${extendedView}${pageQueryFrom(version, '&')}`,
  });

export function parseOrganization(item: unknown): ItemResult<Organization> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const backedUpId = uuid(item['backedUpOrganizationId']);
  return { ok: true, value: { id, name: text(item['name']), ...(backedUpId === undefined ? {} : { backedUpId }) } };
}

/** An organization of the extended view: its backup state too (a wrong value is "not reported", never guessed). */
function parseExtendedOrganization(item: unknown): ItemResult<Organization> {
  const organization = parseOrganization(item);
  if (!organization.ok) return organization;
  return { ok: true, value: { ...organization.value, backup: backupOf(item as Json) } };
}

function backupOf(item: Json): OrganizationBackup {
  const backedUp = item['isBackedup'];
  const last = item['lastBackuptime'];
  const lastMs = typeof last === 'string' ? Date.parse(last) : Number.NaN;
  return {
    backedUp: typeof backedUp === 'boolean' ? backedUp : null,
    lastBackupMs: Number.isFinite(lastMs) ? lastMs : null,
  };
}

export const organizationItems: ItemRules<Organization> = {
  parse: parseOrganization,
  idOf: (organization) => organization.id,
};

const extendedOrganizationItems: ItemRules<Organization> = {
  parse: parseExtendedOrganization,
  idOf: (organization) => organization.id,
};

export interface ListingDependencies {
  readonly server: ServerConfig;
  readonly client: Vb365Client;
  /** Whether this shard owns the organization. */
  readonly owns: (organizationId: string) => boolean;
  readonly logger: Logger;
}

export interface ListedOrganizations {
  /** Discovered organizations, or the configured ones (named from the listing where it has them); only this shard's. */
  readonly organizations: readonly Organization[];
  /** Whether they come with their backup state. */
  readonly extendedView: boolean;
  /** See CycleContext.backedUpIds: empty unless the server is read per repository. */
  readonly backedUpIds: ReadonlyMap<string, string>;
  /** See CycleContext.unlisted: configured organizations the listing does not name. */
  readonly unlisted: ReadonlySet<string>;
}

const NONE: ReadonlyMap<string, string> = new Map();
const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Every listed organization by the key backedupOrganizations gives its rows: v8 documents that key as the
 * organization's `backedUpOrganizationId`; v6/v7 document nothing, so there only the organization's own ID
 * can match. A v8 organization without one has no rows to map (it was never backed up).
 */
function backedUpIdsOf(items: readonly Organization[], version: ApiVersion): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  for (const organization of items) {
    const key = version === 'v8' ? organization.backedUpId : organization.id;
    if (key !== undefined) ids.set(key, organization.id);
  }
  return ids;
}

export async function listOrganizations(
  deps: ListingDependencies,
  version: ApiVersion,
  signal: AbortSignal,
): Promise<ListedOrganizations> {
  let extendedView = true;
  let items: readonly Organization[];
  try {
    items = await listed(deps, organizationsRoute(true), extendedOrganizationItems, signal);
  } catch (error) {
    // Only the server failing to build the extended view; a login, a connection or a version gone fails the same without it.
    if (!(error instanceof HttpStatusError && error.status >= 500)) throw error;
    deps.logger.warn(
      { reason: describeError(error) },
      'could not list organizations with their backup state (extendedView=true; the server needs a backup proxy online for it); listing them without it',
    );
    extendedView = false;
    items = await listed(deps, organizationsRoute(false), organizationItems, signal);
  }
  const backedUpIds = deps.server.collection === 'per_repository' ? backedUpIdsOf(items, version) : NONE;
  const configured = deps.server.organizations;
  if (configured.length === 0)
    return {
      organizations: items.filter((organization) => deps.owns(organization.id)),
      extendedView,
      backedUpIds,
      unlisted: NO_IDS,
    };
  const byId = new Map(items.map((organization) => [organization.id, organization]));
  const owned = configured.filter(deps.owns);
  return {
    organizations: owned.map((id) => byId.get(id) ?? { id, name: '' }),
    extendedView,
    backedUpIds,
    unlisted: new Set(owned.filter((id) => !byId.has(id))),
  };
}

async function listed(
  deps: ListingDependencies,
  route: (version: ApiVersion) => Route,
  rules: ItemRules<Organization>,
  signal: AbortSignal,
): Promise<readonly Organization[]> {
  const listing = await deps.client.listing(route, rules, signal);
  logRejected(deps.logger, 'organizations', listing);
  return listing.items;
}
