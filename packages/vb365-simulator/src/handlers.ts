// Answers one routed request from the model, per API version.
import { emptyAnswer, errorAnswer, jsonAnswer, notFoundAnswer, unauthorizedAnswer, type Answer } from './answer.js';
import type { IssuedTokens } from './auth.js';
import { handleCopyJobs, handleJobSessions, handleJobs, handleRestorePoints, handleSyncState } from './job-handlers.js';
import { listingAnswer, reply, type HandlerContext, type IncomingCall } from './listing.js';
import { handleProxies } from './proxy-handlers.js';
import {
  backedUpOrganizationJson,
  backupRepositoryJson,
  healthJson,
  licenseJson,
  objectStorageRepositoryJson,
  organizationJson,
  usedRepositoryJson,
  type Json,
} from './representations.js';
import type { RouteMatch } from './routes.js';
import type { ApiVersion, ProductVersion } from './types.js';

export type { HandlerContext, IncomingCall } from './listing.js';

/** The message of the extended view's failure (see SimulatorOptions.extendedViewFailure). */
export const EXTENDED_VIEW_FAILURE_MESSAGE = 'Failed to connect to the backup proxy server: no proxy server is online.';
const INSTALLATION_ID = 'd1c0ffee-0b5e-4c3a-9e65-5eed00000001';
const PRODUCT_VERSIONS: Record<ApiVersion, string> = { v6: '6.1.0.222', v7: '7.1.0.2031', v8: '8.1.0.305' };

export function handleCall(ctx: HandlerContext, match: RouteMatch, call: IncomingCall): Answer {
  if (match.route === 'unknown') return notFoundAnswer();
  const { version } = match;
  if (call.method !== match.method) {
    return errorAnswer(405, version, `The requested resource does not support http method '${call.method}'.`);
  }
  if (match.route === 'token') return handleToken(ctx, call);
  // Anonymous in the v8 document (a load balancer's health probe); 503 when unhealthy, body and all.
  if (match.route === 'health') {
    return reply(ctx, 'health', ctx.data.health.status === 'Healthy' ? 200 : 503, healthJson(ctx.data.health));
  }

  const accessToken = ctx.tokens.validAccessToken(call.authorization);
  if (accessToken === undefined) return unauthorizedAnswer(version);

  switch (match.route) {
    case 'logout':
      ctx.tokens.revoke(accessToken);
      return emptyAnswer(version === 'v8' ? 204 : 200);
    case 'service_instance':
      return reply(ctx, 'service_instance', 200, {
        installationId: INSTALLATION_ID,
        version: productVersion(ctx.productVersion, version),
      });
    case 'license':
      return reply(ctx, 'license', 200, licenseJson(ctx.data.license, version));
    case 'organizations':
      return handleOrganizations(ctx, version, match.organizationId, call);
    case 'used_repositories':
      return handleUsedRepositories(ctx, version, match.organizationId, call);
    case 'licensing_information':
      return handleLicensingInformation(ctx, version, match.organizationId);
    case 'backup_repositories':
      return handleBackupRepositories(ctx, version, match.repositoryId, call);
    case 'backed_up_organizations':
      return handleBackedUpOrganizations(ctx, version, match.repositoryId, call);
    case 'object_storage_repositories':
      return handleObjectStorageRepositories(ctx, version, match.objectStorageId, call);
    case 'jobs':
      return handleJobs(ctx, version, match, call);
    case 'copy_jobs':
      return handleCopyJobs(ctx, version, match.copyJobId, call);
    case 'job_sessions':
      return handleJobSessions(ctx, version, match.jobId, call);
    case 'proxies':
      return handleProxies(ctx, version, match.proxyId, call);
    case 'restore_points':
      return handleRestorePoints(ctx, version, call);
    case 'organization_sync_state':
      return handleSyncState(ctx, version, match.organizationId);
  }
}

function productVersion(configured: ProductVersion | undefined, version: ApiVersion): string {
  const build = typeof configured === 'string' ? configured : configured?.[version];
  return build ?? PRODUCT_VERSIONS[version];
}

/** Every version answers the same token shape. */
function handleToken(ctx: HandlerContext, call: IncomingCall): Answer {
  const form = parseTokenForm(call);
  const grantType = form.get('grant_type');
  let issued: IssuedTokens | undefined;
  if (grantType === 'password') {
    const valid = form.get('username') === ctx.username && form.get('password') === ctx.password;
    issued = valid ? ctx.tokens.issue(ctx.username) : undefined;
    if (issued) ctx.stats.tokenGrants.password++;
    else return failedGrant(ctx, 'invalid_grant', 'The user name or password is incorrect.');
  } else if (grantType === 'refresh_token') {
    issued = ctx.tokens.refresh(form.get('refresh_token') ?? '');
    if (issued) ctx.stats.tokenGrants.refresh_token++;
    else return failedGrant(ctx, 'invalid_grant', 'The refresh token is invalid or expired.');
  } else {
    return failedGrant(ctx, 'unsupported_grant_type', `Grant type '${grantType ?? ''}' is not supported.`);
  }
  return jsonAnswer(200, {
    access_token: issued.accessToken,
    token_type: 'bearer',
    expires_in: issued.lifetimeSeconds,
    refresh_token: issued.refreshToken,
    userName: issued.userName,
    // The schema declares date-time (RFC 3339), so ISO strings rather than OWIN's RFC 1123 dates.
    '.issued': issued.issuedAt.toISOString(),
    '.expires': issued.expiresAt.toISOString(),
  });
}

function failedGrant(ctx: HandlerContext, error: string, description: string): Answer {
  ctx.stats.tokenGrants.failed++;
  return jsonAnswer(400, { error, error_description: description });
}

/** The spec accepts form-urlencoded and JSON bodies. */
function parseTokenForm(call: IncomingCall): Map<string, string> {
  if (call.contentType?.toLowerCase().includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(call.body);
      if (parsed && typeof parsed === 'object') {
        return new Map(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      }
    } catch {
      // falls through to an empty form: the grant fails as unsupported
    }
    return new Map();
  }
  return new Map(new URLSearchParams(call.body));
}

function handleOrganizations(
  ctx: HandlerContext,
  version: ApiVersion,
  organizationId: string | undefined,
  call: IncomingCall,
): Answer {
  // extendedView defaults to true in v6 and false later.
  const extendedParam = call.query.get('extendedview')?.toLowerCase();
  const extendedView = extendedParam === undefined ? version === 'v6' : extendedParam === 'true';
  // "controller requests the proxy server": the extended view fails when none is reachable.
  if (extendedView && ctx.extendedViewFailure !== undefined) {
    return errorAnswer(ctx.extendedViewFailure, version, EXTENDED_VIEW_FAILURE_MESSAGE, 'ProxyOffline');
  }
  if (organizationId !== undefined) {
    const organization = ctx.data.getOrganization(organizationId);
    if (!organization) return organizationNotFound(version, organizationId);
    return reply(ctx, 'organizations', 200, organizationJson(organization, version, extendedView));
  }
  // v8 finds organizations by their Microsoft ID and by their backed-up organization ID (the key of
  // backedupOrganizations); its pages link with the filters and the extended view they answer.
  const filters = version === 'v8' ? organizationFilters(call) : [];
  if (extendedView && version === 'v8') filters.unshift(['extendedView', 'true']);
  const msid = call.query.get('msid')?.toLowerCase();
  const backedUpId = call.query.get('backeduporganizationid');
  const items = [...ctx.data.organizations.values()].filter(
    (o) =>
      version !== 'v8' ||
      ((msid === undefined || o.msid?.toLowerCase() === msid) &&
        (backedUpId === undefined || o.backedUpOrganizationId === backedUpId)),
  );
  const toJson = (o: (typeof items)[number]): Json => organizationJson(o, version, extendedView);
  const native = version === 'v8' ? 'page' : 'array';
  const query = new URLSearchParams(filters).toString();
  const basePath = query === '' ? `/${version}/Organizations` : `/${version}/Organizations?${query}`;
  return listingAnswer(ctx, version, 'organizations', native, { items, toJson }, call, basePath);
}

/** The v8 Organizations filters a request gives, as [name, value] in the document's spelling. */
function organizationFilters(call: IncomingCall): [string, string][] {
  const filters: [string, string][] = [];
  for (const name of ['msid', 'backedUpOrganizationId']) {
    const value = call.query.get(name.toLowerCase());
    if (value !== undefined) filters.push([name, value]);
  }
  return filters;
}

function handleUsedRepositories(
  ctx: HandlerContext,
  version: ApiVersion,
  organizationId: string,
  call: IncomingCall,
): Answer {
  const organization = ctx.data.getOrganization(organizationId);
  if (!organization) return organizationNotFound(version, organizationId);
  const items = organization.usedRepositories;
  const toJson = (u: (typeof items)[number]): Json => usedRepositoryJson(u, version);
  const basePath = `/${version}/Organizations/${organization.id}/usedRepositories`;
  return listingAnswer(ctx, version, 'used_repositories', 'page', { items, toJson }, call, basePath);
}

function handleLicensingInformation(ctx: HandlerContext, version: ApiVersion, organizationId: string): Answer {
  const organization = ctx.data.getOrganization(organizationId);
  if (!organization) return organizationNotFound(version, organizationId);
  const { licensedUsers, newUsers } = organization.licensing;
  return reply(ctx, 'licensing_information', 200, { licensedUsers, newUsers });
}

function handleBackupRepositories(
  ctx: HandlerContext,
  version: ApiVersion,
  repositoryId: string | undefined,
  call: IncomingCall,
): Answer {
  if (repositoryId !== undefined) {
    const repository = ctx.data.getBackupRepository(repositoryId);
    if (!repository) return repositoryNotFound(version, repositoryId);
    return reply(ctx, 'backup_repositories', 200, backupRepositoryJson(repository, version));
  }
  const items = [...ctx.data.backupRepositories.values()];
  const toJson = (r: (typeof items)[number]): Json => backupRepositoryJson(r, version);
  const native = version === 'v8' ? 'page' : 'array';
  const basePath = `/${version}/BackupRepositories`;
  return listingAnswer(ctx, version, 'backup_repositories', native, { items, toJson }, call, basePath);
}

/**
 * The organizations with a usage row for the repository, in organization order, keyed as the version keys
 * them (v8: the backed-up organization ID).
 */
function handleBackedUpOrganizations(
  ctx: HandlerContext,
  version: ApiVersion,
  repositoryId: string,
  call: IncomingCall,
): Answer {
  const repository = ctx.data.getBackupRepository(repositoryId);
  if (!repository) return repositoryNotFound(version, repositoryId);
  const items = ctx.data.backedUpOrganizations(repository.id);
  const toJson = ({ organization, usage }: (typeof items)[number]): Json =>
    backedUpOrganizationJson(
      ctx.data.backedUpIdOf(organization, version),
      organization.name,
      ctx.data.backedUpBytes(repository.id, organization.id, usage),
    );
  const basePath = `/${version}/BackupRepositories/${repository.id}/backedupOrganizations`;
  // The v6/v7 documents' pages carry totalCount, v8's do not.
  const totalCount = version !== 'v8';
  return listingAnswer(ctx, version, 'backed_up_organizations', 'page', { items, toJson }, call, basePath, totalCount);
}

/** v6/v7 only (routes.ts): a plain array, or the one object storage `objectStorageId` names. */
function handleObjectStorageRepositories(
  ctx: HandlerContext,
  version: ApiVersion,
  objectStorageId: string | undefined,
  call: IncomingCall,
): Answer {
  if (objectStorageId !== undefined) {
    const storage = ctx.data.getObjectStorage(objectStorageId);
    if (!storage) {
      return notFoundAnswer(version, `Object storage repository with ID '${objectStorageId}' was not found.`);
    }
    return reply(ctx, 'object_storage_repositories', 200, objectStorageRepositoryJson(storage, version));
  }
  const items = ctx.data.objectStorages();
  const toJson = (s: (typeof items)[number]): Json => objectStorageRepositoryJson(s, version);
  const basePath = `/${version}/objectstoragerepositories`;
  return listingAnswer(ctx, version, 'object_storage_repositories', 'array', { items, toJson }, call, basePath);
}

function repositoryNotFound(version: ApiVersion, repositoryId: string): Answer {
  return notFoundAnswer(version, `Backup repository with ID '${repositoryId}' was not found.`);
}

function organizationNotFound(version: ApiVersion, organizationId: string): Answer {
  return notFoundAnswer(version, `Organization with ID '${organizationId}' was not found.`);
}
